"""Workflow inputs from command-line options: `--n-rows 3000 --threshold=0.1 --flag/--no-flag`."""

from __future__ import annotations

import typing
from typing import Any

from slipstream._core.errors import InvalidInputError, ValueConversionError, did_you_mean


def parse_inputs(workflow: Any, args: list[str], engine: Any, ctx: Any) -> dict[str, Any]:
    """Parse `args` against the workflow's typed inputs; unknown or malformed options raise
    InvalidInputError listing the inputs."""
    params = workflow.interface.inputs
    values: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            raise InvalidInputError(f"unexpected argument {arg!r}; inputs are given as options: "
                                    f"{usage(workflow, engine)}")
        key, has_value, text = arg[2:].partition("=")
        name = key.replace("-", "_")
        negated = name.startswith("no_") and name[3:] in params and _is_bool(params[name[3:]].tp)
        if negated:
            values[name[3:]] = False
            i += 1
            continue
        if name not in params:
            raise InvalidInputError(
                f"workflow {workflow.name!r} has no input --{key}.{did_you_mean(name, params)} "
                f"Inputs: {usage(workflow, engine)}")
        tp = params[name].tp
        if not has_value:
            if _is_bool(tp) and (i + 1 >= len(args) or args[i + 1].startswith("--")):
                values[name] = True
                i += 1
                continue
            if i + 1 >= len(args):
                raise InvalidInputError(f"--{key} needs a value ({engine.type_name(tp)})")
            text = args[i + 1]
            i += 1
        i += 1
        try:
            values[name] = engine.from_string(text, tp, ctx)
        except (ValueConversionError, ValueError) as exc:
            raise InvalidInputError(f"--{key} {text!r}: {exc}") from None
    return values


def usage(workflow: Any, engine: Any) -> str:
    parts = []
    for name, param in workflow.interface.inputs.items():
        option = f"--{name.replace('_', '-')} {engine.type_name(param.tp)}"
        if param.has_default:
            option += f" (default {param.default!r})"
        parts.append(option)
    return ", ".join(parts) or "(none)"


def _is_bool(tp: Any) -> bool:
    return tp is bool or (typing.get_origin(tp) is typing.Union and bool in typing.get_args(tp))
