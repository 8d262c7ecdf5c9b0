"""Fixture workflows for the scheduling tests (importable by name, so launches can load them)."""

from __future__ import annotations

from slipstream import task, workflow


@task
def scale(n: int, factor: float) -> float:
    return n * factor


@task
def explode(n: int) -> int:
    raise RuntimeError(f"boom at {n}")


@workflow
def scaled(n: int, factor: float = 2.0) -> float:
    return scale(n=n, factor=factor)


@workflow
def failing(n: int = 1) -> int:
    return explode(n=n)
