"""DAGs that fail: flaky tasks with retries, a task that raises, tasks returning bad values."""

from __future__ import annotations

from slipstream import Retry, task, workflow
from tests.execution.flows import bump


def _flaky(counter_dir: str, fail_times: int) -> int:
    calls = bump(counter_dir, "flaky")
    if calls <= fail_times:
        raise ConnectionError(f"flaky failure {calls}")
    return calls


@task(retries=2)
def flaky_retries2(counter_dir: str, fail_times: int) -> int:
    return _flaky(counter_dir, fail_times)


@task(retries=Retry(2, backoff=0.01))
def flaky_retry_obj(counter_dir: str, fail_times: int) -> int:
    return _flaky(counter_dir, fail_times)


@task(retries=1)
def flaky_retries1(counter_dir: str, fail_times: int) -> int:
    return _flaky(counter_dir, fail_times)


@task(retries=Retry(2, backoff=0.3, factor=2.0))
def flaky_slow_backoff(counter_dir: str, fail_times: int) -> int:
    return _flaky(counter_dir, fail_times)


@workflow
def retried2(counter_dir: str, fail_times: int = 2) -> int:
    return flaky_retries2(counter_dir=counter_dir, fail_times=fail_times)


@workflow
def retried_obj(counter_dir: str, fail_times: int = 2) -> int:
    return flaky_retry_obj(counter_dir=counter_dir, fail_times=fail_times)


@workflow
def retried1(counter_dir: str, fail_times: int = 2) -> int:
    return flaky_retries1(counter_dir=counter_dir, fail_times=fail_times)


@workflow
def retried_backoff(counter_dir: str, fail_times: int = 2) -> int:
    return flaky_slow_backoff(counter_dir=counter_dir, fail_times=fail_times)


@task
def prepare(x: int, counter_dir: str) -> int:
    bump(counter_dir, "prepare")
    return x + 1


def _check(value: int) -> None:
    if value > 10:
        raise ValueError(f"value {value} is too large for explode")


@task
def explode(x: int, counter_dir: str) -> int:
    bump(counter_dir, "explode")
    _check(x * 100)
    return x


@task
def after(x: int, counter_dir: str) -> int:
    bump(counter_dir, "after")
    return x


@workflow
def raises(x: int, counter_dir: str) -> tuple[int, int]:
    """n0 prepare -> n1 explode -> n2 after; n3 prepare(x) does not depend on the failure."""
    p = prepare(x=x, counter_dir=counter_dir)
    e = explode(x=p, counter_dir=counter_dir)
    done = after(x=e, counter_dir=counter_dir)
    return done, prepare(x=x, counter_dir=counter_dir)


@task(retries=2)
def wrong_scalar(counter_dir: str) -> int:
    bump(counter_dir, "wrong_scalar")
    return "abc"  # type: ignore[return-value]


@task(retries=2)
def wrong_arity(counter_dir: str) -> tuple[int, int]:
    bump(counter_dir, "wrong_arity")
    return 1, 2, 3  # type: ignore[return-value]


@workflow
def bad_scalar(counter_dir: str) -> int:
    return wrong_scalar(counter_dir=counter_dir)


@workflow
def bad_arity(counter_dir: str) -> int:
    a, _b = wrong_arity(counter_dir=counter_dir)
    return a
