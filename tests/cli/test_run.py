"""`slipstream run FILE.py:WORKFLOW --input value ...`: inputs parsed from the type hints, and
every user mistake reported as one line, exit 1, no traceback and nothing recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import FLOWS, flow, recorded, slipstream


@pytest.mark.parametrize(("args", "expected"), [
    pytest.param(["--n-rows", "3", "--weights", "[1, 2.5]"],
                 "n_rows=3 ratio=0.5 name=plain verbose=False shuffle=True weights=[1.0, 2.5]",
                 id="defaults"),
    pytest.param(["--n-rows", "12", "--weights", "[]", "--ratio", "0.25", "--name", "hello world",
                  "--verbose", "--no-shuffle"],
                 "n_rows=12 ratio=0.25 name=hello world verbose=True shuffle=False weights=[]",
                 id="flags"),
    pytest.param(["--weights=[3]", "--n-rows=-4", "--ratio", "-2", "--verbose=true",
                  "--shuffle=false", "--name="],
                 "n_rows=-4 ratio=-2.0 name= verbose=True shuffle=False weights=[3.0]",
                 id="equals-form"),
    pytest.param(["--verbose", "false", "--shuffle", "--n-rows", "0", "--weights", "[0.5]"],
                 "n_rows=0 ratio=0.5 name=plain verbose=False shuffle=True weights=[0.5]",
                 id="bool-value"),
])
def test_inputs_are_parsed_from_the_type_hints(args: list[str], expected: str,
                                               isolated_home: Path) -> None:
    result = slipstream("run", flow("typed"), *args, home=isolated_home)
    assert result.code == 0, result.err
    assert "SUCCEEDED in " in result.out
    assert f": {expected!r}\n" in result.out
    assert len(recorded(isolated_home)) == 1


USAGE = ("Inputs: --n-rows int, --weights list[float], --ratio float (default 0.5), "
         "--name str (default 'plain'), --verbose bool (default False), "
         "--shuffle bool (default True)")


@pytest.mark.parametrize(("target", "args", "message"), [
    pytest.param("typed", ["--n-rowz", "3", "--weights", "[1]"],
                 f"error: workflow 'typed' has no input --n-rowz. Did you mean 'n_rows'? {USAGE}",
                 id="unknown-option"),
    pytest.param("typed", ["--n-rows", "3", "--weights", "[1]", "--colour", "red"],
                 f"error: workflow 'typed' has no input --colour. {USAGE}",
                 id="unknown-option-nothing-close"),
    pytest.param("typed", ["--weights", "[1]"],
                 "error: workflow 'typed': input 'n_rows' is required (int)",
                 id="missing-required"),
    pytest.param("typed", ["--n-rows", "abc", "--weights", "[1]"],
                 "error: --n-rows 'abc': cannot read 'abc' as int", id="bad-int"),
    pytest.param("typed", ["--n-rows", "1", "--weights", "[1]", "--ratio", "fast"],
                 "error: --ratio 'fast': cannot read 'fast' as float", id="bad-float"),
    pytest.param("typed", ["--n-rows", "1", "--weights", "[1]", "--verbose=maybe"],
                 "error: --verbose 'maybe': cannot read 'maybe' as bool", id="bad-bool"),
    pytest.param("typed", ["--n-rows", "1", "--weights", "1,2"],
                 "error: --weights '1,2': cannot read '1,2' as list[float]", id="bad-json"),
    pytest.param("typed", ["--weights", "[1]", "--n-rows"],
                 "error: --n-rows needs a value (int)", id="missing-value"),
    pytest.param("typed", ["3"], "error: unexpected argument '3'; inputs are given as options: "
                 "--n-rows int", id="positional"),
    pytest.param("typd", [], "has no 'typd'. Did you mean 'typed'?", id="no-such-name"),
    pytest.param("describe", [], "cli_flows.py:describe is not a @workflow (got an object of type Task)",
                 id="a-task"),
    pytest.param("NOT_A_WORKFLOW", [],
                 "cli_flows.py:NOT_A_WORKFLOW is not a @workflow (got an object of type int)",
                 id="a-constant"),
])
def test_user_errors_are_one_line_and_exit_1(target: str, args: list[str], message: str,
                                             isolated_home: Path) -> None:
    result = slipstream("run", flow(target), *args, home=isolated_home)
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err + result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert message in lines[0]
    assert "SUCCEEDED" not in result.out and "Recorded as execution" not in result.out
    assert recorded(isolated_home) == []


@pytest.mark.parametrize(("target", "message"), [
    (str(FLOWS.with_name("no_such_flows.py")) + ":typed", "error: no such file: "),
    (str(FLOWS), "does not name a workflow: use path/to/file.py:workflow_name"),
    ("no_such_package.flows:typed", "error: cannot import module 'no_such_package.flows'"),
], ids=["no-such-file", "no-workflow-name", "no-such-module"])
def test_a_target_that_does_not_exist(target: str, message: str, isolated_home: Path) -> None:
    result = slipstream("run", target, home=isolated_home)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1 and message in result.err
    assert recorded(isolated_home) == []


def test_a_relative_target_is_resolved_from_the_working_directory(isolated_home: Path) -> None:
    result = slipstream("run", "cli_flows.py:padded", "--n", "3", home=isolated_home,
                        cwd=FLOWS.parent)
    assert result.code == 0, result.err
    assert "SUCCEEDED in " in result.out and ": 'xxx'\n" in result.out
