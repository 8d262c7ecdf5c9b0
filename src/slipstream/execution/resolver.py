"""Resolving bindings to values: workflow inputs, node outputs (and fields of them), constants,
and lists/dicts of those, converted when the consumer's type differs from the producer's."""

from __future__ import annotations

import typing
from concurrent.futures import Executor
from typing import Any

from slipstream._core.errors import SlipstreamError
from slipstream.execution.frames import Frame
from slipstream.execution.values import Value, deferred_value, expand, keep, make_value
from slipstream.graph.spec import (
    NO_LITERAL,
    Binding,
    ConstBinding,
    DictBinding,
    InputBinding,
    ListBinding,
    NodeSpec,
    OutputBinding,
)
from slipstream.types import ConversionContext, TypeEngine


class Resolver:
    """Turns bindings into `Value`s for one execution (constants converted once)."""

    def __init__(self, engine: TypeEngine, ctx: ConversionContext) -> None:
        self.engine = engine
        self.ctx = ctx
        self._consts: dict[int, Value] = {}
        self.serializer: Executor | None = None
        """Where constants with a cheap check are serialised (set by an in-process runner)."""
        self.deferred_consts: list[Value] = []

    def failed_constant(self) -> Exception | None:
        """The error of a constant that could not be stored in the background, if any (call
        after the serializer has drained)."""
        for value in self.deferred_consts:
            try:
                value.literal  # noqa: B018 - raises the serialisation error, if any
            except Exception as exc:
                return exc
        return None

    def values_from(self, types: dict[str, Any], literals: dict[str, Any] | None) -> dict[str, Value]:
        """Lazy values for stored outputs (materialised only if a task needs them)."""
        expanded = expand(literals, self.ctx)
        return {name: Value(tp, expanded[name]) for name, tp in types.items()}

    def resolve_inputs(self, frame: Frame, node: NodeSpec) -> dict[str, Value]:
        params = node.interface.inputs
        return {
            name: self.resolve(frame, binding, params[name].tp) for name, binding in node.bindings.items()
        }

    def resolve(self, frame: Frame, binding: Binding, tp: Any) -> Value:
        """The value a binding refers to, as type `tp` (converted if the producer's differs)."""
        if isinstance(binding, OutputBinding):
            value = frame.outputs_of(binding.node_id)[binding.output]
            if binding.attr_path:
                py = value.get(self.engine, self.ctx)
                for attr in binding.attr_path:
                    py = getattr(py, attr)
                return make_value(self.engine, py, tp, self.ctx)
            return self._as_type(value, tp)
        if isinstance(binding, InputBinding):
            return self._as_type(frame.inputs[binding.name], tp)
        if isinstance(binding, ConstBinding):
            cached = self._consts.get(id(binding))
            if cached is None:
                if binding.literal is not NO_LITERAL:  # converted when it was built
                    cached = keep(self.engine, binding.tp, binding.literal, binding.value)
                elif self.serializer is not None and self.engine.check(binding.value, binding.tp):
                    cached = deferred_value(self.engine, binding.value, binding.tp, self.ctx,
                                            self.serializer)
                    self.deferred_consts.append(cached)
                else:
                    cached = make_value(self.engine, binding.value, binding.tp, self.ctx)
                self._consts[id(binding)] = cached
            return self._as_type(cached, tp)
        if isinstance(binding, ListBinding):
            item_tp = _arg(tp, 0)
            items = [self.resolve(frame, item, item_tp) for item in binding.items]
            return self._collection(tp, [i.literal for i in items], items, list)
        if isinstance(binding, DictBinding):
            item_tp = _arg(tp, 1)
            pairs = {key: self.resolve(frame, item, item_tp) for key, item in binding.items}
            return self._collection(
                tp,
                {k: v.literal for k, v in pairs.items()},
                list(pairs.values()),
                lambda vs: dict(zip(pairs, vs, strict=True)),
            )
        raise SlipstreamError(f"unknown binding {binding!r}")

    def resolve_natural(self, frame: Frame, binding: Binding) -> Value:
        """A binding's value in its producer's own type (for branch conditions)."""
        if isinstance(binding, OutputBinding) and not binding.attr_path:
            return frame.outputs_of(binding.node_id)[binding.output]
        if isinstance(binding, InputBinding):
            return frame.inputs[binding.name]
        return self.resolve(frame, binding, Any)

    def _collection(self, tp: Any, literal: Any, items: list[Value], build: Any) -> Value:
        if tp is Any or tp in (list, dict):
            py = build([i.get(self.engine, self.ctx) for i in items])
            return make_value(self.engine, py, tp, self.ctx)
        if all(i.has_py for i in items):
            return keep(self.engine, tp, literal, build([i.py for i in items]))
        return Value(tp, literal)

    def _as_type(self, value: Value, tp: Any) -> Value:
        if value.tp is tp or value.tp == tp:
            return value
        return make_value(self.engine, value.get(self.engine, self.ctx), tp, self.ctx)


def _arg(tp: Any, index: int) -> Any:
    args = typing.get_args(tp)
    if not args:
        return Any
    return args[index] if len(args) > index else args[-1]
