"""`slipstream tune …` run as a user runs it (a subprocess, not a TTY: one line per finished
trial), on tests/cli/tune_objectives.py and tests/cli/tune_space.yaml: a study and what
list / show / delete say of it, metrics dicts, parallel trials, failures, bad input as one line,
and resume after the tuner is killed or interrupted, with no trial lost or repeated."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from slipstream.entities.studies import Study, Trial
from tests.cli.helpers import SLIPSTREAM, Result, slipstream

HERE = Path(__file__).resolve().parent
OBJECTIVES = HERE / "tune_objectives.py"
SPACE = HERE / "tune_space.yaml"


def objective(name: str) -> str:
    return f"{OBJECTIVES}:{name}"


def trial_lines(result: Result) -> list[tuple[int, str, str]]:
    """(number, state, the rest) of every per-trial progress line, in print order."""
    return [(int(m.group(1)), m.group(2), m.group(3)) for m in
            re.finditer(r"^  trial (\d+) +([A-Z]+) ?(.*)$", result.out, re.MULTILINE)]


def stored(home: Path, study: str) -> tuple[Study, list[Trial]]:
    """(the study, its trials) as the store under `home` holds them."""
    from slipstream.metadata.factory import open_study_store

    store = open_study_store(f"sqlite:///{home / 'slipstream.db'}")
    try:
        found = store.get_study(study)
        return found, store.list_trials(found.study_id)
    finally:
        store.close()  # type: ignore[attr-defined]


def studies(home: Path) -> list[str]:
    if not (home / "slipstream.db").exists():
        return []
    from slipstream.metadata.factory import open_study_store

    store = open_study_store(f"sqlite:///{home / 'slipstream.db'}")
    try:
        return [s.name for s in store.list_studies()]
    finally:
        store.close()  # type: ignore[attr-defined]


def test_a_study_then_list_show_and_delete(isolated_home: Path) -> None:
    result = slipstream("tune", objective("quadratic"), "--space", str(SPACE), "--trials", "6",
                        "--seed", "3", "--name", "quad", home=isolated_home)
    assert result.code == 0, result.err
    assert result.out.startswith(f"Tuning {objective('quadratic')} as study quad\n")
    lines = trial_lines(result)
    assert sorted(n for n, _, _ in lines) == list(range(6))
    assert {state for _, state, _ in lines} == {"COMPLETE"}
    study, trials = stored(isolated_home, "quad")
    assert study.status == "COMPLETED" and len(trials) == 6
    best = min(trials, key=lambda t: t.value)
    # each line shows the trial's value and params, and the best so far
    first = next(rest for n, _, rest in lines if n == 0)
    t0 = trials[0]
    assert first.startswith(f"objective={t0.value:.6g}  x={t0.params['x']:.6g}, "
                            f"y={t0.params['y']}  (best ")
    assert f"Study quad ({study.study_id}) COMPLETED: 6 trials: 6 complete, 0 pruned, "  \
        "0 failed\n" in result.out
    assert (f"Best objective {best.value:.6g} (minimize) at trial {best.number}: "
            f"x={best.params['x']:.6g}, y={best.params['y']}\n") in result.out

    listed = slipstream("tune", "list", home=isolated_home)
    assert listed.code == 0, listed.err
    assert re.search(rf"^quad +{study.study_id} +COMPLETED +6/6 +{best.value:.6g} +"
                     r"objective \(minimize\) +tpe/none ", listed.out, re.MULTILINE), listed.out

    shown = slipstream("tune", "show", "quad", home=isolated_home)
    assert shown.code == 0, shown.err
    assert shown.out.startswith(f"quad  {study.study_id}  COMPLETED  created ")
    assert "space: x=uniform(-10.0, 10.0), y=intrange(-10, 10)\n" in shown.out
    assert f"task: {OBJECTIVES}:quadratic\n" in shown.out
    for t in trials:
        assert re.search(rf"^{t.number} +COMPLETE +{re.escape(f'{t.value:.6g}')} +"
                         rf"{re.escape(format(t.params['x'], '.6g'))} +{t.params['y']} ",
                         shown.out, re.MULTILINE), shown.out
    by_id = slipstream("tune", "show", study.study_id, home=isolated_home)
    assert by_id.code == 0 and by_id.out == shown.out

    again = slipstream("tune", objective("quadratic"), "--space", str(SPACE), "--name", "quad",
                       home=isolated_home)
    assert again.code == 1 and "Traceback" not in again.err
    assert again.err.startswith("error: a study named 'quad' exists already")

    deleted = slipstream("tune", "delete", "quad", home=isolated_home)
    assert deleted.code == 0, deleted.err
    assert deleted.out == f"Deleted study quad ({study.study_id})\n"
    assert slipstream("tune", "list", home=isolated_home).out == "No studies\n"
    gone = slipstream("tune", "show", "quad", home=isolated_home)
    assert gone.code == 1 and gone.err.count("\n") == 1 and gone.err.startswith("error: ")


def test_a_dict_of_metrics_maximized_with_random_search(isolated_home: Path,
                                                         tmp_path: Path) -> None:
    space = tmp_path / "space.json"  # JSON works as YAML does
    space.write_text(json.dumps({"x": {"uniform": [0, 1]}, "penalty": ["l1", "l2"]}))
    result = slipstream("tune", "run", objective("scored"), "--space", str(space), "--trials",
                        "5", "--objective", "accuracy", "--goal", "maximize", "--algorithm",
                        "random", "--seed", "0", "--name", "acc", home=isolated_home)
    assert result.code == 0, result.err
    study, trials = stored(isolated_home, "acc")
    assert (study.objective, study.direction, study.algorithm) == (
        "accuracy", "maximize", "random")
    best = max(trials, key=lambda t: t.value)
    assert set(best.metrics) == {"accuracy", "loss"}
    assert f"Best accuracy {best.value:.6g} (maximize) at trial {best.number}: " in result.out
    assert len(trial_lines(result)) == 5


def test_parallel_trials_on_the_process_pool(isolated_home: Path) -> None:
    result = slipstream("tune", objective("quadratic"), "--space", str(SPACE), "--trials", "4",
                        "--parallel", "2", "--name", "par", home=isolated_home, timeout=180)
    assert result.code == 0, result.err
    study, trials = stored(isolated_home, "par")
    assert study.parallel_trials == 2
    assert [t.number for t in trials] == [0, 1, 2, 3]
    assert all(t.state == "COMPLETE" and t.run_id for t in trials)
    assert sorted(n for n, _, _ in trial_lines(result)) == [0, 1, 2, 3]


def test_early_stopping_prunes_trials_and_counts_them(isolated_home: Path) -> None:
    result = slipstream("tune", objective("curve"), "--space", str(SPACE), "--trials", "12",
                        "--early-stopping", "median", "--seed", "0", "--name", "pruned",
                        home=isolated_home)
    assert result.code == 0, result.err
    study, trials = stored(isolated_home, "pruned")
    pruned = [t.number for t in trials if t.state == "PRUNED"]
    assert pruned and len(pruned) < 12 - 5  # the median pruner starts after 5 trials
    assert sorted(n for n, state, _ in trial_lines(result) if state == "PRUNED") == pruned
    complete = 12 - len(pruned)
    assert (f"Study pruned ({study.study_id}) COMPLETED: 12 trials: {complete} complete, "
            f"{len(pruned)} pruned, 0 failed\n") in result.out
    shown = slipstream("tune", "show", "pruned", home=isolated_home)
    assert "early stopping median" in shown.out
    for trial in trials:  # the steps each trial reported before it ended
        state = "PRUNED" if trial.number in pruned else "COMPLETE"
        assert re.search(rf"^{trial.number} +{state} .* {len(trial.intermediate)} +[\d.]+ s ",
                         shown.out, re.MULTILINE), shown.out


def test_resume_raises_the_budget_of_a_finished_study(isolated_home: Path) -> None:
    first = slipstream("tune", objective("quadratic"), "--space", str(SPACE), "--trials", "3",
                       "--seed", "2", "--name", "more", home=isolated_home)
    assert first.code == 0, first.err
    more = slipstream("tune", "resume", "more", "--trials", "5", home=isolated_home)
    assert more.code == 0, more.err
    assert more.out.startswith("Resuming study more (")
    assert ", COMPLETED, 3 trials recorded)\n" in more.out.splitlines(keepends=True)[0]
    assert [n for n, _, _ in trial_lines(more)] == [3, 4]
    study, trials = stored(isolated_home, "more")
    assert study.status == "COMPLETED" and [t.number for t in trials] == [0, 1, 2, 3, 4]


def test_failed_trials_stop_the_study(isolated_home: Path) -> None:
    result = slipstream("tune", objective("fails_above_zero"), "--space", str(SPACE),
                        "--trials", "30", "--max-failed", "2", "--seed", "1", "--name", "bad",
                        home=isolated_home)
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.startswith("error: study 'bad' stopped: 2 trials failed")
    study, trials = stored(isolated_home, "bad")
    assert study.status == "FAILED"
    failed = [t for t in trials if t.state == "FAIL"]
    assert len(failed) == 2
    assert re.search(r"^Study bad \(\w+\) FAILED: \d+ trials: \d+ complete, 0 pruned, 2 failed$",
                     result.out, re.MULTILINE), result.out
    for trial in failed:
        line = next(rest for n, state, rest in trial_lines(result) if n == trial.number)
        assert f"ValueError: x={trial.params['x']} is above zero" in line


@pytest.mark.parametrize(("args", "space", "message"), [
    pytest.param(["--trials", "3"], None, "error: cannot read the search space file ",
                 id="no-space-file"),
    pytest.param([], "x: {unifrom: [0, 1]}\n", "error: search space parameter 'x': unknown "
                 "distribution 'unifrom'", id="unknown-distribution"),
    pytest.param([], "x: {uniform: [0, 1]}\ny: {intrange: [1, 3]}\nz: [a, b]\n",
                 "error: the objective 'quadratic' takes (x, y) but the search space has "
                 "(x, y, z)", id="not-a-parameter"),
    pytest.param(["--algorithm", "tpx"], SPACE.read_text(),
                 "error: unknown algorithm 'tpx': use one of ", id="unknown-algorithm"),
    pytest.param(["--algorithm", "grid", "--trials", "10"],
                 "x: {uniform: [0, 1], step: 0.25}\ny: {intrange: [1, 3]}\n",
                 "error: the grid has 15 points but max_trials is 10", id="grid-too-large"),
    pytest.param(["--goal", "max"], SPACE.read_text(), "error: unknown goal 'max'",
                 id="unknown-goal"),
])
def test_bad_input_is_one_line_and_runs_nothing(args: list[str], space: str | None,
                                                message: str, isolated_home: Path,
                                                tmp_path: Path) -> None:
    path = tmp_path / "space.yaml"
    if space is not None:
        path.write_text(space)
    result = slipstream("tune", objective("quadratic"), "--space", str(path), *args,
                        home=isolated_home)
    assert result.code == 1, result.out
    assert "Traceback" not in result.err and result.err.count("\n") == 1, result.err
    assert result.err.startswith(message), result.err
    assert studies(isolated_home) == []


@pytest.mark.parametrize(("argv", "message"), [
    pytest.param(["tune", str(HERE / "missing.py:f"), "--space", str(SPACE)],
                 f"error: no such file: {HERE / 'missing.py'}", id="no-such-file"),
    pytest.param(["tune", objective("quadratik"), "--space", str(SPACE)],
                 f"error: {OBJECTIVES} has no 'quadratik'.", id="no-such-task"),
    pytest.param(["tune", "resume", "nothing"], "error: ", id="resume-unknown"),
    pytest.param(["tune", "delete", "nothing"], "error: ", id="delete-unknown"),
])
def test_unknown_targets_and_studies(argv: list[str], message: str,
                                     isolated_home: Path) -> None:
    result = slipstream(*argv, home=isolated_home)
    assert result.code == 1, result.out
    assert "Traceback" not in result.err and result.err.count("\n") == 1, result.err
    assert result.err.startswith(message), result.err


@pytest.mark.parametrize(("argv", "message"), [
    pytest.param(["tune", "lst"], "Error: No such command 'lst'. Did you mean 'list'?",
                 id="did-you-mean"),
    pytest.param(["tune", objective("quadratic")], "Error: Missing option '--space'.",
                 id="no-space"),
    pytest.param(["tune", objective("quadratic"), "--space", str(SPACE), "--trials", "many"],
                 "Error: Invalid value for '--trials': ", id="not-a-number"),
])
def test_usage_errors_show_the_usage_and_exit_2(argv: list[str], message: str,
                                                isolated_home: Path) -> None:
    result = slipstream(*argv, home=isolated_home)
    assert result.code == 2 and "Traceback" not in result.err, result.err
    assert result.err.startswith("Usage: slipstream tune ")
    assert message in result.err
    assert studies(isolated_home) == []


def _start_slow(home: Path, name: str, log: Path, trials: int) -> subprocess.Popen[str]:
    env = {**os.environ, "SLIPSTREAM_HOME": str(home), "TUNE_TEST_SLEEP": "0.3",
           "TUNE_TEST_LOG": str(log)}
    env.pop("COLUMNS", None)
    return subprocess.Popen([str(SLIPSTREAM), "tune", objective("slow"), "--space", str(SPACE),
                             "--trials", str(trials), "--seed", "7", "--name", name],
                            cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_for_complete(home: Path, name: str, count: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            _, trials = stored(home, name)
        except Exception:  # not created yet
            trials = []
        if sum(t.state == "COMPLETE" for t in trials) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} trials finished in 120 s")


def _resume_and_check(home: Path, name: str, log: Path, trials: int,
                      before: list[Trial]) -> Result:
    """Resume the study; every trial 0..trials-1 exactly once, those finished before unchanged,
    those left RUNNING run again with their own params; each call of the objective is one
    trial, except the re-runs of the trials that were running when the tuner stopped."""
    result = slipstream("tune", "resume", name, home=home, env={"TUNE_TEST_LOG": str(log)},
                        timeout=180)
    assert result.code == 0, result.err
    study, after = stored(home, name)
    assert study.status == "COMPLETED"
    assert [t.number for t in after] == list(range(trials))
    assert all(t.state == "COMPLETE" for t in after)
    by_number = {t.number: t for t in after}
    rerun = [t for t in before if t.state == "RUNNING"]
    for old in before:
        new = by_number[old.number]
        assert new.params == old.params
        if old.state == "COMPLETE":
            assert (new.value, new.ended_at) == (old.value, old.ended_at)
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(calls) == trials + len(rerun)
    assert sorted(json.dumps(c, sort_keys=True) for c in calls) == sorted(
        [json.dumps(t.params, sort_keys=True) for t in after]
        + [json.dumps(t.params, sort_keys=True) for t in rerun])
    ended_before = {t.number for t in before if t.state != "RUNNING"}
    assert sorted(n for n, _, _ in trial_lines(result)) == [  # a line for each trial run now
        n for n in range(trials) if n not in ended_before]
    assert result.out.startswith(f"Resuming study {name} ({study.study_id}, ")
    assert re.search(rf"^Study {name} \(\w+\) COMPLETED: {trials} trials: {trials} complete",
                     result.out, re.MULTILINE), result.out
    return result


def test_resume_after_the_tuner_is_killed(isolated_home: Path, tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    proc = _start_slow(isolated_home, "killed", log, trials=8)
    try:
        _wait_for_complete(isolated_home, "killed", 3, proc)
    finally:
        proc.kill()
        proc.communicate()
    study, before = stored(isolated_home, "killed")
    assert study.status == "RUNNING"  # nobody could record the kill
    assert 3 <= len(before) < 8
    result = _resume_and_check(isolated_home, "killed", log, 8, before)
    assert f"RUNNING, {len(before)} trials recorded)" in result.out.splitlines()[0]


def test_resume_after_ctrl_c(isolated_home: Path, tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    proc = _start_slow(isolated_home, "stopped", log, trials=6)
    try:
        _wait_for_complete(isolated_home, "stopped", 2, proc)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Study stopped stopped: `slipstream tune resume stopped` continues it\n" in err
    assert err.rstrip().endswith("interrupted") and "Traceback" not in err
    study, before = stored(isolated_home, "stopped")
    assert study.status == "INTERRUPTED"
    _resume_and_check(isolated_home, "stopped", log, 6, before)
