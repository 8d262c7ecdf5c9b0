"""DAGs for the Ray executor: parallel branches that overlap in time, maps of interruptible and
of non-interruptible tasks that report where they run, and tasks whose requests no node can
satisfy."""

from __future__ import annotations

import time
from pathlib import Path

from slipstream import Resources, map_task, task, workflow


@task
def slow_double(x: int, seconds: float) -> int:
    time.sleep(seconds)
    return 2 * x


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def two_branches(x: int, y: int, seconds: float) -> int:
    """n0 and n1 are independent and each holds a CPU for `seconds`, then n2 joins them."""
    return add(a=slow_double(x=x, seconds=seconds), b=slow_double(x=y, seconds=seconds))


def _node_id() -> str:
    import ray

    return str(ray.get_runtime_context().get_node_id())


@task(interruptible=True)
def tagged_square(x: int, log_dir: str) -> int:
    """Touches log_dir/<x>.<node id> when it starts, then sleeps: the test sees where it runs."""
    Path(log_dir, f"{x}.{_node_id()}").touch()
    time.sleep(0.5)
    return x * x


@workflow
def interruptible_squares(xs: list[int], log_dirs: list[str]) -> list[int]:
    return map_task(tagged_square)(x=xs, log_dir=log_dirs)


@task
def fragile_square(x: int, log_dir: str) -> int:
    """As tagged_square, but not interruptible, and long enough to be killed mid-task."""
    Path(log_dir, f"{x}.{_node_id()}").touch()
    time.sleep(3)
    return x * x


@workflow
def fragile_squares(xs: list[int], log_dirs: list[str]) -> list[int]:
    return map_task(fragile_square)(x=xs, log_dir=log_dirs)


@task(requests=Resources(cpu="64"))
def greedy(x: int) -> int:
    return x


@task(requests=Resources(cpu="500m", custom={"tpu": 1}))
def needs_a_tpu(x: int) -> int:
    return x


@workflow
def too_big(x: int) -> int:
    return add(a=greedy(x=x), b=1)


@workflow
def exotic(x: int) -> int:
    return needs_a_tpu(x=x)
