"""Early stopping: `ss.report` asks the study's pruner (in the tuner's process directly, from
process-pool workers over the tuner link); pruned trials are recorded PRUNED, their
intermediate values kept in the store and as metric steps of their runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import slipstream as ss
from slipstream.entities import Status
from tests.tuning import objectives
from tests.tuning.helpers import nodes_of, runs_of

# Grid order: six improving curves (the median pruner's five start-up trials and one better),
# then two clearly worse ones, which the median of the completed trials prunes.
QUALITIES = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.02, 0.01]


@pytest.mark.parametrize("executor", ["inline", "process:1"])
def test_median_pruner_prunes_the_worse_curves(executor: str) -> None:
    """One trial at a time, in this process or in a worker: exactly the two worse curves are
    pruned, at their first step."""
    study = ss.tune(objectives.curve, space={"quality": ss.choice(QUALITIES)},
                    goal="maximize", algorithm="grid", early_stopping="median",
                    max_trials=len(QUALITIES), executor=executor,
                    name=f"median-{executor.replace(':', '-')}")
    trials = study.trials
    assert [t.params["quality"] for t in trials] == QUALITIES
    assert [t.state for t in trials] == ["COMPLETE"] * 6 + ["PRUNED"] * 2
    for t in trials[:6]:
        assert [step for step, _ in t.intermediate] == list(range(10))
        assert t.value == pytest.approx(t.params["quality"] * 10)
    runs = runs_of(study)
    nodes = nodes_of(study)
    for t in trials[6:]:
        assert t.value is None and 1 <= len(t.intermediate) < 10
        assert t.intermediate[0] == (0, pytest.approx(t.params["quality"]))
        run = runs[t.run_id]
        assert run.data.tags["slipstream.trial_state"] == "PRUNED"
        history = ss.get_metric_history(t.run_id, "objective")
        assert [(m.step, m.value) for m in history] == [
            (step, pytest.approx(v)) for step, v in t.intermediate]
        node = nodes[t.node_id]
        assert node.status is Status.SUCCEEDED and node.detail["state"] == "PRUNED"
        worker = node.attempts[0].worker
        assert (worker.endswith(f":{os.getpid()}")) == (executor == "inline")
    assert study.best_value == pytest.approx(10.0)


def test_pruning_with_parallel_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two trials in flight on two workers: which of the improving curves the pruner stops
    depends on timing, but the two worse ones are always pruned and the best completes."""
    monkeypatch.setenv("TUNING_STEP_SLEEP", "0.03")
    study = ss.tune(objectives.curve, space={"quality": ss.choice(QUALITIES)},
                    goal="maximize", algorithm="grid", early_stopping="median",
                    max_trials=len(QUALITIES), parallel_trials=2)
    trials = study.trials
    assert [t.state for t in trials[6:]] == ["PRUNED"] * 2
    assert trials[5].state == "COMPLETE" and study.best_value == pytest.approx(10.0)
    assert all(len(t.intermediate) == 10 for t in trials if t.state == "COMPLETE")


@pytest.mark.parametrize("early_stopping", ["successive_halving", "hyperband"])
def test_rung_pruners_prune(early_stopping: str) -> None:
    study = ss.tune(objectives.curve, space={"quality": ss.uniform(0, 1)}, goal="maximize",
                    algorithm="random", early_stopping=early_stopping, max_trials=30, seed=2)
    states = [t.state for t in study.trials]
    assert "PRUNED" in states and "FAIL" not in states and states.count("COMPLETE") >= 1


def test_parallel_trials_in_flight(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """parallel_trials=2 with no executor given: a pool of two workers, never more than two
    trials at once, every trial recorded once."""
    times = tmp_path / "times"
    times.mkdir()
    monkeypatch.setenv("TUNING_TIMES", str(times))
    study = ss.tune(objectives.burn, space={"x": ss.uniform(0, 1)}, algorithm="random",
                    max_trials=6, parallel_trials=2, seed=0)
    assert [t.state for t in study.trials] == ["COMPLETE"] * 6
    spans = sorted(tuple(map(float, f.read_text().split())) for f in times.iterdir())
    assert len(spans) == 6
    pids = {f.name.split("-")[0] for f in times.iterdir()}
    assert len(pids) == 2 and str(os.getpid()) not in pids
    for start, _ in spans:
        assert sum(1 for s, e in spans if s <= start < e) <= 2
    from slipstream.execution.api import default_client

    assert default_client().store.get_execution(study.execution_id).executor == "process:2"


@pytest.mark.postgres
def test_pool_trials_on_postgres(pg_store: str) -> None:
    """Two workers logging runs and reporting values while the tuner writes the study, all
    on one PostgreSQL database."""
    test_median_pruner_prunes_the_worse_curves("process:1")
    study = ss.tune(objectives.quadratic, space={"x": ss.uniform(-5, 5), "y": ss.intrange(0, 3)},
                    max_trials=10, parallel_trials=2, seed=4, name="pg-parallel")
    assert [t.number for t in study.trials] == list(range(10))
    assert all(t.state == "COMPLETE" and t.run_id for t in study.trials)
    assert len(runs_of(study)) == 10
