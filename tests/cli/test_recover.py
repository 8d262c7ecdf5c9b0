"""A failing workflow from the command line, then `slipstream recover` once the cause is fixed."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.helpers import flow, slipstream


def test_failing_run_then_recover(isolated_home: Path, tmp_path: Path) -> None:
    switch = tmp_path / "broken"
    switch.touch()
    failed = slipstream("run", flow("switchable"), "--x", "1", "--folder", str(tmp_path),
                        home=isolated_home)
    assert failed.code == 1
    assert failed.node_lines() == [("n0", "step", "SUCCEEDED"), ("n1", "step", "SUCCEEDED"),
                                   ("n2", "gate", "FAILED")]
    assert "Recorded as execution" not in failed.out
    found = re.search(r"^Execution (\w+) of workflow 'switchable' failed at node n2 \(gate\): "
                      r"RuntimeError: the gate is broken \(remove the switch file\)$",
                      failed.err, re.MULTILINE)
    assert found, failed.err
    old_id = found.group(1)
    assert f"`slipstream recover {old_id}`" in failed.err
    assert "[red]" not in failed.err and "[/]" not in failed.err

    switch.unlink()  # fix the cause
    recovered = slipstream("recover", old_id[:8], home=isolated_home)
    assert recovered.code == 0, recovered.err
    assert recovered.out.startswith(f"Recovering execution {old_id} (switchable, FAILED)\n")
    assert recovered.node_lines() == [("n0", "step", "RECOVERED"), ("n1", "step", "RECOVERED"),
                                      ("n2", "gate", "SUCCEEDED"), ("n3", "step", "SUCCEEDED")]
    assert re.search(r"^SUCCEEDED in [\d.]+ m?s: 31$", recovered.out, re.MULTILINE)
    new_id = recovered.execution_id()
    assert new_id != old_id

    shown = slipstream("executions", "show", new_id, home=isolated_home)
    assert f", recovers {old_id}" in shown.out
    assert re.search(r"^ *n0 +step +task +RECOVERED +[\d.]+ m?s +recovered *$", shown.out,
                     re.MULTILINE), shown.out
    assert re.search(r"^ *n1 +step +task +RECOVERED +[\d.]+ m?s +recovered *$", shown.out,
                     re.MULTILINE)
    assert re.search(r"^ *n2 +gate +task +SUCCEEDED +1 +[\d.]+ m?s +off *$", shown.out,
                     re.MULTILINE)
    assert re.search(r"^ *n3 +step +task +SUCCEEDED +1 +[\d.]+ m?s +off *$", shown.out,
                     re.MULTILINE)
    # the failed execution keeps its record
    old = slipstream("executions", "show", old_id, home=isolated_home)
    assert re.search(rf"^{old_id}  switchable .*FAILED", old.out)

    again = slipstream("recover", new_id, home=isolated_home)
    assert again.code == 1 and "Traceback" not in again.err
    assert again.err.strip() == f"error: execution {new_id} succeeded; there is nothing to recover"
