"""Typed interfaces from function signatures: inputs with defaults, outputs from the return hint."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

from slipstream._core.errors import DefinitionError
from slipstream.graph.spec import Interface, Param


def where(fn: Callable[..., Any]) -> str:
    """`file:line` of a function, for error messages."""
    code = getattr(fn, "__code__", None)
    return f"{code.co_filename}:{code.co_firstlineno}" if code else getattr(fn, "__qualname__", "?")


def module_name(fn: Callable[..., Any]) -> str:
    """The module a function belongs to, naming a script run as `__main__` after its file, so
    that `python flow.py` and `slipstream run flow.py:wf` give the same refs, versions and
    cache keys."""
    name: str = fn.__module__
    if name == "__main__":
        code = getattr(fn, "__code__", None)
        if code is not None and code.co_filename.endswith(".py"):
            return code.co_filename.rsplit("/", 1)[-1][:-3]
    return name


def is_namedtuple(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields")


def interface_of(fn: Callable[..., Any], what: str) -> Interface:
    """Read the typed interface of `fn`; `what` ('task', 'workflow') goes into error messages."""
    try:
        hints = typing.get_type_hints(fn, include_extras=False)
    except NameError as exc:
        raise DefinitionError(
            f"{what} {fn.__qualname__} ({where(fn)}): a type hint names something undefined: {exc}"
        ) from None
    from slipstream.types import default_engine

    engine = default_engine()
    inputs: dict[str, Param] = {}
    context_param = None
    for name, param in inspect.signature(fn).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise DefinitionError(
                f"{what} {fn.__qualname__} ({where(fn)}): *{name} is not supported; "
                "declare each input as a typed parameter"
            )
        if name not in hints:
            raise DefinitionError(
                f"{what} {fn.__qualname__} ({where(fn)}): parameter {name!r} has no type hint; "
                f"every input needs one, e.g. `{name}: int`"
            )
        tp = hints[name]
        if _is_run_context(tp):
            context_param = name
            continue
        engine.check_hint(tp)
        has_default = param.default is not inspect.Parameter.empty
        inputs[name] = Param(tp, param.default if has_default else None, has_default)
    if "return" not in hints:
        raise DefinitionError(
            f"{what} {fn.__qualname__} ({where(fn)}): no return type hint; add `-> None` if it "
            "returns nothing"
        )
    outputs, style, cls = _outputs(hints["return"], engine)
    return Interface(inputs, outputs, style, cls, context_param)


def _outputs(ret: Any, engine: Any) -> tuple[dict[str, Any], str, Any]:
    if ret is None or ret is type(None):
        return {}, "none", None
    if is_namedtuple(ret):
        fields = typing.get_type_hints(ret)
        for tp in fields.values():
            engine.check_hint(tp)
        return dict(fields), "namedtuple", ret
    origin = typing.get_origin(ret)
    if origin is tuple:
        args = typing.get_args(ret)
        if args and args[-1] is not Ellipsis and args != ((),):
            for tp in args:
                engine.check_hint(tp)
            return {f"o{i}": tp for i, tp in enumerate(args)}, "tuple", None
    engine.check_hint(ret)
    return {"o0": ret}, "single", None


def _is_run_context(tp: Any) -> bool:
    return getattr(tp, "__name__", "") == "RunContext" and getattr(
        tp, "__module__", "").startswith("slipstream")


def split_outputs(interface: Interface, value: Any, name: str) -> dict[str, Any]:
    """Map a function's return value to named outputs; raises ValueConversionError when the
    shape does not match the interface (a tuple of the wrong length, a value for `-> None`)."""
    from slipstream._core.errors import ValueConversionError

    style = interface.output_style
    if style == "single":
        return {"o0": value}
    if style == "none":
        if value is not None:
            raise ValueConversionError(
                f"{name} is declared `-> None` but returned {type(value).__name__}: "
                f"{_short(value)}"
            )
        return {}
    names = list(interface.outputs)
    if not isinstance(value, tuple) or len(value) != len(names):
        raise ValueConversionError(
            f"{name} must return a tuple of {len(names)} values ({', '.join(names)}), got "
            f"{type(value).__name__}: {_short(value)}"
        )
    return dict(zip(names, value, strict=True))


def join_outputs(interface: Interface, values: dict[str, Any]) -> Any:
    """The inverse of `split_outputs`: named outputs back to the Python return value."""
    style = interface.output_style
    if style == "single":
        return values["o0"]
    if style == "none":
        return None
    if style == "namedtuple":
        return interface.output_class(**values)
    return tuple(values[name] for name in interface.outputs)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


