"""conditional(...): misuse fails at definition with one message; correct use runs the chosen
case only."""

from __future__ import annotations

import re

import pytest

from slipstream import conditional, task, workflow
from slipstream._core.errors import DefinitionError, ExecutionFailedError, WiringTypeError

CALLS: list[str] = []


@task
def half(x: float) -> float:
    return x / 2


@task
def double(x: float) -> float:
    return x * 2


@task
def label(x: float) -> str:
    return str(x)


@task
def note(x: float) -> None:
    CALLS.append(f"note {x}")


@task
def is_big(x: float) -> bool:
    return x > 100


def test_elif_before_if() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def elif_first(x: float) -> float:
            return conditional("c").elif_(x > 1).then(half(x=x))

    assert str(info.value).startswith("workflow 'elif_first' (")
    assert str(info.value).endswith("): conditional 'c': elif_() needs an if_() before it")


def test_else_before_if() -> None:
    with pytest.raises(DefinitionError, match=r"^workflow 'else_first' \(.*\): conditional 'c': "
                       r"else_\(\) needs an if_\(\) before it$"):
        @workflow
        def else_first(x: float) -> float:
            return conditional("c").else_().then(half(x=x))


def test_if_twice() -> None:
    with pytest.raises(DefinitionError, match=r"conditional 'c': if_\(\) must come first, "
                       "and once"):
        @workflow
        def if_twice(x: float) -> float:
            return (conditional("c").if_(x > 1).then(half(x=x))
                    .if_(x < 0).then(double(x=x)).else_().then(x))


def test_then_missing_before_elif() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def no_then(x: float) -> float:
            return conditional("c").if_(x > 1).elif_(x < 0).then(half(x=x))  # type: ignore[attr-defined]

    assert str(info.value).endswith(
        "conditional 'c': case 1 has no then(); finish it with .then(value) or .fail(\"message\")")
    assert "workflow 'no_then'" in str(info.value)


def test_then_missing_after_else() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def dangling_else(x: float) -> float:
            return conditional("c").if_(x > 1).then(half(x=x)).else_()  # type: ignore[return-value]

    assert "workflow 'dangling_else'" in str(info.value)
    assert str(info.value).endswith("conditional 'c': case 2 has no then(); finish it with "
                                    ".then(value) or .fail(\"message\")")


def test_conditional_without_else_is_an_error_not_a_silent_drop() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def no_else(x: float) -> None:
            conditional("notify").if_(x > 1).then(note(x=x))

    assert str(info.value).endswith(
        "conditional 'notify' is not finished; end it with .else_().then(value) or "
        ".else_().fail(\"message\")")
    assert str(info.value).startswith("workflow 'no_else' (")


def test_cases_returning_different_types() -> None:
    with pytest.raises(WiringTypeError) as info:
        @workflow
        def mixed(x: float) -> float:
            return conditional("c").if_(x > 1).then(half(x=x)).else_().then(label(x=x))

    assert str(info.value) == (
        "workflow 'mixed', conditional 'c', case 2: expected float, got str from output 'o0' of "
        "node n2 (label)")


def test_value_in_one_case_none_in_another() -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def some_none(x: float) -> None:
            conditional("c").if_(x > 1).then(half(x=x)).else_().then(note(x=x))

    assert str(info.value) == (
        "workflow 'some_none', conditional 'c': every case must return a value, or none must")


@pytest.mark.parametrize("condition", [True, 1, "yes", None])
def test_condition_that_is_not_about_promises(condition: object) -> None:
    with pytest.raises(DefinitionError) as info:
        @workflow
        def plain(x: float) -> float:
            return conditional("c").if_(condition).then(half(x=x)).else_().then(x)  # type: ignore[arg-type]

    assert "conditional 'c': the condition must compare promises (e.g. `x > 0.5`, " \
        "`flag.is_true()`), got " in str(info.value)
    assert "workflow 'plain'" in str(info.value)


def test_conditional_outside_a_workflow() -> None:
    with pytest.raises(DefinitionError, match=r"conditional\('c'\) can only be used in a "
                       "workflow body"):
        conditional("c")


def test_python_and_between_conditions_is_refused() -> None:
    with pytest.raises(DefinitionError, match=re.escape("use `&` and `|` instead of `and` and `or`")):
        @workflow
        def py_and(x: float) -> float:
            return conditional("c").if_(x > 1 and x < 5).then(half(x=x)).else_().then(x)


# --- running ---------------------------------------------------------------------------------
@workflow
def ranged(x: float) -> float:
    return (conditional("range")
            .if_((x >= 0.1) & (x <= 1.0)).then(double(x=x))
            .elif_((x > 1.0) | (x < -10.0)).then(half(x=x))
            .else_().fail("x must be >= 0.1"))


def plain_ranged(x: float) -> float:
    if 0.1 <= x <= 1.0:
        return x * 2
    if x > 1.0 or x < -10.0:
        return x / 2
    raise ValueError("x must be >= 0.1")


@pytest.mark.parametrize("x", [0.1, 0.5, 1.0, 1.5, 300.0, -20.0])
def test_chosen_case_runs(x: float) -> None:
    assert ranged(x=x) == plain_ranged(x)


def test_fail_case_fails_the_execution_with_its_message() -> None:
    with pytest.raises(ExecutionFailedError, match=re.escape("x must be >= 0.1")):
        ranged(x=0.0)


def test_only_the_chosen_case_runs() -> None:
    @workflow
    def chooses(x: float) -> None:
        big = is_big(x=x)
        (conditional("c").if_(big.is_true()).then(note(x=x))
         .else_().then(note(x=0.0)))

    CALLS.clear()
    chooses(x=500.0)
    chooses(x=5.0)
    assert CALLS == ["note 500.0", "note 0.0"]


def test_is_false_and_promise_comparisons() -> None:
    @workflow
    def flags(x: float, limit: float = 3.0) -> float:
        big = is_big(x=x)
        return (conditional("c").if_(big.is_false() & (x < limit)).then(double(x=x))
                .else_().then(half(x=x)))

    assert [flags(x=1.0), flags(x=5.0), flags(x=200.0), flags(x=5.0, limit=10.0)] == \
        [2.0, 2.5, 100.0, 10.0]


def test_a_constant_case_output() -> None:
    @workflow
    def constant_case(x: float) -> float:
        return conditional("c").if_(x > 0).then(half(x=x)).else_().then(0.0)

    assert constant_case(x=4.0) == 2.0
    assert constant_case(x=-4.0) == 0.0
