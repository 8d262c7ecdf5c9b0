"""Promises: placeholders for values that exist only when a workflow executes."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from slipstream._core.errors import DefinitionError
from slipstream.graph.conditions import Comparison, Condition, Unary
from slipstream.graph.spec import Binding, ConstBinding, OutputBinding


class Promise:
    """The future value of a node output or workflow input, typed by its hint.

    Supports comparisons (`p > 0.5`, `p == "x"`) and `is_true()` / `is_false()` / `is_none()` for
    `conditional(...)`, attribute access into dataclass outputs, and `a >> b` to order nodes
    that share no data.
    """

    __slots__ = ("binding", "label", "node_id", "tp")

    def __init__(self, binding: Binding, tp: Any, label: str, node_id: str | None = None) -> None:
        self.binding = binding
        self.tp = tp
        self.label = label
        self.node_id = node_id

    def __repr__(self) -> str:
        return f"Promise({self.label})"

    def __getattr__(self, name: str) -> Promise:
        if name.startswith("__"):
            raise AttributeError(name)
        fields = _fields_of(self.tp)
        if fields is None or name not in fields:
            raise DefinitionError(
                f"{self.label} has no attribute {name!r} (its type "
                f"{getattr(self.tp, '__name__', self.tp)} has no such field)"
            )
        binding = self.binding
        if not isinstance(binding, OutputBinding):
            raise DefinitionError(f"attribute access is only supported on node outputs ({self.label})")
        sub = OutputBinding(binding.node_id, binding.output, (*binding.attr_path, name))
        return Promise(sub, fields[name], f"{self.label}.{name}", self.node_id)

    def __bool__(self) -> bool:
        raise DefinitionError(
            f"{self.label} has no value while the workflow is being defined, so it cannot be used "
            "in `if`, `and`, `or` or `not`. Branch with conditional(\"name\").if_(...), or move "
            "the logic into a task or a @dynamic task"
        )

    def __iter__(self) -> Any:
        raise DefinitionError(
            f"{self.label} cannot be iterated while the workflow is being defined; to fan out over "
            "a list use map_task(...) or a @dynamic task"
        )

    def __hash__(self) -> int:
        return id(self)

    def _compare(self, op: str, other: Any) -> Condition:
        return Comparison(op, self.binding, _operand(other))

    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        return self._compare("==", other)

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        return self._compare("!=", other)

    def __lt__(self, other: Any) -> Condition:
        return self._compare("<", other)

    def __le__(self, other: Any) -> Condition:
        return self._compare("<=", other)

    def __gt__(self, other: Any) -> Condition:
        return self._compare(">", other)

    def __ge__(self, other: Any) -> Condition:
        return self._compare(">=", other)

    def is_true(self) -> Condition:
        return Unary("is_true", self.binding)

    def is_false(self) -> Condition:
        return Unary("is_false", self.binding)

    def is_none(self) -> Condition:
        return Unary("is_none", self.binding)

    def __rshift__(self, other: Any) -> Any:
        from slipstream.sdk.builder import current_builder

        builder = current_builder()
        downstream = getattr(other, "node_id", None)
        if builder is None or self.node_id is None or downstream is None:
            raise DefinitionError("`a >> b` orders two node outputs inside a workflow body")
        builder.add_order(self.node_id, downstream)
        return other


class NodeOutputs:
    """What calling a task with no outputs returns: usable only for `>>` ordering."""

    __slots__ = ("label", "node_id")

    def __init__(self, node_id: str, label: str) -> None:
        self.node_id = node_id
        self.label = label

    def __rshift__(self, other: Any) -> Any:
        return Promise.__rshift__(self, other)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"NodeOutputs({self.label})"


def _operand(value: Any) -> Binding:
    if isinstance(value, Promise):
        return value.binding
    return ConstBinding(value, type(value))


def _fields_of(tp: Any) -> dict[str, Any] | None:
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return typing.get_type_hints(tp)
    if isinstance(tp, type) and hasattr(tp, "model_fields"):
        return {name: f.annotation for name, f in tp.model_fields.items()}
    return None
