"""A fixture workflow the monitor's triggers launch (importable by name, so launches load it)."""

from __future__ import annotations

from slipstream import task, workflow


@task
def fit(c: float, reason: str) -> str:
    return f"retrained with C={c}: {reason}"


@workflow
def retrain(c: float = 1.0, reason: str = "manual") -> str:
    return fit(c=c, reason=reason)
