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


@task
def start_plan(plan: str) -> str:
    """What a trigger does: launch another plan without waiting for it."""
    from slipstream.scheduling import launch

    return launch(plan, reason=f"chained from {plan!r}'s caller", wait=False) or ""


@workflow
def chain(plan: str) -> str:
    return start_plan(plan=plan)
