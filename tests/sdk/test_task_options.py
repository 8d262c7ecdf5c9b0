"""@task options and calling tasks as plain Python."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from slipstream import Cache, Resources, Retry, RunContext, Task, dynamic, task, workflow
from slipstream._core.errors import DefinitionError

HERE = re.escape(__file__)


def square(x: int) -> int:
    return x * x


@pytest.mark.parametrize(("options", "why"), [
    ({"retries": -1}, "retries must be >= 0, got -1"),
    ({"retries": 1.5}, "retries must be an int or Retry, got 1.5"),
    ({"retries": True}, "retries must be an int or Retry, got True"),
    ({"cache_version": "1.0"}, "cache_version was given but cache is off; pass cache=True"),
    ({"cache": False, "cache_version": "1.0"},
     "cache_version was given but cache is off; pass cache=True"),
    ({"timeout": 0}, "timeout must be positive, got 0"),
    ({"timeout": -5.0}, "timeout must be positive, got -5.0"),
    ({"timeout": timedelta(0)}, "timeout must be positive, got datetime.timedelta(0)"),
])
def test_invalid_options(options: dict[str, Any], why: str) -> None:
    with pytest.raises(DefinitionError) as info:
        task(**options)(square)
    assert re.fullmatch(rf"task square \({HERE}:\d+\): {re.escape(why)}", str(info.value))


def test_retry_validation() -> None:
    with pytest.raises(DefinitionError, match="retries must be >= 0, got -2"):
        Retry(-2)
    with pytest.raises(DefinitionError, match="Retry backoff must be >= 0 and factor >= 1"):
        Retry(2, factor=0.5)


def test_bare_and_called_decorator_both_make_tasks() -> None:
    @task
    def bare(x: int) -> int:
        return x + 1

    @task()
    def called(x: int) -> int:
        return x + 2

    @task(name="renamed")
    def named(x: int) -> int:
        return x + 3

    assert all(isinstance(t, Task) for t in (bare, called, named))
    assert (bare.name, called.name, named.name) == ("bare", "called", "renamed")
    assert bare.retry == Retry(0) and bare.cache is None and bare.timeout is None
    assert bare.__doc__ is None and bare.__name__ == "bare"  # functools.wraps
    assert (bare(x=1), called(1), named(x=1)) == (2, 3, 4)


def test_flytekit_style_options_are_kept() -> None:
    @task(requests=Resources(cpu="1", mem="500Mi"), limits=Resources(cpu="2", mem="1Gi", gpu=1),
          retries=3, timeout=timedelta(minutes=10), cache=True, cache_version="1.0",
          interruptible=True)
    def options(x: int) -> int:
        return x

    assert options.requests == Resources(cpu="1", mem="500Mi")
    assert options.limits.to_json() == {"cpu": "2", "mem": "1Gi", "gpu": 1}
    assert options.retry == Retry(3)
    assert options.timeout == 600.0
    assert options.cache == Cache(version="1.0")
    assert options.cache_version == "1.0"
    assert options.interruptible is True


def test_option_objects_are_accepted() -> None:
    retry = Retry(2, backoff=0.0, factor=1.0)
    cache = Cache(version="v7", ignore_inputs=("seed",))

    @task(retries=retry, cache=cache, timeout=2.5)
    def objects(x: int, seed: int = 0) -> int:
        return x

    assert objects.retry is retry
    assert objects.cache is cache
    assert objects.cache_version == "v7"
    assert objects.timeout == 2.5
    assert objects.interruptible is False
    assert objects.requests == Resources() and objects.limits == Resources()
    assert retry.delay(1) == 0.0 and Retry(3, backoff=1.0).delay(3) == 4.0


def test_cache_without_version_uses_the_code_version() -> None:
    @task(cache=True)
    def cached(x: int) -> int:
        return x

    assert cached.cache == Cache(version=None)
    assert cached.cache_version == cached.version
    assert re.fullmatch(r"[0-9a-f]{16}", cached.version)


def test_dynamic_accepts_the_same_options() -> None:
    @dynamic(cache=True, cache_version="2", retries=1, interruptible=True)
    def fan(n: int) -> list[int]:
        return [double(x=i) for i in range(n)]

    assert (fan.kind, fan.cache_version, fan.retry.retries, fan.interruptible) == \
        ("dynamic", "2", 1, True)
    with pytest.raises(DefinitionError, match=r"task broken_dynamic \(.*\): timeout must be "
                       "positive"):
        @dynamic(timeout=0)
        def broken_dynamic(n: int) -> int:
            return n


@task
def double(x: int) -> int:
    return 2 * x


@task
def with_context(x: int, ctx: RunContext) -> str:
    return f"{ctx.task_name}:{ctx.execution_id!r}:{x}"


def test_calling_a_task_outside_a_workflow_just_runs_it(slipstream_home: Path) -> None:
    assert double(x=21) == 42
    assert double(4) == 8
    assert with_context(x=1) == "with_context:'':1"
    with pytest.raises(TypeError):
        double(y=1)  # plain Python call: Python's own error
    assert not (slipstream_home / "slipstream.db").exists()
    assert not slipstream_home.exists()


def test_calling_a_dynamic_outside_a_workflow_runs_its_body(slipstream_home: Path) -> None:
    @dynamic
    def fan(n: int) -> list[int]:
        return [double(x=i) for i in range(n)]

    assert fan(n=4) == [0, 2, 4, 6]
    assert not slipstream_home.exists()


def test_running_a_workflow_does_use_the_store(slipstream_home: Path) -> None:
    @workflow
    def doubled(x: int) -> int:
        return double(x=x)

    assert doubled(x=5) == 10
    assert (slipstream_home / "slipstream.db").is_file()
