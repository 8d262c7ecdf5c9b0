"""SIGKILL the runner at random points of a multi-node workflow; `slipstream recover` completes
each execution re-running only what was not durable, and the store passes `db check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.harness import Outcome, delays, kill_and_recover, measure

N = 12  # map items


def _kills(tmp_path: Path, executor: str, count: int, seed: int) -> list[Outcome]:
    duration = measure(tmp_path / "measure", executor, N)
    return [kill_and_recover(tmp_path / f"kill{i}", executor, N, delay)
            for i, delay in enumerate(delays(seed, count, duration))]


def _assert_survived(outcomes: list[Outcome]) -> None:
    failed = [o for o in outcomes if not o.survived]
    assert not failed, "\n".join(f"{o.executor} kill at {o.delay * 1000:.1f} ms: "
                                 f"{o.errors + o.problems_after}" for o in failed)
    killed = [o for o in outcomes if o.state == "killed"]
    assert len(killed) >= len(outcomes) // 2, [o.state for o in outcomes]
    assert all(o.dead_runner_found for o in killed)
    assert all(o.state != "unstarted" for o in outcomes)


@pytest.mark.parametrize("executor", ["inline", "process:2"])
def test_ten_kills_are_survived(tmp_path: Path, executor: str) -> None:
    _assert_survived(_kills(tmp_path, executor, 5, seed=9))


@pytest.mark.slow
def test_a_hundred_kills_are_survived(tmp_path: Path) -> None:
    outcomes = _kills(tmp_path / "inline", "inline", 70, seed=100)
    outcomes += _kills(tmp_path / "process", "process:2", 30, seed=101)
    _assert_survived(outcomes)
