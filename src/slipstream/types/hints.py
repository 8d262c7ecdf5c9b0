"""Reading type hints: readable names, union members, and wiring compatibility.

Pure functions over `typing` objects; no transformer or engine involved.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from typing import Any

NoneType = type(None)

# Classes from these packages are named with their package ("pandas.DataFrame"); other classes
# by their qualified name alone ("MyDataclass").
QUALIFIED_PACKAGES = frozenset({
    "numpy", "pandas", "pyarrow", "polars", "torch", "tensorflow", "jax", "sklearn", "scipy",
})

# Subclass pairs that are NOT wireable: the subclass would lose meaning or data when converted.
_NOT_WIREABLE: frozenset[tuple[type, type]] = frozenset({
    (bool, int), (bool, float), (dt.datetime, dt.date),
})


def union_members(tp: Any) -> tuple[Any, ...] | None:
    """The members of a `Union[...]`, `Optional[...]` or `X | Y` hint; None for other hints."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(tp)
    return None


def type_name(tp: Any) -> str:
    """A short readable name: "int", "list[dict[str, float]]", "Optional[int]", "MyDataclass"."""
    if tp is Any:
        return "Any"
    if tp is None or tp is NoneType:
        return "None"
    if tp is Ellipsis:
        return "..."
    if isinstance(tp, typing.TypeVar):
        return f"~{tp.__name__}"
    members = union_members(tp)
    if members is not None:
        rest = [m for m in members if m is not NoneType]
        if len(rest) == 1 and len(members) == 2:
            return f"Optional[{type_name(rest[0])}]"
        return "Union[" + ", ".join(type_name(m) for m in members) + "]"
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        return "Literal[" + ", ".join(repr(a) for a in typing.get_args(tp)) + "]"
    if origin is typing.Annotated:
        return type_name(typing.get_args(tp)[0])
    if origin is not None:
        args = typing.get_args(tp)
        if origin is tuple and args == ():
            return "tuple[()]"
        return f"{type_name(origin)}[" + ", ".join(type_name(a) for a in args) + "]"
    if isinstance(tp, type):
        package = tp.__module__.partition(".")[0]
        if package in QUALIFIED_PACKAGES:
            return f"{package}.{tp.__qualname__}"
        return tp.__qualname__
    return repr(tp)


def qualified_name(tp: Any) -> str:
    """`module.qualname` for a class, `type_name` for anything else."""
    if isinstance(tp, type):
        return f"{tp.__module__}.{tp.__qualname__}"
    return type_name(tp)


def is_compatible(produced: Any, expected: Any) -> bool:
    """Whether an output of hint `produced` may be wired into an input of hint `expected`."""
    if produced == expected or expected is Any:
        return True
    if typing.get_origin(produced) is typing.Annotated:
        return is_compatible(produced.__origin__, expected)
    if typing.get_origin(expected) is typing.Annotated:
        return is_compatible(produced, expected.__origin__)
    produced_members = union_members(produced)
    if produced_members is not None:
        return all(is_compatible(m, expected) for m in produced_members)
    expected_members = union_members(expected)
    if expected_members is not None:
        return any(is_compatible(produced, m) for m in expected_members)
    p_origin, e_origin = typing.get_origin(produced), typing.get_origin(expected)
    if p_origin is None and e_origin is None:
        return _is_wireable_subclass(produced, expected)
    p_base = p_origin if p_origin is not None else produced
    e_base = e_origin if e_origin is not None else expected
    if p_base is not e_base or p_base not in (list, dict, tuple, set, frozenset):
        return False
    if p_origin is None or e_origin is None:  # a bare container on one side
        return True
    p_args, e_args = typing.get_args(produced), typing.get_args(expected)
    if p_base is dict:
        return p_args[0] == e_args[0] and is_compatible(p_args[1], e_args[1])
    if p_base is tuple:
        return _tuple_compatible(p_args, e_args)
    return is_compatible(p_args[0], e_args[0])


def _is_wireable_subclass(produced: Any, expected: Any) -> bool:
    if not (isinstance(produced, type) and isinstance(expected, type)):
        return False
    if produced is int and expected is float:
        return True
    if any(issubclass(produced, sub) and expected is sup for sub, sup in _NOT_WIREABLE):
        return False
    if issubclass(produced, enum.Enum) and not issubclass(expected, enum.Enum):
        return False  # an IntEnum member is converted by its Enum, not as an int
    return issubclass(produced, expected)


def _tuple_compatible(p_args: tuple[Any, ...], e_args: tuple[Any, ...]) -> bool:
    p_variadic = len(p_args) == 2 and p_args[1] is Ellipsis
    e_variadic = len(e_args) == 2 and e_args[1] is Ellipsis
    if e_variadic:
        items = p_args[:1] if p_variadic else p_args
        return all(is_compatible(p, e_args[0]) for p in items)
    if p_variadic or len(p_args) != len(e_args):
        return False
    return all(is_compatible(p, e) for p, e in zip(p_args, e_args, strict=True))
