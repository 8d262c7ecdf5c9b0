"""Fan-out shapes: map_task (plain, bound with partial, partial success, concurrency-capped)
and @dynamic (runtime size, nested in a sub-workflow)."""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

from slipstream import dynamic, map_task, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def scale(x: int, factor: int) -> int:
    return x * factor


@task
def fragile(x: int) -> int:
    if x % 4 == 0:
        raise ValueError(f"item {x} is a multiple of 4")
    return x


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@workflow
def squares(xs: list[int]) -> list[int]:
    return map_task(square)(x=xs)


@workflow
def scaled(xs: list[int]) -> list[int]:
    return map_task(functools.partial(scale, factor=3))(x=xs)


@workflow
def half_ok(xs: list[int]) -> list[int | None]:
    return map_task(fragile, min_success_ratio=0.5)(x=xs)


@task
def stamp(i: int, log_dir: str) -> int:
    """Records [start, end] of this item in log_dir/<i> (wall-clock), sleeping in between."""
    start = time.time()
    time.sleep(0.25)
    Path(log_dir, str(i)).write_text(f"{start} {time.time()} {os.getpid()}")
    return i


@dynamic
def stamped(n: int, log_dir: str, concurrency: int) -> list[int]:
    """A map whose bound input (log_dir) and concurrency are only known at run time."""
    return map_task(functools.partial(stamp, log_dir=log_dir),
                    concurrency=concurrency or None)(i=list(range(n)))


@workflow
def capped(n: int, log_dir: str, concurrency: int = 0) -> list[int]:
    return stamped(n=n, log_dir=log_dir, concurrency=concurrency)


@dynamic
def fan_out(n: int) -> list[int]:
    """n square nodes, n chosen by the input."""
    return [square(x=i) for i in range(n)]


@workflow
def dynamic_sum(n: int) -> int:
    """n0 fan_out (sub-nodes n0/n0 .. n0/n{n-1}) -> n1 total."""
    return total(xs=fan_out(n=n))


@workflow
def inner_dynamic(n: int) -> int:
    return total(xs=fan_out(n=n))


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def nested_dynamic(n: int) -> int:
    """n0 inner_dynamic (n0/n0 fan_out with n0/n0/n<i>, n0/n1 total) -> n1 double."""
    return double(x=inner_dynamic(n=n))
