"""DAGs whose tasks print and log: each line names its task and input, so a test can tell
which node's log a line ended up in."""

from __future__ import annotations

import functools
import logging
import sys
import time

from slipstream import RunContext, map_task, task, workflow
from tests.execution.flows import bump

log = logging.getLogger("tests.chatty")


@task
def talk(tag: str, x: int, pause: float = 0.0) -> int:
    """Prints to stdout and stderr and logs a warning, around a pause (so concurrent runs
    interleave)."""
    print(f"out {tag} {x} begins")
    time.sleep(pause)
    print(f"err {tag} {x}", file=sys.stderr)
    log.warning("warn %s %d", tag, x)
    time.sleep(pause)
    print(f"out {tag} {x} ends")
    return x + 1


@task
def quiet(x: int) -> int:
    return x * 2


@workflow
def talk_then_quiet(tag: str, x: int, pause: float = 0.0) -> int:
    return quiet(x=talk(tag=tag, x=x, pause=pause))


@workflow
def talk_map(tags: list[str], xs: list[int]) -> list[int]:
    """Each item pauses a little, so concurrent executions interleave."""
    return map_task(functools.partial(talk, pause=0.005))(tag=tags, x=xs)


@task(retries=2)
def stumble(counter_dir: str, ctx: RunContext) -> int:
    """Fails on its first two attempts; each attempt says which it is, through print and
    through the task's logger at INFO."""
    calls = bump(counter_dir, "stumble")
    print(f"attempt {ctx.attempt} starts (call {calls})")
    ctx.logger.info("attempt %d logs", ctx.attempt)
    if calls <= 2:
        raise ConnectionError(f"stumbled {calls}")
    return calls


@workflow
def stumbling(counter_dir: str) -> int:
    return stumble(counter_dir=counter_dir)


@task
def flood(lines: int) -> int:
    """Prints `lines` numbered lines of 100 bytes each."""
    for i in range(lines):
        print(f"{i:09d} " + "y" * 89)
    return lines


@workflow
def flooding(lines: int) -> int:
    return flood(lines=lines)


@task(timeout=0.5)
def overrun(seconds: float) -> int:
    print("overrun starts")
    time.sleep(seconds)
    return 0


@workflow
def overrunning(seconds: float = 5.0) -> int:
    return overrun(seconds=seconds)
