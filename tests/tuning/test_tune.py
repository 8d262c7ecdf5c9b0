"""ss.tune end to end on the real stores (SQLite under SLIPSTREAM_HOME): trials are node
executions of the study's execution and child runs of its run; the samplers are Optuna's and
take the seed; objectives' results become metrics or failed trials."""

from __future__ import annotations

import math

import pytest

import slipstream as ss
from slipstream.entities import Status
from tests.tuning import objectives
from tests.tuning.helpers import nodes_of, numbers, runs_of

SPACE = {"x": ss.uniform(-5, 5), "y": ss.intrange(0, 3)}


def test_a_study_records_trials_nodes_and_runs() -> None:
    study = ss.tune(objectives.quadratic, space=SPACE, max_trials=12, seed=3, name="quad")
    assert study.status == "COMPLETED"
    trials = study.trials
    assert numbers(study) == list(range(12))
    assert all(t.state == "COMPLETE" for t in trials)
    for t in trials:
        assert t.value == pytest.approx((t.params["x"] - 1) ** 2 + t.params["y"])
        assert t.metrics == {"objective": t.value}
    best = min(trials, key=lambda t: t.value or 0)
    assert study.best_value == best.value and study.best_params == best.params
    assert study.best_trial is not None and study.best_trial.number == best.number

    nodes = nodes_of(study)
    assert sorted(nodes) == sorted(f"trial-{n}" for n in range(12))
    for t in trials:
        node = nodes[t.node_id]
        assert node.status is Status.SUCCEEDED and node.kind == "task"
        assert node.inputs == t.params
        assert node.outputs is not None and node.outputs["metrics"] == t.metrics
    from slipstream.execution.api import default_client

    execution = default_client().store.get_execution(study.execution_id)
    assert execution.workflow_name == "tune:quad" and execution.status is Status.SUCCEEDED

    runs = runs_of(study)
    assert sorted(runs) == sorted(t.run_id for t in trials)
    for t in trials:
        run = runs[t.run_id]
        assert run.info.parent_run_id == study.parent_run_id
        assert (run.info.execution_id, run.info.node_id) == (study.execution_id, t.node_id)
        assert run.data.params == {k: str(v) for k, v in t.params.items()}
        assert {m.key: m.value for m in run.data.metrics} == {"objective": t.value}
        assert run.info.status == "FINISHED"
    parent = ss.get_run(study.parent_run_id)
    assert parent.info.run_name == "quad" and parent.info.status == "FINISHED"
    assert {m.key: m.value for m in parent.data.metrics} == {"objective": study.best_value}

    frame = study.trials_dataframe()
    assert list(frame["number"]) == list(range(12))
    assert {"value", "state", "params_x", "params_y", "duration", "run_id"} <= set(frame.columns)


def test_a_task_taking_a_params_dict_returning_metrics() -> None:
    study = ss.tune(objectives.scored, space={"C": ss.loguniform(1e-3, 1.0),
                                              "penalty": ss.choice(["l1", "l2"])},
                    objective="accuracy", goal="maximize", algorithm="random", max_trials=8,
                    seed=0)
    trials = study.trials
    assert all(t.state == "COMPLETE" for t in trials)
    for t in trials:
        assert set(t.metrics) == {"accuracy", "loss"}  # NaN metrics are left out
        assert t.value == t.metrics["accuracy"]
    assert study.best_value == max(t.value or 0 for t in trials)
    assert nodes_of(study)["trial-0"].task_version == objectives.scored.version


@pytest.mark.parametrize("algorithm", ["random", "tpe", "qmc", "cmaes"])
def test_seeds_pass_through(algorithm: str) -> None:
    def params(name: str) -> list[dict[str, object]]:
        study = ss.tune(objectives.quadratic, space=SPACE, algorithm=algorithm, max_trials=6,
                        seed=7, name=name)
        return [t.params for t in study.trials]

    first = params(f"{algorithm}-a")
    assert first == params(f"{algorithm}-b")
    assert len({tuple(p.items()) for p in first}) == 6


