"""Definition-time errors: each is a DefinitionError with one message that says what is wrong,
where (workflow, node, file:line) and how to fix it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from slipstream import task, workflow
from slipstream._core.errors import DefinitionError, WiringTypeError

HERE = re.escape(__file__)


@task
def inc(x: int) -> int:
    return x + 1


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def numbers(n: int) -> list[int]:
    return list(range(n))


# --- type hints and signatures ----------------------------------------------------------------
def test_missing_input_hint() -> None:
    with pytest.raises(DefinitionError) as info:
        @task
        def no_hint(x) -> int:  # type: ignore[no-untyped-def]
            return 1

    message = str(info.value)
    assert re.fullmatch(
        rf"task test_missing_input_hint\.<locals>\.no_hint \({HERE}:\d+\): parameter 'x' has no "
        r"type hint; every input needs one, e.g. `x: int`", message), message


def test_missing_return_hint() -> None:
    with pytest.raises(DefinitionError, match=r"no_return \(.*test_definition_errors\.py:\d+\): "
                       r"no return type hint; add `-> None` if it returns nothing"):
        @task
        def no_return(x: int):  # type: ignore[no-untyped-def]
            return x


def test_missing_hint_on_a_workflow_names_it_as_a_workflow() -> None:
    with pytest.raises(DefinitionError, match=r"^workflow .*untyped_wf .*parameter 'x' has no "
                       "type hint"):
        @workflow
        def untyped_wf(x) -> int:  # type: ignore[no-untyped-def]
            return inc(x=x)


def test_hint_naming_an_undefined_name() -> None:
    def broken(x: int) -> int:
        return 1

    broken.__annotations__["x"] = "Undefined"  # a forward reference that never resolves

    with pytest.raises(DefinitionError, match="a type hint names something undefined: name "
                       "'Undefined' is not defined"):
        task(broken)


@pytest.mark.parametrize("star", ["*args", "**kwargs"])
def test_star_args_are_rejected(star: str) -> None:
    namespace: dict[str, Any] = {}
    exec(f"def variadic({star}: int) -> int:\n    return 1\n", namespace)
    name = star.lstrip("*")
    with pytest.raises(DefinitionError) as info:
        task(namespace["variadic"])
    assert f"*{name} is not supported; declare each input as a typed parameter" in str(info.value)
    assert str(info.value).startswith("task variadic (")


# --- calling tasks in a body ----------------------------------------------------------------
def test_unknown_kwarg_suggests_the_closest_name() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def typo(v: int) -> int:
            return add(x=v, yy=v)

    assert str(info.value) == (
        "workflow 'typo', node n0 (add): unknown input 'yy'; inputs are ['x', 'y']. "
        "Did you mean 'y'?")


def test_unknown_kwarg_with_nothing_close_has_no_suggestion() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def far(v: int) -> int:
            return inc(completely_different=v)

    assert "unknown input 'completely_different'; inputs are ['x']" in str(info.value)
    assert "Did you mean" not in str(info.value)


def test_unbound_required_input_names_it_and_its_type() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def unbound(v: int) -> int:
            return add(x=v)

    assert str(info.value) == (
        "workflow 'unbound', node n0 (add): input 'y' is not bound; pass y=... (type int)")


def test_input_given_twice() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def twice(v: int) -> int:
            return add(v, x=v, y=v)

    assert str(info.value) == "workflow 'twice', node n0 (add): input 'x' given twice"


def test_too_many_positional_arguments() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def too_many(v: int) -> int:
            return inc(v, v)

    assert str(info.value) == "workflow 'too_many', node n0 (inc): takes 1 inputs, got 2 positional"


def test_positional_arguments_bind_in_order() -> None:
    @workflow
    def positional(a: int, b: int) -> int:
        return add(a, b)

    node = positional.spec.to_json()["nodes"][0]
    assert node["inputs"] == {"x": {"input": "a"}, "y": {"input": "b"}}


# --- promises used as values ------------------------------------------------------------------
def _line_of(marker: str) -> int:
    with open(__file__) as f:
        for number, line in enumerate(f, 1):
            if marker in line and "_line_of" not in line:
                return number
    raise AssertionError(marker)


def test_promise_in_if() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def branchy(v: int) -> int:
            out = inc(x=v)
            if out:  # marker: promise-in-if
                return out
            return inc(x=out)

    assert str(info.value) == (
        f"workflow 'branchy' ({__file__}:{_line_of('marker: promise-in-if')}): output 'o0' of "
        "node n0 (inc) has no value while the workflow is being defined, so it cannot be used in "
        "`if`, `and`, `or` or `not`. Branch with conditional(\"name\").if_(...), or move the "
        "logic into a task or a @dynamic task")


def test_promise_in_and() -> None:
    with pytest.raises(DefinitionError, match=r"^workflow 'anded' \(.*\): input 'v' has no value "
                       r"while the workflow is being defined, so it cannot be used in `if`, `and`"):
        @workflow
        def anded(v: int) -> int:
            return v and inc(x=v)  # type: ignore[return-value]


def test_comparison_in_if_says_to_use_conditional() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def compared(v: int) -> int:
            if v > 3:  # marker: comparison-in-if
                return inc(x=v)
            return v

    message = str(info.value)
    assert message.startswith(
        f"workflow 'compared' ({__file__}:{_line_of('marker: comparison-in-if')}): ")
    assert "use `&` and `|` instead of `and` and `or`, and pass it to conditional(...).if_()" \
        in message


def test_promise_in_for() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def loop(n: int) -> int:
            total = 0
            for item in numbers(n=n):  # marker: promise-in-for
                total = add(x=total, y=item)
            return total

    assert str(info.value) == (
        f"workflow 'loop' ({__file__}:{_line_of('marker: promise-in-for')}): output 'o0' of "
        "node n0 (numbers) cannot be iterated while the workflow is being defined; to fan out "
        "over a list use map_task(...) or a @dynamic task")


def test_arithmetic_on_a_promise_names_workflow_and_line() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def arithmetic(v: int) -> int:
            doubled = inc(x=v) * 2  # marker: arithmetic
            return inc(x=doubled)

    assert str(info.value) == (
        f"workflow 'arithmetic' ({__file__}:{_line_of('marker: arithmetic')}): its body raised "
        "TypeError: unsupported operand type(s) for *: 'Promise' and 'int'. A workflow body only "
        "wires tasks together; computation belongs in tasks")
    assert isinstance(info.value.__cause__, TypeError)


def test_any_exception_in_a_body_becomes_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match=r"^workflow 'keyed' \(.*\): its body raised "
                       r"KeyError: 'missing'"):
        @workflow
        def keyed(v: int) -> int:
            return {"a": inc(x=v)}["missing"]


def test_promise_of_a_task_without_outputs_is_not_a_value() -> None:
    @task
    def nothing(x: int) -> None:
        return None

    with pytest.raises(WiringTypeError) as info:
        @workflow
        def uses_nothing(v: int) -> int:
            return inc(x=nothing(x=v))

    assert str(info.value) == (
        "workflow 'uses_nothing', node n1 (inc), parameter 'x': node n0 (nothing) returns "
        "nothing, so it has no value")


# --- constants -------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "shown"), [("three", "str: 'three'"), (2.5, "float: 2.5"),
                                              ([1], "list: [1]")])
def test_constant_of_the_wrong_type(value: Any, shown: str) -> None:
    with pytest.raises(WiringTypeError) as info:
        @workflow
        def constant(v: int) -> int:
            return add(x=v, y=value)

    assert str(info.value).startswith(
        "workflow 'constant', node n0 (add), parameter 'y': expected int, got ")
    assert f"expected int, got {shown}" in str(info.value)


def test_constant_of_the_right_type_is_bound_as_a_constant() -> None:
    @workflow
    def constant_ok(v: int) -> int:
        return add(x=v, y=41)

    assert constant_ok.spec.to_json()["nodes"][0]["inputs"]["y"] == {"const": 41}


def test_wrong_number_of_outputs_returned_by_a_body() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def short(v: int) -> tuple[int, int]:
            return inc(x=v)  # type: ignore[return-value]

    assert str(info.value).startswith(
        "workflow 'short' must return a tuple of 2 values (o0, o1), got Promise")


def test_workflow_called_with_too_many_positional_values() -> None:
    @workflow
    def one_input(v: int) -> int:
        return inc(x=v)

    with pytest.raises(DefinitionError, match="workflow 'one_input' takes 1 inputs"):
        one_input(1, 2)
