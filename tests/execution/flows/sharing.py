"""Fixture flows: one output consumed by several tasks, one of which changes its input."""

from __future__ import annotations

import pandas as pd

from slipstream import task, workflow


@task
def frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1.0, 2.0, 3.0]})


@task
def vandal(df: pd.DataFrame) -> float:
    """Changes its input in place, then reports its sum."""
    df["a"] *= 100
    df["b"] = 1.0
    return float(df["a"].sum())


@task
def total(df: pd.DataFrame) -> float:
    return float(df["a"].sum()) + 1000 * len(df.columns)


@task
def numbers() -> list[int]:
    return [1, 2, 3]


@task
def append_and_count(xs: list[int]) -> int:
    xs.append(99)
    return len(xs)


@task
def count_items(xs: list[int]) -> int:
    return len(xs)




@workflow
def sharing() -> tuple[float, float, float, int, int]:
    df = frame()
    xs = numbers()
    return vandal(df=df), total(df=df), vandal(df=df), append_and_count(xs=xs), count_items(xs=xs)


@task
def unstorable() -> pd.DataFrame:
    """Passes the cheap check (a DataFrame with str column names) but parquet refuses it."""
    return pd.DataFrame({"mixed": [1, "two", 3.0]})


@task
def row_count(df: pd.DataFrame) -> int:
    return len(df)


@workflow
def stores_late() -> int:
    return row_count(df=unstorable())


@workflow
def unstorable_constant() -> int:
    """A DataFrame constant that passes the cheap check but parquet refuses."""
    return row_count(df=pd.DataFrame({"mixed": [1, "two", 3.0]}))
