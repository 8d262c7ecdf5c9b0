"""Conditions of `conditional(...)` branches: comparisons of bindings, combined with & and |."""

from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slipstream.graph.spec import Binding

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt,
    "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}

Resolve = Callable[[Binding], Any]


class Condition(ABC):
    """A boolean expression evaluated when the branch node runs."""

    @abstractmethod
    def evaluate(self, resolve: Resolve) -> bool:
        """See the class docstring."""

    @abstractmethod
    def bindings(self) -> list[Binding]:
        """See the class docstring."""

    @abstractmethod
    def to_json(self) -> Any:
        """See the class docstring."""

    def __and__(self, other: Condition) -> Condition:
        return BoolOp("and", self, other)

    def __or__(self, other: Condition) -> Condition:
        return BoolOp("or", self, other)

    def __bool__(self) -> bool:
        from slipstream._core.errors import DefinitionError

        raise DefinitionError(
            "A condition on promises has no value while the workflow is being defined; use "
            "`&` and `|` instead of `and` and `or`, and pass it to conditional(...).if_()"
        )


@dataclass(frozen=True, eq=False)
class Comparison(Condition):
    """`left <op> right` where either side is a binding."""

    op: str
    left: Binding
    right: Binding

    def evaluate(self, resolve: Resolve) -> bool:
        return bool(_COMPARE[self.op](resolve(self.left), resolve(self.right)))

    def bindings(self) -> list[Binding]:
        return [self.left, self.right]

    def to_json(self) -> Any:
        return {"op": self.op, "left": self.left.to_json(), "right": self.right.to_json()}


@dataclass(frozen=True, eq=False)
class Unary(Condition):
    """is_true / is_false / is_none of one binding."""

    op: str
    operand: Binding

    def evaluate(self, resolve: Resolve) -> bool:
        value = resolve(self.operand)
        if self.op == "is_none":
            return value is None
        return bool(value) if self.op == "is_true" else not bool(value)

    def bindings(self) -> list[Binding]:
        return [self.operand]

    def to_json(self) -> Any:
        return {"op": self.op, "operand": self.operand.to_json()}


@dataclass(frozen=True, eq=False)
class BoolOp(Condition):
    """`left & right` or `left | right` (short-circuit)."""

    op: str
    left: Condition
    right: Condition

    def evaluate(self, resolve: Resolve) -> bool:
        if self.op == "and":
            return self.left.evaluate(resolve) and self.right.evaluate(resolve)
        return self.left.evaluate(resolve) or self.right.evaluate(resolve)

    def bindings(self) -> list[Binding]:
        return self.left.bindings() + self.right.bindings()

    def to_json(self) -> Any:
        return {"op": self.op, "left": self.left.to_json(), "right": self.right.to_json()}
