"""Studies survive their tuner: Ctrl-C leaves in-flight trials RUNNING and the study
INTERRUPTED; a tuner killed with SIGKILL leaves the same; `resume_study` re-runs those trials
with their own numbers and parameters and finishes the budget, no trial lost or repeated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import slipstream as ss
from slipstream._core.errors import NotFoundError
from slipstream.entities import Status
from tests.tuning import objectives
from tests.tuning.helpers import nodes_of, numbers

SPACE = {"x": ss.uniform(-5, 5), "y": ss.intrange(0, 3)}
REPO = Path(__file__).resolve().parents[2]


def test_ctrl_c_then_resume(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNING_INTERRUPT_AT", "3")
    monkeypatch.setenv("TUNING_MARKER", str(scratch / "interrupted"))
    with pytest.raises(KeyboardInterrupt):
        ss.tune(objectives.slow, space=SPACE, max_trials=8, seed=5, name="ctrl-c")
    from slipstream.tuning.api import study_store

    store = study_store()
    stopped = store.get_study("ctrl-c")
    assert stopped.status == "INTERRUPTED"
    before = store.list_trials(stopped.study_id)
    assert [(t.number, t.state) for t in before] == [
        (0, "COMPLETE"), (1, "COMPLETE"), (2, "COMPLETE"), (3, "RUNNING")]
    assert ss.get_run(stopped.parent_run_id).info.status == "KILLED"

    study = ss.resume_study("ctrl-c")
    assert study.status == "COMPLETED"
    trials = study.trials
    assert numbers(study) == list(range(8))
    assert all(t.state == "COMPLETE" for t in trials)
    assert [t.params for t in trials[:4]] == [t.params for t in before]
    assert nodes_of(study)["trial-3"].status is Status.SUCCEEDED
    assert ss.get_run(study.parent_run_id).info.status == "FINISHED"
    assert ss.get_run(trials[3].run_id).info.status == "FINISHED"


def test_resume_raises_the_budget() -> None:
    ss.tune(objectives.quadratic, space=SPACE, max_trials=4, seed=1, name="more")
    study = ss.resume_study("more", max_trials=7)
    assert study.status == "COMPLETED" and numbers(study) == list(range(7))
    assert ss.resume_study(study.study_id).trials == study.trials  # nothing left to do


_SCRIPT = textwrap.dedent("""
    import slipstream as ss
    from tests.tuning import objectives

    ss.tune(objectives.slow, space={"x": ss.uniform(-5, 5), "y": ss.intrange(0, 3)},
            max_trials=12, parallel_trials=PARALLEL, seed=11, name="killed")
""")


def _kill_mid_study(tmp_path: Path, parallel: int, sig: int = signal.SIGKILL
                    ) -> list[object]:
    """Run the study in a subprocess, send `sig` to it and its workers (SIGINT: Ctrl-C in
    its terminal) once 4 trials finished and another runs; the trials as the store has them
    then."""
    from slipstream.tuning.api import study_store

    script = tmp_path / "study.py"
    script.write_text(_SCRIPT.replace("PARALLEL", str(parallel)))
    env = {**os.environ, "PYTHONPATH": str(REPO), "TUNING_SLEEP": "0.3"}
    proc = subprocess.Popen([sys.executable, str(script)], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    store = study_store()
    deadline = time.time() + 120
    try:
        while time.time() < deadline:
            try:
                trials = store.list_trials(store.get_study("killed").study_id,
                                           intermediate=False)
            except NotFoundError:
                trials = []
            if sum(t.state == "COMPLETE" for t in trials) >= 4 and any(
                    t.state == "RUNNING" for t in trials):
                break
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            time.sleep(0.05)
        else:
            pytest.fail("the study did not get going")
    finally:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if sig == signal.SIGINT:
        assert store.get_study("killed").status == "INTERRUPTED"
        assert proc.returncode != 0
    return store.list_trials(store.get_study("killed").study_id)


def _resume_completes(before: list[object]) -> None:
    running = [t for t in before if t.state == "RUNNING"]  # type: ignore[attr-defined]
    assert running, "the kill should leave a trial in flight"
    study = ss.resume_study("killed")
    assert study.status == "COMPLETED"
    trials = study.trials
    assert numbers(study) == list(range(12))
    assert all(t.state == "COMPLETE" for t in trials)
    by_number = {t.number: t for t in trials}
    for old in before:
        assert by_number[old.number].params == old.params  # type: ignore[attr-defined]
    assert sorted(nodes_of(study)) == sorted(f"trial-{n}" for n in range(12))
    assert {n.node_id: n.status for n in nodes_of(study).values()} == {
        f"trial-{n}": Status.SUCCEEDED for n in range(12)}


def test_sigkill_then_resume(tmp_path: Path) -> None:
    _resume_completes(_kill_mid_study(tmp_path, parallel=2))


def test_ctrl_c_on_a_pool_then_resume(tmp_path: Path) -> None:
    """SIGINT to the tuner and its workers (Ctrl-C): trials in flight stay RUNNING."""
    _resume_completes(_kill_mid_study(tmp_path, parallel=2, sig=signal.SIGINT))


@pytest.mark.postgres
def test_sigkill_then_resume_on_postgres(tmp_path: Path, pg_store: str) -> None:
    _resume_completes(_kill_mid_study(tmp_path, parallel=1))
