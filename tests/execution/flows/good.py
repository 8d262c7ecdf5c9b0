"""Well-behaved DAGs: a small chain with a diamond, parallel sleeps, RunContext, large outputs."""

from __future__ import annotations

import time

from slipstream import Retry, RunContext, current_context, task, workflow


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def double(x: int) -> int:
    return x * 2


@task
def describe(total: int, label: str) -> str:
    return f"{label}={total}"


@workflow
def arithmetic(a: int, b: int = 3, label: str = "total") -> tuple[int, str]:
    """n0 add(a, b) -> n1 double -> n2 describe; returns (2 * (a + b), "label=...")."""
    s = add(a=a, b=b)
    d = double(x=s)
    return d, describe(total=d, label=label)


@task
def nap(seconds: float, tag: str) -> str:
    time.sleep(seconds)
    return tag


@task
def join(left: str, right: str) -> str:
    return f"{left}+{right}"


@workflow
def two_naps(seconds: float = 1.0) -> str:
    """Two independent sleeps (n0, n1) joined by n2."""
    return join(left=nap(seconds=seconds, tag="l"), right=nap(seconds=seconds, tag="r"))


@task
def whoami(ctx: RunContext, tag: str) -> list[str]:
    """Reports the injected context and what current_context() returns."""
    current = current_context()
    seen = [current.execution_id, current.node_id] if current is not None else ["none"]
    return [ctx.execution_id, ctx.node_id, ctx.task_name, str(ctx.attempt), tag, *seen]


@workflow
def context_flow(tag: str = "t") -> list[str]:
    return whoami(tag=tag)


@task
def big_list(n: int) -> list[int]:
    return list(range(n))


@task
def big_bytes(mb: int) -> bytes:
    return bytes(range(256)) * (4096 * mb)


@task
def summarise(xs: list[int], data: bytes) -> list[int]:
    return [len(xs), sum(xs), len(data)]


@workflow
def large_outputs(n: int = 100_000, mb: int = 5) -> tuple[list[int], bytes, list[int]]:
    xs = big_list(n=n)
    data = big_bytes(mb=mb)
    return xs, data, summarise(xs=xs, data=data)


@task(retries=Retry(1, backoff=0.01))
def second_try(ctx: RunContext) -> int:
    """Fails on its first attempt; returns the attempt number it succeeded on."""
    if ctx.attempt < 2:
        raise RuntimeError("first attempt always fails")
    return ctx.attempt


@workflow
def retry_context() -> int:
    return second_try()
