"""conditional(...) shapes: if/elif/else on an input, a failing case, a comparison of two node
outputs, and & / | combinations."""

from __future__ import annotations

from slipstream import conditional, task, workflow


@task
def big(x: int) -> str:
    return f"big {x}"


@task
def small(x: int) -> str:
    return f"small {x}"


@task
def non_positive(x: int) -> str:
    return f"non-positive {x}"


@workflow
def classify(x: int) -> str:
    """n0 is the branch; its cases hold n1 (big), n2 (small), n3 (non_positive)."""
    return (conditional("size")
            .if_(x > 10).then(big(x=x))
            .elif_(x > 0).then(small(x=x))
            .else_().then(non_positive(x=x)))


@workflow
def guarded(x: int) -> str:
    return (conditional("guard")
            .if_(x < 0).fail("x must be non-negative")
            .else_().then(small(x=x)))


@task
def measure(x: int) -> float:
    return x / 2


@workflow
def compare(a: int, b: int) -> str:
    """Branches on two node outputs compared with each other."""
    ma = measure(x=a)
    mb = measure(x=b)
    return (conditional("which")
            .if_(ma > mb).then(big(x=a))
            .elif_(ma == mb).then(non_positive(x=0))
            .else_().then(small(x=b)))


@workflow
def quadrant(x: int, y: int) -> str:
    return (conditional("quadrant")
            .if_((x > 0) & (y > 0)).then(big(x=x))
            .elif_((x < 0) | (y < 0)).then(small(x=y))
            .else_().then(non_positive(x=0)))
