"""Reading back what an execution recorded."""

from __future__ import annotations

from typing import Any

from slipstream.entities import NodeExecutionRecord


def nodes_by_id(client: Any, execution_id: str) -> dict[str, NodeExecutionRecord]:
    """Every node record of an execution, keyed by node id (ids are unique per execution)."""
    nodes = client.store.list_nodes(execution_id)
    by_id = {node.node_id: node for node in nodes}
    assert len(by_id) == len(nodes), "node ids must be unique within an execution"
    return by_id


def run(client: Any, workflow: Any, executor: str = "inline", **inputs: Any) -> tuple[Any, Any]:
    """Execute and return (python outputs, execution record)."""
    result = client.execute(workflow, inputs, executor=executor)
    return client.outputs(workflow, result), result.execution
