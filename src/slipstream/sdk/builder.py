"""Definition time: the graph builder that task calls inside a workflow body add nodes to.

A workflow (or dynamic task) body runs once with a `GraphBuilder` active; each task call checks
its arguments against the task's typed interface and appends a node, returning promises.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slipstream._core.errors import DefinitionError, WiringTypeError, did_you_mean
from slipstream.graph.spec import (
    NO_LITERAL,
    Binding,
    ConstBinding,
    DictBinding,
    Interface,
    ListBinding,
    NodeSpec,
    OutputBinding,
)
from slipstream.sdk.promise import NodeOutputs, Promise

_local = threading.local()


def current_builder() -> GraphBuilder | None:
    """The builder of the workflow body being defined on this thread, if any."""
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None


@contextmanager
def building(builder: GraphBuilder) -> Iterator[GraphBuilder]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    stack.append(builder)
    try:
        yield builder
    finally:
        stack.pop()


class GraphBuilder:
    """Collects nodes for one workflow or dynamic body; `owner` names it in errors."""

    def __init__(self, owner: str, id_prefix: str = "n", ctx: Any = None) -> None:
        self.owner = owner
        self.ctx = ctx  # a real ConversionContext when building at run time (dynamic tasks)
        self.nodes: list[NodeSpec] = []
        self._prefix = id_prefix
        self._count = 0
        self._order: dict[str, set[str]] = {}
        self.open_conditionals: list[Any] = []  # ConditionalSections not yet ended by else_()

    def new_id(self) -> str:
        node_id = f"{self._prefix}{self._count}"
        self._count += 1
        return node_id

    def add_order(self, upstream: str, downstream: str) -> None:
        """`upstream >> downstream`: run downstream after upstream, with no data between them."""
        self._order.setdefault(downstream, set()).add(upstream)

    def call(self, entity: Any, kind: str, interface: Interface, name: str,
             args: tuple[Any, ...], kwargs: dict[str, Any], ref: str = "",
             node_id: str | None = None) -> Any:
        """Add a node running `entity` with the given arguments; return its output promises."""
        node_id = node_id or self.new_id()
        where = f"workflow {self.owner!r}, node {node_id} ({name})"
        given = self._bind_arguments(interface, args, kwargs, where)
        bindings: dict[str, Binding] = {}
        for param_name, param in interface.inputs.items():
            if param_name in given:
                bindings[param_name] = self.to_binding(
                    given[param_name], param.tp, f"{where}, parameter {param_name!r}")
            elif param.has_default:
                bindings[param_name] = ConstBinding(param.default, param.tp)
            else:
                raise DefinitionError(
                    f"{where}: input {param_name!r} is not bound; pass {param_name}=... "
                    f"(type {type_name(param.tp)})"
                )
        upstream = sorted(set().union(*(b.node_ids() for b in bindings.values())), key=_id_key)
        self.nodes.append(NodeSpec(node_id, kind, name, entity, bindings, tuple(upstream),
                                   interface, ref=ref))
        return self.outputs_of(node_id, name, interface)

    def outputs_of(self, node_id: str, name: str, interface: Interface) -> Any:
        promises = {
            out: Promise(OutputBinding(node_id, out), tp, f"output {out!r} of node {node_id} ({name})",
                         node_id)
            for out, tp in interface.outputs.items()
        }
        style = interface.output_style
        if style == "none":
            return NodeOutputs(node_id, f"node {node_id} ({name})")
        if style == "single":
            return promises["o0"]
        if style == "namedtuple":
            return interface.output_class(**promises)
        return tuple(promises.values())

    def to_binding(self, value: Any, expected: Any, where: str) -> Binding:
        """Turn an argument (promise, constant, or a list/dict holding promises) into a binding,
        checking its type against `expected`."""
        from slipstream.types import default_engine

        engine = default_engine()
        if isinstance(value, Promise):
            if not engine.is_compatible(value.tp, expected):
                raise WiringTypeError(
                    f"{where}: expected {type_name(expected)}, got {type_name(value.tp)} "
                    f"from {value.label}"
                )
            return value.binding
        if isinstance(value, NodeOutputs):
            raise WiringTypeError(f"{where}: {value.label} returns nothing, so it has no value")
        if isinstance(value, (list, tuple)) and _holds_promise(value):
            item_tp = _item_type(expected, list, where)
            return ListBinding(tuple(self.to_binding(v, item_tp, f"{where}[{i}]")
                                     for i, v in enumerate(value)))
        if isinstance(value, dict) and _holds_promise(value.values()):
            item_tp = _item_type(expected, dict, where)
            return DictBinding(tuple((str(k), self.to_binding(v, item_tp, f"{where}[{k!r}]"))
                                     for k, v in value.items()))
        literal = check_constant(value, expected, where, self.ctx)
        if self.ctx is not None and literal is not NO_LITERAL:
            return ConstBinding(value, expected, literal)
        return ConstBinding(value, expected)

    @staticmethod
    def _bind_arguments(interface: Interface, args: tuple[Any, ...], kwargs: dict[str, Any],
                        where: str) -> dict[str, Any]:
        names = list(interface.inputs)
        if len(args) > len(names):
            raise DefinitionError(f"{where}: takes {len(names)} inputs, got {len(args)} positional")
        given = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in interface.inputs:
                raise DefinitionError(
                    f"{where}: unknown input {key!r}; inputs are {names}.{did_you_mean(key, names)}"
                )
            if key in given:
                raise DefinitionError(f"{where}: input {key!r} given twice")
            given[key] = value
        return given

    def order_for(self, node_id: str) -> set[str]:
        return self._order.get(node_id, set())

    def finish(self) -> tuple[NodeSpec, ...]:
        """The nodes, with `>>` orderings folded into their upstream lists."""
        if not self._order:
            return tuple(self.nodes)
        return tuple(
            dataclasses.replace(node, upstream=tuple(sorted(
                set(node.upstream) | self._order[node.id], key=_id_key)))
            if node.id in self._order else node
            for node in self.nodes
        )


def type_name(tp: Any) -> str:
    from slipstream.types import default_engine

    return default_engine().type_name(tp)


def check_constant(value: Any, expected: Any, where: str, ctx: Any = None) -> Any:
    """Validate a constant against its hint. Types with a cheap check (DataFrames, arrays,
    models) are only checked: NO_LITERAL, converted when the node runs. Others are converted,
    with `ctx` when given (the literal is kept), else with a context that stores nothing."""
    from slipstream._core.errors import ValueConversionError
    from slipstream.types import default_engine
    from slipstream.types.validate import validation_context

    engine = default_engine()
    try:
        if engine.check(value, expected):
            return NO_LITERAL
        return engine.to_literal(value, expected, ctx or validation_context())
    except ValueConversionError as exc:
        raise WiringTypeError(f"{where}: {exc}") from None


def _holds_promise(values: Any) -> bool:
    return any(isinstance(v, (Promise, NodeOutputs)) or
               (isinstance(v, (list, tuple)) and _holds_promise(v)) or
               (isinstance(v, dict) and _holds_promise(v.values()))
               for v in values)


def _item_type(expected: Any, container: type, where: str) -> Any:
    import typing

    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if expected is container or expected is Any:
        return Any
    if origin is container and args:
        return args[-1]
    raise WiringTypeError(f"{where}: expected {type_name(expected)}, got a {container.__name__}")


def _id_key(node_id: str) -> tuple[int, str]:
    digits = "".join(ch for ch in node_id if ch.isdigit())
    return (int(digits) if digits else -1, node_id)
