"""A launch plan's inputs against its workflow's typed interface: checked and converted to
literals when the plan is created (`bind`), merged with a launch's overrides into the values
an execution starts with (`launch_values`). Every mistake is one InvalidInputError naming the
plan, the input and what is wrong."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slipstream._core.errors import InvalidInputError, ValueConversionError, did_you_mean
from slipstream.execution.values import Value, make_value


def bind(plan: str, workflow: Any, fixed: Mapping[str, Any] | None,
         default: Mapping[str, Any] | None, engine: Any, ctx: Any, *,
         scheduled: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fixed and default inputs as literal maps, each checked against `workflow`'s inputs.
    A scheduled plan must leave no required input unset (a tick passes no inputs)."""
    fixed, default = dict(fixed or {}), dict(default or {})
    for label, given in (("fixed_inputs", fixed), ("default_inputs", default)):
        if not all(isinstance(k, str) for k in given):
            raise InvalidInputError(f"launch plan {plan!r}: {label} must map input names to "
                                    "values")
    both = sorted(set(fixed) & set(default))
    if both:
        raise InvalidInputError(f"launch plan {plan!r}: input {both[0]!r} is in both "
                                "fixed_inputs and default_inputs; give it in one")
    literals = ({name: _literal(plan, workflow, name, py, engine, ctx)
                 for name, py in fixed.items()},
                {name: _literal(plan, workflow, name, py, engine, ctx)
                 for name, py in default.items()})
    if scheduled:
        for name, param in workflow.interface.inputs.items():
            if not param.has_default and name not in fixed and name not in default:
                raise InvalidInputError(
                    f"launch plan {plan!r}: workflow {workflow.name!r} requires input {name!r} "
                    f"({engine.type_name(param.tp)}) and a scheduled tick passes none: give it "
                    "in fixed_inputs or default_inputs")
    return literals


def launch_values(plan: Any, workflow: Any, overrides: Mapping[str, Any] | None, engine: Any,
                  ctx: Any) -> tuple[dict[str, Value], dict[str, Any]]:
    """The execution's input values for a launch of `plan` (a LaunchPlanRecord) with
    `overrides` (Python values), and the overrides as literals (what the launch records).
    Overriding a fixed input, or leaving a required one unset, is an error."""
    overrides = dict(overrides or {})
    params = workflow.interface.inputs
    given: dict[str, Any] = {}
    for name, py in overrides.items():
        if name in plan.fixed_inputs:
            raise InvalidInputError(
                f"launch plan {plan.name!r} fixes input {name!r}; a launch cannot override it "
                f"(overridable: {sorted(set(params) - set(plan.fixed_inputs))})")
        given[name] = _literal(plan.name, workflow, name, py, engine, ctx)
    values: dict[str, Value] = {}
    for name, param in params.items():
        for source in (given, plan.fixed_inputs, plan.default_inputs):
            if name in source:
                values[name] = Value(param.tp, source[name])
                break
        else:
            if not param.has_default:
                raise InvalidInputError(
                    f"launch plan {plan.name!r}: input {name!r} "
                    f"({engine.type_name(param.tp)}) is required: pass it to the launch")
            values[name] = make_value(engine, param.default, param.tp, ctx)
    return values, given


def _literal(plan: str, workflow: Any, name: str, py: Any, engine: Any, ctx: Any) -> Any:
    params = workflow.interface.inputs
    if name not in params:
        raise InvalidInputError(
            f"launch plan {plan!r}: workflow {workflow.name!r} has no input {name!r}; inputs "
            f"are {list(params)}.{did_you_mean(name, params)}")
    tp = params[name].tp
    try:
        return engine.to_literal(py, tp, ctx)
    except ValueConversionError as exc:
        raise InvalidInputError(
            f"launch plan {plan!r}: input {name!r} expects {engine.type_name(tp)}, got "
            f"{py!r:.80} ({type(py).__name__}): {exc}") from None
