"""Cached tasks: a scalar one under two cache versions, and one returning a DataFrame."""

from __future__ import annotations

import pandas as pd

from slipstream import dynamic, task, workflow
from tests.execution.flows import bump


def _square(x: int, counter_dir: str) -> int:
    bump(counter_dir, "square")
    return x * x


square_v1 = task(cache=True, cache_version="1")(_square)
square_v2 = task(cache=True, cache_version="2")(_square)


@task
def plus_one(x: int) -> int:
    return x + 1


@workflow
def cached_v1(x: int, counter_dir: str) -> int:
    return plus_one(x=square_v1(x=x, counter_dir=counter_dir))


@workflow
def cached_v2(x: int, counter_dir: str) -> int:
    return plus_one(x=square_v2(x=x, counter_dir=counter_dir))


@task(cache=True, cache_version="1")
def make_frame(rows: int, counter_dir: str) -> pd.DataFrame:
    bump(counter_dir, "make_frame")
    return pd.DataFrame({
        "i": pd.array(range(rows), dtype="int64"),
        "f": [i / 3 if i % 5 else float("nan") for i in range(rows)],
        "s": [f"row-{i}" for i in range(rows)],
        "t": pd.date_range("2024-01-01", periods=rows, freq="h"),
        "b": [i % 2 == 0 for i in range(rows)],
    })


@workflow
def frame_flow(rows: int, counter_dir: str) -> pd.DataFrame:
    return make_frame(rows=rows, counter_dir=counter_dir)


@dynamic(cache=True, cache_version="1")
def cached_fan(n: int, counter_dir: str) -> list[int]:
    """A cached dynamic task: on a hit neither its body nor its sub-nodes run."""
    bump(counter_dir, "cached_fan_body")
    return [plus_one(x=i) for i in range(n)]


@workflow
def cached_fan_out(n: int, counter_dir: str) -> list[int]:
    return cached_fan(n=n, counter_dir=counter_dir)