def test_gp_runs() -> None:
    study = ss.tune(objectives.quadratic, space=SPACE, algorithm="gp", max_trials=3, seed=1)
    assert [t.state for t in study.trials] == ["COMPLETE"] * 3


def test_grid_tries_every_point_once_and_stops() -> None:
    space = {"x": ss.choice([0.0, 1.0, 2.0]), "y": ss.intrange(0, 3)}
    study = ss.tune(objectives.quadratic, space=space, algorithm="grid", max_trials=20)
    points = [(t.params["x"], t.params["y"]) for t in study.trials]
    assert sorted(points) == sorted((x, y) for x in (0.0, 1.0, 2.0) for y in range(4))
    assert study.status == "COMPLETED" and study.best_value == 0.0


@pytest.mark.parametrize(("how", "words"), [
    ("raise", "ValueError: bad x"),
    ("none", "returned None"),
    ("nan", "is nan, not a finite number"),
    ("missing", "returned metrics 'other' but not 'objective'"),
])
def test_failed_trials_stop_the_study(how: str, words: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from slipstream.tuning.tuner import StudyFailedError

    monkeypatch.setenv("TUNING_FAIL", how)
    with pytest.raises(StudyFailedError, match=r"3 trials failed \(max_failed_trials=3\)") as err:
        ss.tune(objectives.flaky, space={"x": ss.uniform(0, 1)}, max_trials=10,
                max_failed_trials=3, name=f"flaky-{how}")
    study = err.value.study  # type: ignore[attr-defined]
    assert study.status == "FAILED"
    trials = study.trials
    assert [t.state for t in trials] == ["FAIL"] * 3
    assert all(words in t.error for t in trials)
    nodes = nodes_of(study)
    assert all(nodes[t.node_id].status is Status.FAILED for t in trials)
    runs = runs_of(study)
    assert all(runs[t.run_id].info.status == "FAILED" for t in trials)
    assert words in str(err.value)


def test_no_failure_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNING_FAIL", "nan")
    study = ss.tune(objectives.flaky, space={"x": ss.uniform(0, 1)}, max_trials=6,
                    max_failed_trials=None, algorithm="random")
    assert study.status == "COMPLETED" and study.best_value is None
    assert [t.state for t in study.trials] == ["FAIL"] * 6


def test_report_outside_a_trial() -> None:
    """An objective called as plain Python reports into nothing (its arguments are checked)."""
    from slipstream._core.errors import InvalidInputError

    assert objectives.curve(0.5) == 5.0
    with pytest.raises(InvalidInputError, match="finite"):
        ss.report(0, math.nan)


def test_suggest() -> None:
    space = {"C": ss.loguniform(1e-4, 1e2), "penalty": ss.choice(["l1", "l2"])}
    drawn = ss.suggest(space, 5, seed=3)
    assert drawn == ss.suggest(space, 5, seed=3)
    assert len(drawn) == 5 and all(1e-4 <= p["C"] <= 1e2 for p in drawn)
    assert ss.suggest({"a": ss.choice([1, 2]), "b": ss.choice(["u", "v"])}, 4,
                      algorithm="grid") == [{"a": 1, "b": "u"}, {"a": 1, "b": "v"},
                                            {"a": 2, "b": "u"}, {"a": 2, "b": "v"}]
    assert not math.isnan(ss.suggest(space, 1, algorithm="qmc", seed=1)[0]["C"])


def test_import_slipstream_does_not_import_optuna() -> None:
    import subprocess
    import sys

    code = ("import sys, slipstream as ss; ss.report; ss.TrialPruned; ss.tune; "
            "print('optuna' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_an_executor_object() -> None:
    from slipstream.execution.executor import InlineExecutor
    from slipstream.execution.process import ProcessExecutor

    for executor in (InlineExecutor(), ProcessExecutor(1)):
        study = ss.tune(objectives.quadratic, space=SPACE, max_trials=3, executor=executor,
                        algorithm="random", seed=0)
        assert [t.state for t in study.trials] == ["COMPLETE"] * 3
        from slipstream.execution.api import default_client

        assert default_client().store.get_execution(study.execution_id).executor == \
            executor.name


def test_algorithm_settings_reach_the_sampler_and_stay_with_the_study() -> None:
    """TPE with more random start-up trials than the study has trials samples exactly as
    random search with the same seed does; the settings are stored for resume."""
    tpe = ss.tune(objectives.quadratic, space=SPACE, max_trials=6, seed=4, name="startup",
                  algorithm_settings={"n_startup_trials": 50, "n_ei_candidates": 8})
    random = ss.tune(objectives.quadratic, space=SPACE, max_trials=6, seed=4, name="random",
                     algorithm="random")
    assert [t.params for t in tpe.trials] == [t.params for t in random.trials]
    assert tpe.record.settings["algorithm_settings"] == {"n_startup_trials": 50,
                                                         "n_ei_candidates": 8}
    resumed = ss.resume_study("startup", max_trials=8)
    assert numbers(resumed) == list(range(8))
    assert ss.suggest(SPACE, 3, algorithm="qmc", seed=1,
                      algorithm_settings={"qmc_type": "halton"}) != ss.suggest(
        SPACE, 3, algorithm="qmc", seed=1)


def _trial_runs(study: object) -> list[object]:
    return sorted(runs_of(study).values(), key=lambda r: r.info.run_name)  # type: ignore[attr-defined]


def test_trial_runs_are_the_same_written_with_the_trial_or_by_the_task(
        tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tuner writes a trial's run with the trial when the tracking store is the study
    store's database; tracking elsewhere, the trial's task writes it: the same runs either way."""
    together = ss.tune(objectives.quadratic, space=SPACE, max_trials=3, seed=2, name="together")
    written_together = _trial_runs(together)
    monkeypatch.setenv("SLIPSTREAM_TRACKING_URI", f"sqlite:///{tmp_path}/tracking.db")
    apart = ss.tune(objectives.quadratic, space=SPACE, max_trials=3, seed=2, name="apart")
    assert [t.params for t in apart.trials] == [t.params for t in together.trials]
    assert [t.run_id for t in apart.trials] == [r.info.run_id for r in _trial_runs(apart)]
    pairs = list(zip(written_together, _trial_runs(apart), strict=True))
    assert len(pairs) == 3
    for mine, theirs in pairs:
        for run in (mine, theirs):
            assert run.info.status == "FINISHED"  # type: ignore[attr-defined]
        assert mine.info.run_name == theirs.info.run_name  # type: ignore[attr-defined]
        assert mine.data.params == theirs.data.params  # type: ignore[attr-defined]
        assert mine.data.metric_values == theirs.data.metric_values  # type: ignore[attr-defined]
        tags, other = mine.data.tags, theirs.data.tags  # type: ignore[attr-defined]
        assert set(tags) == set(other)
        for key in ("slipstream.trial_number", "slipstream.trial_state", "mlflow.user",
                    "mlflow.source.name", "slipstream.node_id"):
            assert tags[key] == other[key]


def test_a_trial_whose_run_was_deleted_keeps_its_outcome(caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    study = ss.tune(objectives.deletes_its_run, space={"x": ss.uniform(0, 1)}, max_trials=2,
                    seed=0, name="deleted")
    assert study.status == "COMPLETED"
    assert [t.state for t in study.trials] == ["COMPLETE", "COMPLETE"]
    assert [t.value for t in study.trials] == [t.params["x"] for t in study.trials]
    assert "could not be ended" in caplog.text


@pytest.mark.parametrize("executor", ["inline", "process:2"])
def test_what_the_objective_logs_goes_to_its_trial_run(executor: str) -> None:
    study = ss.tune(objectives.logs_itself, space={"x": ss.uniform(0, 1)}, max_trials=3,
                    seed=0, name=f"logs-{executor[:7]}", executor=executor, parallel_trials=2)
    assert study.status == "COMPLETED"
    runs = runs_of(study)
    for t in study.trials:
        run = runs[t.run_id]
        assert run.info.status == "FINISHED"
        assert run.data.metric_values == {"half": t.params["x"] / 2, "objective": t.value}
        assert run.data.params == {"x": str(t.params["x"]), "note": "own"}
        assert run.data.tags["mine"] == "yes"
        assert run.data.tags["slipstream.trial_state"] == "COMPLETE"
