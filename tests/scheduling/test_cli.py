"""`slipstream launch-plans …` and `slipstream scheduler` run as a user runs them (a subprocess,
tests/cli style) on tests/scheduling/flows.py: create, list, show, launch (run now), pause,
resume, delete, one scheduler poll, and bad input as one line."""

from __future__ import annotations

import time
from pathlib import Path

from tests.cli.helpers import slipstream

FLOWS = Path(__file__).resolve().with_name("flows.py")


def target(name: str) -> str:
    return f"{FLOWS}:{name}"


def test_launch_plans_from_the_shell(isolated_home: Path) -> None:
    home = isolated_home
    made = slipstream("launch-plans", "create", "triple", target("scaled"), "--fixed",
                      "factor=3.0", "--default", "n=2", "--every", "1s", "--catch-up", "skip",
                      "--description", "n times three", home=home)
    assert made.code == 0, made.err
    assert "Launch plan triple -> scaled" in made.out and "every 1s, catch-up skip" in made.out

    listed = slipstream("launch-plans", "list", home=home)
    assert "triple" in listed.out and "ACTIVE" in listed.out

    run_now = slipstream("launch-plans", "launch", "triple", "--input", "n=5", "--reason",
                         "by hand", home=home)
    assert run_now.code == 0, run_now.err
    assert "Launched triple: execution" in run_now.out and "SUCCEEDED" in run_now.out

    refused = slipstream("launch-plans", "launch", "triple", "--input", "factor=2", home=home)
    assert refused.code == 1 and refused.out == ""
    assert refused.err.strip() == (
        "error: launch plan 'triple' fixes input 'factor'; a launch cannot override it "
        "(overridable: ['n'])")

    assert slipstream("launch-plans", "pause", "triple", home=home).out.strip() == "triple paused"
    time.sleep(1.2)  # a tick passes while paused: it never fires
    assert "fired 0 tick(s)" in slipstream("scheduler", "--once", home=home).out
    assert "resumed" in slipstream("launch-plans", "resume", "triple", home=home).out
    time.sleep(1.2)
    polled = slipstream("scheduler", "--once", home=home)  # catch-up skip: one, however late
    assert polled.code == 0, polled.err
    assert "fired 1 tick(s)" in polled.out

    shown = slipstream("launch-plans", "show", "triple", home=home)
    assert "triple  scaled (version" in shown.out and "ACTIVE" in shown.out
    assert "fixed inputs:   {'factor': 3.0}" in shown.out
    assert "default inputs: {'n': 2}" in shown.out
    assert "schedule:       every 1s, catch-up skip; next tick" in shown.out
    lines = [line.split() for line in shown.out.splitlines()
             if line.strip().startswith(("schedule ", "manual "))]
    assert [(parts[0], parts[3]) for parts in lines] == [("schedule", "SUCCEEDED"),
                                                         ("manual", "SUCCEEDED")]

    gone = slipstream("launch-plans", "delete", "triple", home=home)
    assert gone.out.strip() == "triple deleted"
    missing = slipstream("launch-plans", "show", "triple", home=home)
    assert missing.code == 1 and "error: no launch plan named 'triple'" in missing.err


def test_a_run_now_waits_for_the_launches_its_execution_started(isolated_home: Path) -> None:
    from slipstream.scheduling.plans import Plans

    home = isolated_home
    assert slipstream("launch-plans", "create", "inner", target("scaled"), "--fixed", "n=4",
                      home=home).code == 0
    assert slipstream("launch-plans", "create", "outer", target("chain"), "--fixed",
                      "plan=inner", home=home).code == 0
    outer = slipstream("launch-plans", "launch", "outer", home=home)
    assert outer.code == 0, outer.err
    plans = Plans()
    try:
        [inner] = plans.launches("inner")  # it ran to its end before the command exited
        assert inner.status == "SUCCEEDED" and inner.reason.startswith("chained")
        assert plans.client.store.get_execution(inner.execution_id).outputs == {"o0": 8.0}
    finally:
        plans.store.close()
        plans.client.close()


def test_bad_plans_are_one_line(isolated_home: Path) -> None:
    home = isolated_home
    typo = slipstream("launch-plans", "create", "p", target("scaled"), "--fixed", "fctor=1",
                      home=home)
    assert typo.code == 1
    assert typo.err.strip() == ("error: --fixed 'fctor=1': workflow 'scaled' has no input "
                                "'fctor'; inputs are ['n', 'factor']. Did you mean 'factor'?")
    mistyped = slipstream("launch-plans", "create", "p", target("scaled"), "--default",
                          "n=three", home=home)
    assert mistyped.code == 1 and mistyped.err.startswith("error: --default 'n=three': ")
    assert len(mistyped.err.strip().splitlines()) == 1
    unscheduled = slipstream("launch-plans", "create", "p", target("scaled"), "--cron",
                             "0 3 * * *", home=home)
    assert unscheduled.code == 1 and "requires input 'n' (int)" in unscheduled.err
    rate = slipstream("launch-plans", "create", "p", target("scaled"), "--every", "soon",
                      home=home)
    assert rate.code == 1 and "--every 'soon' is not a rate" in rate.err
    zone = slipstream("launch-plans", "create", "p", target("scaled"), "--fixed", "n=1",
                      "--cron", "0 3 * * *", "--timezone", "Europe/Pariss", home=home)
    assert zone.code == 1 and "unknown time zone 'Europe/Pariss'" in zone.err
    assert "no launch plans" in slipstream("launch-plans", "list", home=home).out
