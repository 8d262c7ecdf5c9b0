"""Frozen graph IR: where each input's value comes from, which nodes exist, what they run.

A workflow body runs once at definition time and leaves a `WorkflowSpec`: nodes in creation
order (a valid topological order), each with `bindings` from input names to `Binding`s.
`NodeSpec.entity` is the in-memory object the node runs (a task, sub-workflow, map or dynamic
task); `to_json` renders the spec without it, naming entities by (module, qualname), for the
store, the UI and the content-hash version.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

_NO_DEFAULT: Any = object()


@dataclass(frozen=True)
class Param:
    """One typed input: its hint and default (`has_default` tells whether it has one)."""

    tp: Any
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True)
class Interface:
    """Typed inputs and outputs of a task or workflow.

    `output_style` says how the Python return value maps to named outputs: "none" (returns None),
    "single" (one output "o0"), "tuple" (o0, o1, ...) or "namedtuple" (`output_class` fields).
    """

    inputs: dict[str, Param]
    outputs: dict[str, Any]
    output_style: str = "single"
    output_class: Any = None
    context_param: str | None = None

    def input_types(self) -> dict[str, Any]:
        return {name: p.tp for name, p in self.inputs.items()}


class Binding:
    """Where a value comes from at execution time."""

    __slots__ = ()

    def node_ids(self) -> set[str]:
        """Ids of the nodes whose outputs this binding reads."""
        return set()

    def to_json(self) -> Any:
        raise TypeError(f"{type(self).__name__} cannot be serialised")


@dataclass(frozen=True, slots=True)
class InputBinding(Binding):
    """An input of the enclosing workflow (or dynamic task)."""

    name: str

    def to_json(self) -> Any:
        return {"input": self.name}


@dataclass(frozen=True, slots=True)
class OutputBinding(Binding):
    """An output of another node, optionally an attribute path into it (dataclass fields)."""

    node_id: str
    output: str
    attr_path: tuple[str, ...] = ()

    def node_ids(self) -> set[str]:
        return {self.node_id}

    def to_json(self) -> Any:
        data: dict[str, Any] = {"node": self.node_id, "output": self.output}
        if self.attr_path:
            data["attr"] = list(self.attr_path)
        return data


NO_LITERAL: Any = object()
"""`ConstBinding.literal` when the constant has not been converted yet."""


@dataclass(frozen=True, slots=True)
class ConstBinding(Binding):
    """A Python constant given at definition time, with the hint it must satisfy; `literal` is
    its converted form when the builder had a store to convert it with (dynamic bodies)."""

    value: Any
    tp: Any
    literal: Any = field(default=NO_LITERAL, compare=False, hash=False, repr=False)

    def to_json(self) -> Any:
        try:
            json.dumps(self.value)
            return {"const": self.value}
        except (TypeError, ValueError):
            return {"const_repr": repr(self.value)[:200]}


@dataclass(frozen=True, slots=True)
class ListBinding(Binding):
    """A list whose items are bindings (`[t(x=a), t(x=b)]` passed as one input)."""

    items: tuple[Binding, ...]

    def node_ids(self) -> set[str]:
        return set().union(*(item.node_ids() for item in self.items)) if self.items else set()

    def to_json(self) -> Any:
        return {"list": [item.to_json() for item in self.items]}


@dataclass(frozen=True, slots=True)
class DictBinding(Binding):
    """A dict with str keys whose values are bindings."""

    items: tuple[tuple[str, Binding], ...]

    def node_ids(self) -> set[str]:
        return set().union(*(b.node_ids() for _, b in self.items)) if self.items else set()

    def to_json(self) -> Any:
        return {"dict": {key: b.to_json() for key, b in self.items}}


@dataclass(frozen=True)
class BranchCase:
    """One case of a conditional: a condition (None for else), the nodes it runs, its output,
    or a failure message (`.fail("...")`)."""

    condition: Any
    nodes: tuple[NodeSpec, ...]
    output: Binding | None
    fail_message: str | None = None


@dataclass(frozen=True)
class NodeSpec:
    """One node: `kind` is task | workflow | dynamic | map | branch."""

    id: str
    kind: str
    name: str
    entity: Any
    bindings: dict[str, Binding]
    upstream: tuple[str, ...]
    interface: Interface
    cases: tuple[BranchCase, ...] = ()
    ref: str = ""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "ref": self.ref,
            "inputs": {k: b.to_json() for k, b in self.bindings.items()},
            "upstream": list(self.upstream),
            "outputs": list(self.interface.outputs),
        }
        if self.entity is not None and hasattr(self.entity, "version"):
            data["version"] = self.entity.version
        if self.kind == "workflow":
            data["subworkflow"] = self.entity.spec.to_json()
        if self.cases:
            data["cases"] = [
                {
                    "condition": case.condition.to_json() if case.condition is not None else None,
                    "nodes": [node.to_json() for node in case.nodes],
                    "output": case.output.to_json() if case.output is not None else None,
                    "fail": case.fail_message,
                }
                for case in self.cases
            ]
        return data


@dataclass(frozen=True)
class WorkflowSpec:
    """A compiled workflow: its interface, its nodes in topological order and its outputs."""

    name: str
    ref: str
    interface: Interface
    nodes: tuple[NodeSpec, ...]
    outputs: dict[str, Binding]
    type_names: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The spec as JSON (computed once; the spec is frozen, so it cannot change)."""
        return self._json

    @functools.cached_property
    def _json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ref": self.ref,
            "inputs": {
                name: {"type": self.type_names.get(f"in:{name}", repr(p.tp)),
                       **({"default": _json_default(p.default)} if p.has_default else {})}
                for name, p in self.interface.inputs.items()
            },
            "outputs": {name: self.type_names.get(f"out:{name}", repr(tp))
                        for name, tp in self.interface.outputs.items()},
            "nodes": [node.to_json() for node in self.nodes],
            "output_bindings": {k: b.to_json() for k, b in self.outputs.items()},
        }

    def content_hash(self) -> str:
        """Version: a hash of the graph JSON, which includes the code version of every task,
        sub-workflow, map and dynamic task the graph runs."""
        data = json.dumps(self.to_json(), sort_keys=True, default=repr).encode()
        return hashlib.sha256(data).hexdigest()[:16]


def _json_default(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)
