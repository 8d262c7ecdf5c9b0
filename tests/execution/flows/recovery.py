"""DAGs for recovery: one that fails at its third node while a switch file exists, and one whose
third node announces itself with a marker file and then hangs (for the SIGKILL test)."""

from __future__ import annotations

import time
from pathlib import Path

from slipstream import task, workflow
from tests.execution.flows import bump


@task
def step(x: int, name: str, log_dir: str) -> int:
    bump(log_dir, name)
    return x + 1


@task
def gate(x: int, log_dir: str) -> int:
    bump(log_dir, "gate")
    if (Path(log_dir) / "broken").exists():
        raise RuntimeError("the gate is broken (remove the switch file)")
    return x * 10


@workflow
def switchable(x: int, log_dir: str) -> int:
    """n0 step1 -> n1 step2 -> n2 gate (fails while log_dir/broken exists) -> n3 step4."""
    a = step(x=x, name="step1", log_dir=log_dir)
    b = step(x=a, name="step2", log_dir=log_dir)
    c = gate(x=b, log_dir=log_dir)
    return step(x=c, name="step4", log_dir=log_dir)


@task
def announce_and_hang(x: int, log_dir: str) -> int:
    """Touches log_dir/marker, then hangs unless log_dir/release exists."""
    bump(log_dir, "hang")
    (Path(log_dir) / "marker").touch()
    deadline = time.monotonic() + 120
    while not (Path(log_dir) / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return x * 10


@workflow
def killable(x: int, log_dir: str) -> int:
    """n0 step1 -> n1 step2 -> n2 announce_and_hang -> n3 step4."""
    a = step(x=x, name="step1", log_dir=log_dir)
    b = step(x=a, name="step2", log_dir=log_dir)
    c = announce_and_hang(x=b, log_dir=log_dir)
    return step(x=c, name="step4", log_dir=log_dir)
