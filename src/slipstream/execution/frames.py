"""A frame is one graph being executed: the workflow body, a sub-workflow, a branch case or a
dynamic task's sub-graph. It tracks which nodes wait on which, and the values produced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slipstream.execution.values import Value
from slipstream.graph.spec import Binding, NodeSpec


class Frame:
    """Dependency bookkeeping and values of one graph.

    `prefix` turns local node ids into execution-wide ids ("n3/" + "n0"). A branch case frame
    has `parent` set: it can read the outputs of the enclosing graph's nodes.
    """

    def __init__(
        self,
        nodes: tuple[NodeSpec, ...],
        prefix: str,
        inputs: dict[str, Value],
        outputs: dict[str, Binding],
        output_types: dict[str, Any],
        on_done: Callable[[dict[str, Value]], None],
        on_fail: Callable[[str, Any], None],
        parent: Frame | None = None,
        owner_id: str | None = None,
    ) -> None:
        self.specs = {node.id: node for node in nodes}
        self.order = nodes
        self.prefix = prefix
        self.inputs = inputs
        self.outputs = outputs
        self.output_types = output_types
        self.on_done = on_done
        self.on_fail = on_fail
        self.parent = parent
        self.owner_id = owner_id
        self.values: dict[str, dict[str, Value]] = {}
        self.waiting: dict[str, int] = {}
        self.dependents: dict[str, list[str]] = {}
        for node in nodes:
            deps = [u for u in node.upstream if u in self.specs]
            self.waiting[node.id] = len(deps)
            for dep in deps:
                self.dependents.setdefault(dep, []).append(node.id)
        self.remaining = len(nodes)

    def roots(self) -> list[NodeSpec]:
        return [node for node in self.order if self.waiting[node.id] == 0]

    def full_id(self, node: NodeSpec) -> str:
        return self.prefix + node.id

    def outputs_of(self, node_id: str) -> dict[str, Value]:
        frame: Frame | None = self
        while frame is not None:
            found = frame.values.get(node_id)
            if found is not None:
                return found
            frame = frame.parent
        raise KeyError(node_id)

    def complete(self, node: NodeSpec, outputs: dict[str, Value]) -> list[NodeSpec]:
        """Store a node's outputs; return the nodes that became ready."""
        self.values[node.id] = outputs
        self.remaining -= 1
        ready = []
        for dependent in self.dependents.get(node.id, ()):
            self.waiting[dependent] -= 1
            if self.waiting[dependent] == 0:
                ready.append(self.specs[dependent])
        return ready
