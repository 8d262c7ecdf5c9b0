"""`@workflow`: a function whose body, run once at definition, wires tasks into a typed graph.

Calling a workflow with values runs it (through `slipstream.execution`) and returns real values;
calling it inside another workflow's body adds it as a sub-workflow node.
"""

from __future__ import annotations

import functools
import inspect
import textwrap
from collections.abc import Callable, Iterable
from typing import Any

from slipstream._core.errors import DefinitionError, SlipstreamError
from slipstream.graph.spec import Binding, InputBinding, Interface, NodeSpec, WorkflowSpec
from slipstream.sdk.builder import GraphBuilder, building, current_builder, type_name
from slipstream.sdk.interface import interface_of, module_name, split_outputs, where
from slipstream.sdk.promise import Promise


class Workflow:
    """A compiled, typed graph of tasks, sub-workflows, maps, branches and dynamic tasks."""

    kind = "workflow"

    def __init__(self, fn: Callable[..., Any], name: str | None = None) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.module = module_name(fn)
        self.qualname = fn.__qualname__
        self.interface: Interface = interface_of(fn, "workflow")
        self._version: str | None = None
        functools.update_wrapper(self, fn)
        nodes, outputs = compile_body(fn, self.name, self.interface,
                                      {name: Promise(InputBinding(name), p.tp, f"input {name!r}")
                                       for name, p in self.interface.inputs.items()})
        self.spec = WorkflowSpec(self.name, self.ref, self.interface, nodes, outputs,
                                 _type_names(self.interface))

    @property
    def ref(self) -> str:
        return f"{self.module}:{self.qualname}"

    @property
    def version(self) -> str:
        """Content hash of the graph, which names the code version of every task it runs."""
        if self._version is None:
            self._version = self.spec.content_hash()
        return self._version

    @property
    def source(self) -> str:
        """The workflow function's source text (its ref when the source cannot be read)."""
        try:
            return inspect.getsource(self.fn)
        except (OSError, TypeError):
            return self.ref

    @functools.cached_property
    def sources(self) -> dict[str, str]:
        """The source text of this workflow and of every task, map, dynamic task and
        sub-workflow its graph runs (branches included), by ref (module:qualname); dedented,
        as a function defined inside another reads."""
        found = {self.ref: self.source}
        _collect_sources(self.spec.nodes, found)
        return {ref: textwrap.dedent(text) for ref, text in found.items()}

    def stored_spec(self) -> dict[str, Any]:
        """The graph as a registered version keeps it: `spec.to_json()` with `sources` (see
        `sources`) so that two versions' code can be compared. The version hash does not read
        the sources: the graph already names every task's code version."""
        return {**self.spec.to_json(), "sources": self.sources}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        builder = current_builder()
        if builder is not None:
            return builder.call(self, "workflow", self.interface, self.name, args, kwargs,
                                self.ref)
        if args:
            names = list(self.interface.inputs)
            if len(args) > len(names):
                raise DefinitionError(f"workflow {self.name!r} takes {len(names)} inputs")
            kwargs = {**dict(zip(names, args, strict=False)), **kwargs}
        from slipstream.execution.api import run

        return run(self, **kwargs)

    def __repr__(self) -> str:
        return f"Workflow({self.ref})"


def _collect_sources(nodes: Iterable[NodeSpec], found: dict[str, str]) -> None:
    for node in nodes:
        entity = node.entity
        if isinstance(entity, Workflow):
            for ref, text in entity.sources.items():
                found.setdefault(ref, text)
        elif entity is not None and hasattr(entity, "source") and hasattr(entity, "ref"):
            found.setdefault(entity.ref, entity.source)
        for case in node.cases:
            _collect_sources(case.nodes, found)


def compile_body(fn: Callable[..., Any], owner: str, interface: Interface,
                 arguments: dict[str, Any], id_prefix: str = "n", ctx: Any = None,
                 ) -> tuple[tuple[NodeSpec, ...], dict[str, Binding]]:
    """Run a workflow or dynamic body with a builder active; return its nodes and output
    bindings, type-checked against the return hint."""
    builder = GraphBuilder(owner, id_prefix, ctx)
    with building(builder):
        try:
            result = fn(**arguments)
        except DefinitionError as exc:
            if f"workflow {owner!r}" in str(exc):
                raise
            raise type(exc)(f"workflow {owner!r} ({_body_line(fn, exc)}): {exc}") from None
        except SlipstreamError:
            raise
        except Exception as exc:
            raise DefinitionError(
                f"workflow {owner!r} ({_body_line(fn, exc)}): its body raised "
                f"{type(exc).__name__}: {exc}. A workflow body only wires tasks together; "
                "computation belongs in tasks"
            ) from exc
    if builder.open_conditionals:
        raise DefinitionError(
            f"workflow {owner!r} ({where(fn)}): {builder.open_conditionals[0].unfinished()}")
    try:
        named = split_outputs(interface, result, f"workflow {owner!r}")
    except SlipstreamError as exc:
        raise DefinitionError(str(exc)) from None
    outputs = {
        out: builder.to_binding(value, interface.outputs[out], f"workflow {owner!r}, output {out!r}")
        for out, value in named.items()
    }
    return builder.finish(), outputs


def _body_line(fn: Callable[..., Any], exc: BaseException) -> str:
    """`file:line` of the statement in the body of `fn` that raised `exc` (else of `fn`)."""
    code = getattr(fn, "__code__", None)
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is code:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"{code.co_filename}:{line}" if code is not None and line else where(fn)


def workflow(fn: Callable[..., Any] | None = None, /, *, name: str | None = None) -> Any:
    """Compile a typed function into a workflow: `@workflow` or `@workflow(name=...)`."""
    if fn is not None:
        return Workflow(fn, name)
    return lambda f: Workflow(f, name)


def _type_names(interface: Interface) -> dict[str, str]:
    names = {f"in:{n}": type_name(p.tp) for n, p in interface.inputs.items()}
    names.update({f"out:{n}": type_name(tp) for n, tp in interface.outputs.items()})
    return names
