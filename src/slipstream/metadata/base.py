"""The execution store interface: workflows, executions, node executions and the task cache.

One write primitive, `record`, upserts any mix of rows in a single transaction, so a node's
SUCCEEDED status, its outputs and its cache entry become visible together or not at all.
Reads return frozen entities from `slipstream.entities`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from slipstream.entities import (
    CacheEntry,
    ExecutionRecord,
    NodeExecutionRecord,
    Status,
    WorkflowRecord,
)


class ExecutionStore(ABC):
    """Persistence for the execution aggregate. Implementations: SQL (SQLite, PostgreSQL)."""

    url: str

    @abstractmethod
    def record(
        self,
        *,
        workflows: Sequence[WorkflowRecord] = (),
        executions: Sequence[ExecutionRecord] = (),
        nodes: Sequence[NodeExecutionRecord] = (),
        cache_entries: Sequence[CacheEntry] = (),
    ) -> None:
        """Upsert all given rows in one transaction (workflows by (name, version), executions by
        id, nodes by (execution_id, node_id), cache entries by key). All or nothing."""

    @abstractmethod
    def get_workflow(self, name: str, version: str | None = None) -> WorkflowRecord:
        """The given version, or the newest when version is None. Raises NotFoundError."""

    @abstractmethod
    def list_workflows(self, name: str | None = None) -> list[WorkflowRecord]:
        """Registered workflow versions (optionally of one name), newest first."""

    @abstractmethod
    def get_execution(self, execution_id: str) -> ExecutionRecord:
        """One execution by full id or unique prefix. Raises NotFoundError naming the id."""

    @abstractmethod
    def list_executions(
        self,
        *,
        workflow_name: str | None = None,
        status: Status | None = None,
        since: float | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[ExecutionRecord]:
        """Executions, newest first, optionally filtered."""

    @abstractmethod
    def list_nodes(self, execution_id: str) -> list[NodeExecutionRecord]:
        """Every node execution of an execution, ordered by start time then node id."""

    @abstractmethod
    def get_cache_entries(self, keys: Sequence[str]) -> dict[str, CacheEntry]:
        """Cache entries for the keys that have one."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    def get_cache_entry(self, key: str) -> CacheEntry | None:
        """The cache entry for one key, or None."""
        return self.get_cache_entries([key]).get(key)
