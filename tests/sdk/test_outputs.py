"""Outputs and structure: NamedTuple and Tuple outputs, dataclass fields on promises, `>>`
ordering, sub-workflows with defaults, and workflow defaults."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import NamedTuple

import pytest

from slipstream import task, workflow
from slipstream._core.errors import DefinitionError, InvalidInputError, WiringTypeError

ORDER: list[str] = []


class Split(NamedTuple):
    train: list[int]
    test: list[int]


Summary = typing.NamedTuple("Summary", [("count", int), ("label", str)])  # noqa: UP014


@dataclass
class Model:
    weights: list[float]
    name: str
    score: float


@task
def split(xs: list[int], every: int) -> Split:
    return Split([x for i, x in enumerate(xs) if i % every], xs[::every])


@task
def count_label(xs: list[int]) -> typing.Tuple[int, str]:  # noqa: UP006 - flytekit spelling
    return len(xs), f"n={len(xs)}"


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@task
def fit(xs: list[int]) -> Model:
    return Model([float(x) for x in xs], f"m{len(xs)}", float(sum(xs)) / max(len(xs), 1))


@task
def weight_sum(weights: list[float]) -> float:
    return sum(weights)


@task
def shout(name: str) -> str:
    return name.upper()


@task
def step(name: str) -> str:
    ORDER.append(name)
    return name


@task
def mark(name: str) -> None:
    ORDER.append(name)


@workflow
def structured(xs: list[int] = [1, 2, 3, 4, 5, 6], every: int = 3) -> Summary:  # noqa: B006
    parts = split(xs=xs, every=every)
    train, test = parts  # unpacking a NamedTuple of promises
    n, label = count_label(xs=train)  # unpacking a Tuple output
    return Summary(count=total(xs=[n, total(xs=test)]), label=label)


def plain_structured(xs: list[int], every: int) -> tuple[int, str]:
    train = [x for i, x in enumerate(xs) if i % every]
    test = xs[::every]
    return len(train) + sum(test), f"n={len(train)}"


def test_namedtuple_and_tuple_outputs_by_attribute_and_unpacking() -> None:
    result = structured()
    assert isinstance(result, Summary)
    assert (result.count, result.label) == plain_structured([1, 2, 3, 4, 5, 6], 3)
    assert tuple(structured(xs=[5, 6, 7], every=2)) == plain_structured([5, 6, 7], 2)


def test_namedtuple_promise_attributes_are_typed_outputs() -> None:
    with pytest.raises(WiringTypeError, match=r"parameter 'name': expected str, got list\[int\] "
                       r"from output 'train' of node n0 \(split\)"):
        @workflow
        def typed(xs: list[int]) -> str:
            parts = split(xs=xs, every=2)
            return shout(name=parts.train)


def test_tuple_output_returned_as_a_tuple() -> None:
    @workflow
    def pair(xs: list[int]) -> tuple[int, str]:
        return count_label(xs=xs)

    assert pair(xs=[1, 2]) == (2, "n=2")
    assert pair.spec.to_json()["output_bindings"] == {
        "o0": {"node": "n0", "output": "o0"}, "o1": {"node": "n0", "output": "o1"}}


def test_dataclass_attribute_on_a_promise_wires_the_field_with_its_type() -> None:
    @workflow
    def fields(xs: list[int]) -> tuple[float, str, float]:
        model = fit(xs=xs)
        return weight_sum(weights=model.weights), shout(name=model.name), model.score

    node = fields.spec.to_json()["nodes"][1]
    assert node["inputs"] == {"weights": {"node": "n0", "output": "o0", "attr": ["weights"]}}
    xs = [1, 2, 6]
    assert fields(xs=xs) == (9.0, "M3", sum(xs) / len(xs))


def test_dataclass_field_of_the_wrong_type() -> None:
    with pytest.raises(WiringTypeError) as info:
        @workflow
        def wrong_field(xs: list[int]) -> str:
            return shout(name=fit(xs=xs).score)

    assert str(info.value) == (
        "workflow 'wrong_field', node n1 (shout), parameter 'name': expected str, got float "
        "from output 'o0' of node n0 (fit).score")


def test_unknown_dataclass_field() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def no_field(xs: list[int]) -> str:
            return shout(name=fit(xs=xs).nme)

    assert str(info.value).startswith("workflow 'no_field' (")
    assert str(info.value).endswith("): output 'o0' of node n0 (fit) has no attribute 'nme' "
                                    "(its type Model has no such field)")


def test_rshift_orders_nodes_without_data() -> None:
    @workflow
    def ordered() -> str:
        first = step(name="first")
        side = mark(name="side")
        last = step(name="last")
        first >> side
        side >> last
        return last

    upstream = {n.id: n.upstream for n in ordered.spec.nodes}
    assert upstream == {"n0": (), "n1": ("n0",), "n2": ("n1",)}
    ORDER.clear()
    assert ordered() == "last"
    assert ORDER == ["first", "side", "last"]


def test_rshift_from_a_workflow_input_is_refused() -> None:
    with pytest.raises(DefinitionError, match=r"`a >> b` orders two node outputs inside a "
                       "workflow body"):
        @workflow
        def input_order(name: str) -> str:
            out = step(name=name)
            name >> out  # type: ignore[operator]
            return out


@workflow
def sub(x: int, y: int = 10, every: int = 2) -> int:
    return total(xs=split(xs=[x, y, y], every=every).test)


@workflow
def uses_sub(x: int = 1) -> int:
    a = sub(x=x)
    b = sub(x=x, y=100, every=1)
    return total(xs=[a, b])


def plain_sub(x: int, y: int = 10, every: int = 2) -> int:
    return sum([x, y, y][::every])


def test_sub_workflow_defaults_and_workflow_defaults() -> None:
    assert uses_sub() == plain_sub(1) + plain_sub(1, 100, 1)
    assert uses_sub(x=7) == plain_sub(7) + plain_sub(7, 100, 1)
    node = uses_sub.spec.to_json()["nodes"][0]
    assert node["kind"] == "workflow"
    assert node["inputs"] == {"x": {"input": "x"}, "y": {"const": 10}, "every": {"const": 2}}


def test_workflow_missing_and_unknown_inputs_at_call_time() -> None:
    with pytest.raises(InvalidInputError, match="workflow 'sub': input 'x' is required"):
        sub()
    with pytest.raises(InvalidInputError, match=r"has no input 'yy'.*Did you mean 'y'"):
        sub(x=1, yy=2)
