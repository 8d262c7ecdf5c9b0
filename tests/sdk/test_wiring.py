"""Connections are type-checked when the workflow is defined: a mismatch is a WiringTypeError
naming the workflow, the node (id and task name), the parameter and both types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pandas as pd
import pytest

from slipstream import task, workflow
from slipstream._core.errors import DefinitionError, WiringTypeError


@dataclass
class Animal:
    name: str = ""


@dataclass
class Dog(Animal):
    good: bool = True


def _producer(tp: Any) -> Any:
    def produce() -> Any:
        raise NotImplementedError

    produce.__annotations__ = {"return": tp}
    produce.__name__ = produce.__qualname__ = "produce"
    return task(produce)


def _consumer(tp: Any) -> Any:
    def consume(value: Any) -> int:
        return 1

    consume.__annotations__ = {"value": tp, "return": int}
    consume.__name__ = consume.__qualname__ = "consume"
    return task(consume)


def _wire(produced: Any, expected: Any) -> Any:
    producer, consumer = _producer(produced), _consumer(expected)

    @workflow
    def wiring() -> int:
        return consumer(value=producer())

    return wiring


MISMATCHES = [
    (float, pd.DataFrame, "pandas.DataFrame", "float"),
    (list[int], list[str], "list[str]", "list[int]"),
    (Optional[int], int, "int", "Optional[int]"),  # noqa: UP045 - the spelling under test
    (int | None, int, "int", "Optional[int]"),
    (str, int, "int", "str"),
    (bool, int, "int", "bool"),
    (dict[str, int], dict[str, str], "dict[str, str]", "dict[str, int]"),
    (Animal, Dog, "Dog", "Animal"),
    (pd.DataFrame, list[int], "list[int]", "pandas.DataFrame"),
]


@pytest.mark.parametrize(("produced", "expected", "expected_name", "produced_name"), MISMATCHES)
def test_mismatch_fails_at_definition_naming_everything(
        produced: Any, expected: Any, expected_name: str, produced_name: str) -> None:
    with pytest.raises(WiringTypeError) as info:
        _wire(produced, expected)
    message = str(info.value)
    assert message.startswith("workflow 'wiring', node n1 (consume), parameter 'value': ")
    assert f"expected {expected_name}, got {produced_name}" in message
    assert "from output 'o0' of node n0 (produce)" in message
    assert isinstance(info.value, DefinitionError)


COMPATIBLE = [
    (int, float),
    (int, Optional[float]),  # noqa: UP045
    (int, Optional[int]),  # noqa: UP045
    (str, str | None),
    (Dog, Animal),
    (list[Dog], list[Animal]),
    (list[int], list[int]),
    (list[int], list),
    (int, Any),
    (pd.DataFrame, pd.DataFrame),
    (dict[str, list[int]], dict[str, list[float]]),
]


@pytest.mark.parametrize(("produced", "expected"), COMPATIBLE)
def test_compatible_connections_compile(produced: Any, expected: Any) -> None:
    wf = _wire(produced, expected)
    assert [node.id for node in wf.spec.nodes] == ["n0", "n1"]
    assert wf.spec.nodes[1].upstream == ("n0",)


@task
def as_float() -> float:
    return 1.5


@task
def takes_frame(d: pd.DataFrame) -> int:
    return len(d)


def test_float_into_dataframe_real_task_names_the_workflow_input_when_it_is_the_source() -> None:
    with pytest.raises(WiringTypeError) as info:
        @workflow
        def frames(rate: float) -> int:
            return takes_frame(d=rate)

    assert str(info.value) == (
        "workflow 'frames', node n0 (takes_frame), parameter 'd': expected pandas.DataFrame, "
        "got float from input 'rate'")


def test_mismatch_in_a_later_node_names_that_node() -> None:
    with pytest.raises(WiringTypeError, match=r"node n2 \(takes_frame\), parameter 'd'"):
        @workflow
        def later() -> int:
            as_float()
            x = as_float()
            return takes_frame(d=x)


def test_workflow_output_type_is_checked() -> None:
    with pytest.raises(WiringTypeError) as info:
        @workflow
        def wrong_output() -> str:
            return as_float()

    assert str(info.value) == (
        "workflow 'wrong_output', output 'o0': expected str, got float from output 'o0' of "
        "node n0 (as_float)")


@task
def ints(xs: list[int]) -> int:
    return sum(xs)


def test_list_of_promises_is_checked_item_by_item() -> None:
    with pytest.raises(WiringTypeError) as info:
        @workflow
        def listed() -> int:
            return ints(xs=[as_float(), as_float()])

    assert str(info.value).startswith(
        "workflow 'listed', node n2 (ints), parameter 'xs'[0]: expected int, got float")
