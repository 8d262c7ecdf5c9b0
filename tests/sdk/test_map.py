"""map_task: misuse fails at definition; mapping runs item by item."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple, Optional

import pytest

from slipstream import dynamic, map_task, task, workflow
from slipstream._core.errors import DefinitionError, ExecutionFailedError


class Pair(NamedTuple):
    a: int
    b: str


@task
def two_outputs(x: int) -> tuple[int, str]:
    return x, str(x)


@task
def pair(x: int) -> Pair:
    return Pair(x, str(x))


@task
def scale(x: int, factor: int) -> int:
    return x * factor


@task
def fragile(x: int) -> int:
    if x < 0:
        raise ValueError(f"negative {x}")
    return x + 100


@task
def total(values: list[int]) -> int:
    return sum(values)


@task
def total_optional(values: list[Optional[int]]) -> int:  # noqa: UP045
    return sum(v for v in values if v is not None)


@workflow
def a_workflow(x: int) -> int:
    return scale(x=x, factor=2)


@dynamic
def a_dynamic(x: int) -> int:
    return scale(x=x, factor=2)


@pytest.mark.parametrize(("target", "outputs"), [(two_outputs, "['o0', 'o1']"),
                                                 (pair, "['a', 'b']")])
def test_task_with_two_outputs(target: Any, outputs: str) -> None:
    with pytest.raises(DefinitionError) as info:
        map_task(target)
    assert str(info.value) == (
        f"map_task({target.name}): the task must have at most one output, it has {outputs}")


def test_every_input_bound() -> None:
    with pytest.raises(DefinitionError) as info:
        map_task(functools.partial(scale, x=1, factor=2))
    assert str(info.value) == "map_task(scale): every input is bound; nothing to map"


def test_partial_with_positional_arguments() -> None:
    with pytest.raises(DefinitionError, match=r"bind inputs by keyword only"):
        map_task(functools.partial(scale, 1))


def test_partial_binding_an_unknown_input() -> None:
    with pytest.raises(DefinitionError, match=r"map_task\(scale\): unknown bound inputs "
                       r"\['factr'\]"):
        map_task(functools.partial(scale, factr=2))


@pytest.mark.parametrize("concurrency", [0, -1])
def test_concurrency_below_one(concurrency: int) -> None:
    with pytest.raises(DefinitionError, match=r"^map_task concurrency must be >= 1"):
        map_task(fragile, concurrency=concurrency)


@pytest.mark.parametrize("ratio", [0, 0.0, -0.5, 1.01, 2])
def test_min_success_ratio_outside_zero_one(ratio: float) -> None:
    with pytest.raises(DefinitionError, match=r"^map_task min_success_ratio must be in \(0, 1\]"):
        map_task(fragile, min_success_ratio=ratio)


@pytest.mark.parametrize("target", [len, lambda x: x, a_workflow, a_dynamic, "fragile"])
def test_target_that_is_not_a_task(target: Any) -> None:
    with pytest.raises(DefinitionError, match=r"^map_task needs a @task, got "):
        map_task(target)


def test_mapped_interface_lists_every_unbound_input() -> None:
    mapped = map_task(functools.partial(scale, factor=3), concurrency=2)
    assert mapped.interface.input_types() == {"x": list[int]}
    assert mapped.interface.outputs == {"o0": list[int]}
    tolerant = map_task(fragile, min_success_ratio=0.5)
    assert tolerant.interface.outputs == {"o0": list[Optional[int]]}  # noqa: UP045


def test_tolerant_map_output_cannot_feed_a_list_of_int() -> None:
    with pytest.raises(DefinitionError, match=r"parameter 'values': expected list\[int\], got "
                       r"list\[Optional\[int\]\]"):
        @workflow
        def strict(xs: list[int]) -> int:
            return total(values=map_task(fragile, min_success_ratio=0.5)(x=xs))


def test_map_over_a_workflow_input_with_a_bound_constant() -> None:
    @workflow
    def scaled(xs: list[int], factor: int = 3) -> int:
        return total(values=map_task(functools.partial(scale, factor=4))(x=xs))

    xs = [1, 2, 3, 10]
    assert scaled(xs=xs) == sum(x * 4 for x in xs)
    assert scaled(xs=[]) == 0


def test_tolerant_map_yields_none_for_failed_items() -> None:
    @workflow
    def tolerant(xs: list[int]) -> list[Optional[int]]:  # noqa: UP045
        return map_task(fragile, concurrency=2, min_success_ratio=0.5)(x=xs)

    xs = [1, -2, 3, 4]
    assert tolerant(xs=xs) == [x + 100 if x >= 0 else None for x in xs]
    with pytest.raises(ExecutionFailedError, match=r"2 of 3 items failed \(allowed 1\); first: "
                       "ValueError: negative -1"):
        tolerant(xs=[-1, -2, 3])


def test_map_called_outside_a_workflow_runs_each_item() -> None:
    assert map_task(functools.partial(scale, factor=5))(x=[1, 2]) == [5, 10]
    with pytest.raises(DefinitionError, match="different lengths"):
        map_task(scale)(x=[1, 2], factor=[1])
