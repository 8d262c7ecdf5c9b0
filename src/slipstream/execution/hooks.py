"""Hooks: one tiny interface each, keyword-only arguments."""

from __future__ import annotations

from abc import ABC, abstractmethod

from slipstream.entities import ExecutionRecord, NodeExecutionRecord


class NodeHook(ABC):
    """Told about every node and execution state change (the CLI's live progress uses it)."""

    @abstractmethod
    def on_node(self, *, record: NodeExecutionRecord) -> None:
        """A node execution changed state."""

    def on_execution(self, *, record: ExecutionRecord) -> None:
        """The execution changed state (optional)."""
        return None
