"""A tiny workflow whose tasks log with the fluent API: `train` logs to its node's implicit run,
`evaluate` starts an explicit run (named after the task by default)."""

from __future__ import annotations

import slipstream as ss
from slipstream import RunContext, task, workflow

#: The RunContext each task saw.
seen: list[RunContext] = []


@task
def train(epochs: int, ctx: RunContext) -> float:
    seen.append(ctx)
    ss.log_param("epochs", epochs)
    for epoch in range(epochs):
        ss.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
    return 0.5


@task
def evaluate(loss: float) -> float:
    with ss.start_run():
        ss.log_metric("acc", 1.0 - loss)
    return 1.0 - loss


@workflow
def fit(epochs: int = 3) -> float:
    return evaluate(loss=train(epochs=epochs))


@task
def diverge(epochs: int) -> float:
    """Logs, then fails: its implicit run must end FAILED when the task does."""
    ss.log_metric("loss", 1.0, step=0)
    raise FloatingPointError("loss diverged")


@workflow
def fit_and_fail(epochs: int = 1) -> float:
    return diverge(epochs=epochs)
