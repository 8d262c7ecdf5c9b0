"""A run's progress and report, then `slipstream executions list` and `show`."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.helpers import FLOWS, flow, slipstream


def test_run_prints_each_node_then_the_value_and_where_it_was_recorded(
        isolated_home: Path, tmp_path: Path) -> None:
    result = slipstream("run", flow("switchable"), "--x", "1", "--folder", str(tmp_path),
                        home=isolated_home)
    assert result.code == 0, result.err
    assert result.err == ""
    assert result.node_lines() == [("n0", "step", "SUCCEEDED"), ("n1", "step", "SUCCEEDED"),
                                   ("n2", "gate", "SUCCEEDED"), ("n3", "step", "SUCCEEDED")]
    lines = result.out.splitlines()
    assert re.fullmatch(r"Running switchable \(version [0-9a-f]+\) on sqlite:///.+", lines[0])
    assert re.fullmatch(r"SUCCEEDED in [\d.]+ m?s: 31", lines[-2])
    store_url = f"sqlite:///{isolated_home / 'slipstream.db'}"
    execution_id = result.execution_id()
    assert lines[-1] == (f"Recorded as execution {execution_id} in {store_url} "
                         f"(see `slipstream executions show {execution_id}`)")

    listed = slipstream("executions", "list", home=isolated_home)
    assert listed.code == 0
    assert re.search(rf"^ *{execution_id} +switchable +[0-9a-f]{{8}} +SUCCEEDED ", listed.out,
                     re.MULTILINE), listed.out

    shown = slipstream("executions", "show", execution_id[:6], home=isolated_home)
    assert shown.code == 0, shown.err
    assert shown.out.startswith(f"{execution_id}  switchable (version ")
    assert "executor inline" in shown.out
    assert '"x": 1' in shown.out and '"o0": 31' in shown.out
    assert re.search(r"^ *node +task +kind +status +attempts +time +cache *$", shown.out,
                     re.MULTILINE)
    for node, task in [("n0", "step"), ("n1", "step"), ("n2", "gate"), ("n3", "step")]:
        assert re.search(rf"^ *{node} +{task} +task +SUCCEEDED +1 +[\d.]+ m?s +off *$",
                         shown.out, re.MULTILINE), shown.out


def test_list_filters_by_workflow_and_status(isolated_home: Path, tmp_path: Path) -> None:
    ok = slipstream("run", flow("squares"), "--xs", "[1, 2]", home=isolated_home)
    (tmp_path / "broken").touch()
    failed = slipstream("run", flow("switchable"), "--x", "1", "--folder", str(tmp_path),
                        home=isolated_home)
    assert ok.code == 0 and failed.code == 1
    ok_id = ok.execution_id()
    failed_id = re.search(r"Execution (\w+) of workflow", failed.err).group(1)

    everything = slipstream("executions", "list", home=isolated_home).out
    assert ok_id in everything and failed_id in everything
    # newest first
    assert everything.index(failed_id) < everything.index(ok_id)
    by_workflow = slipstream("executions", "list", "--workflow", "squares", home=isolated_home)
    assert ok_id in by_workflow.out and failed_id not in by_workflow.out
    by_status = slipstream("executions", "list", "--status", "failed", home=isolated_home)
    assert failed_id in by_status.out and ok_id not in by_status.out
    assert "FAILED" in by_status.out
    none = slipstream("executions", "list", "--workflow", "typed", home=isolated_home)
    assert none.code == 0 and none.out.strip() == "no executions"

    bad = slipstream("executions", "list", "--status", "done", home=isolated_home)
    assert bad.code == 1 and "Traceback" not in bad.err
    assert bad.err.strip().splitlines() == [
        "error: unknown status 'done'; one of ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', "
        "'TIMED_OUT', 'SKIPPED', 'ABORTED']"]


def test_show_of_a_failed_execution_has_the_error_and_the_users_traceback(
        isolated_home: Path, tmp_path: Path) -> None:
    (tmp_path / "broken").touch()
    failed = slipstream("run", flow("switchable"), "--x", "1", "--folder", str(tmp_path),
                        home=isolated_home)
    failed_id = re.search(r"Execution (\w+) of workflow", failed.err).group(1)

    shown = slipstream("executions", "show", failed_id, home=isolated_home)
    assert shown.code == 0, shown.err
    assert re.search(r"^ *n1 +step +task +SUCCEEDED +1 ", shown.out, re.MULTILINE)
    assert re.search(r"^ *n2 +gate +task +FAILED +1 ", shown.out, re.MULTILINE)
    assert not re.search(r"^ *n3 ", shown.out, re.MULTILINE)  # never started
    assert "outputs:" not in shown.out
    assert ("n2 (gate) FAILED: RuntimeError: the gate is broken (remove the switch file)"
            in shown.out)
    assert f'File "{FLOWS}", line ' in shown.out and ", in gate\n" in shown.out
    assert 'raise RuntimeError("the gate is broken (remove the switch file)")' in shown.out


def test_show_hides_map_items_unless_asked(isolated_home: Path) -> None:
    run = slipstream("run", flow("squares"), "--xs", "[1, 2, 3]", home=isolated_home)
    assert run.code == 0 and run.out.splitlines()[-2].endswith(": 14")
    # progress reports the map node, not its items
    assert run.node_lines() == [("n0", "map_square", "SUCCEEDED"), ("n1", "total", "SUCCEEDED")]
    execution_id = run.execution_id()

    shown = slipstream("executions", "show", execution_id, home=isolated_home)
    assert re.search(r"^ *n0 +map_square +map +SUCCEEDED ", shown.out, re.MULTILINE)
    assert "n0[0]" not in shown.out
    assert "(3 map items hidden; --items lists them)" in shown.out

    with_items = slipstream("executions", "show", execution_id, "--items", home=isolated_home)
    for i in range(3):
        assert re.search(rf"^ *n0\[{i}\] +square +map_item +SUCCEEDED +1 ", with_items.out,
                         re.MULTILINE), with_items.out
    assert "hidden" not in with_items.out


def test_show_of_an_unknown_id_is_a_one_line_error(isolated_home: Path) -> None:
    slipstream("run", flow("squares"), "--xs", "[1]", home=isolated_home)
    for wanted in ("ffffffffffff", "ab"):
        result = slipstream("executions", "show", wanted, home=isolated_home)
        assert result.code == 1 and "Traceback" not in result.err
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: No execution with id")
        assert repr(wanted) in lines[0]


def test_show_names_the_run_each_node_logged_to(isolated_home: Path) -> None:
    result = slipstream("run", flow("tracked"), "--c", "2.0", home=isolated_home)
    assert result.code == 0, result.err
    execution_id = result.execution_id()
    shown = slipstream("executions", "show", execution_id, home=isolated_home)
    assert shown.code == 0, shown.err
    assert re.search(r"^ *node +task +kind +status +attempts +time +cache +run *$", shown.out,
                     re.MULTILINE), shown.out
    logged = re.search(r"^ *n0 +fit +task +SUCCEEDED .* ([0-9a-f]{32}) *$", shown.out, re.MULTILINE)
    assert logged, shown.out
    assert re.search(r"^ *n1 +step +task +SUCCEEDED +1 +[\d.]+ m?s +off *$", shown.out,
                     re.MULTILINE), shown.out

    from slipstream._core.settings import Settings
    from slipstream.tracking.client import TrackingClient

    client = TrackingClient.from_settings(Settings.load(home=isolated_home))
    try:
        run = client.get_run(logged.group(1))
    finally:
        client.close()
    assert (run.info.execution_id, run.info.node_id) == (execution_id, "n0")
    assert run.data.params == {"C": "2.0"} and run.data.metric_values == {"acc": 0.7}


def test_logs_prints_what_a_node_wrote(isolated_home: Path) -> None:
    ran = slipstream("run", flow("loud"), "--word", "ho", home=isolated_home)
    assert ran.code == 0, ran.err
    assert "shouting ho\n" in ran.out and "ho is loud\n" in ran.err  # still shown as it ran
    execution_id = ran.execution_id()
    logs = slipstream("executions", "logs", execution_id[:6], "n0", home=isolated_home)
    assert logs.code == 0, logs.err
    first, second = logs.out.splitlines()
    assert first == "shouting ho"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d [\d:,]+ WARNING cli_flows: ho is loud", second)
    assert slipstream("executions", "logs", execution_id, "n0", "--attempt", "1",
                      home=isolated_home).out == logs.out
    missing = slipstream("executions", "logs", execution_id, "n0", "--attempt", "2",
                         home=isolated_home)
    assert missing.code == 1 and missing.out == ""
    assert f"node n0 (shout) of execution {execution_id} has no attempt 2" in missing.err
    unknown = slipstream("executions", "logs", execution_id, "n1", home=isolated_home)
    assert unknown.code == 1 and "has no node 'n1'; its nodes are n0." in unknown.err
