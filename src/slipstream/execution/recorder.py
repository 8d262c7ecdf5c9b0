"""Write-behind recording of an execution: node state changes are coalesced and written in
batches by one background thread, so the runner never waits on the database per node.

Ordering and durability: a node's SUCCEEDED row carries its outputs (whose bytes are already in
the artifact store) and its cache entry in the same transaction, so a node is never marked
succeeded without durable outputs. A crash loses at most the last interval of state changes;
those nodes simply re-run on `recover`. `flush()` (and so `close()`) writes everything pending
before returning.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from slipstream.entities import CacheEntry, ExecutionRecord, NodeExecutionRecord, WorkflowRecord
from slipstream.metadata import ExecutionStore


class Recorder:
    """Coalescing batch writer over an `ExecutionStore`."""

    def __init__(self, store: ExecutionStore, interval: float = 0.05, max_pending: int = 2000
                 ) -> None:
        self.store = store
        self.interval = interval
        self.max_pending = max_pending
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._error: BaseException | None = None
        self._nodes: dict[tuple[str, str],
                          NodeExecutionRecord | Callable[[], NodeExecutionRecord]] = {}
        self._executions: dict[str, ExecutionRecord] = {}
        self._workflows: list[WorkflowRecord] = []
        self._cache: dict[str, CacheEntry] = {}
        self._thread = threading.Thread(target=self._run, name="slipstream-recorder", daemon=True)
        self._thread.start()

    def node(self, record: NodeExecutionRecord, cache_entry: CacheEntry | None = None) -> None:
        with self._lock:
            self._nodes[(record.execution_id, record.node_id)] = record
            if cache_entry is not None:
                self._cache[cache_entry.key] = cache_entry
            full = len(self._nodes) >= self.max_pending
        if full:
            self._wake.set()

    def node_later(self, execution_id: str, node_id: str,
                   build: Callable[[], NodeExecutionRecord]) -> None:
        """Queue a node state whose record is built only when written, and not at all if a
        newer state of the node replaces it first (a quick task's RUNNING state, usually)."""
        with self._lock:
            self._nodes[(execution_id, node_id)] = build

    def nodes(self, records: list[NodeExecutionRecord]) -> None:
        with self._lock:
            for record in records:
                self._nodes[(record.execution_id, record.node_id)] = record
            full = len(self._nodes) >= self.max_pending
        if full:
            self._wake.set()

    def cache_entries(self, entries: list[CacheEntry]) -> None:
        if entries:
            with self._lock:
                for entry in entries:
                    self._cache[entry.key] = entry

    def execution(self, record: ExecutionRecord) -> None:
        with self._lock:
            self._executions[record.id] = record

    def workflow(self, record: WorkflowRecord) -> None:
        with self._lock:
            self._workflows.append(record)

    def pending_cache(self, key: str) -> CacheEntry | None:
        """A cache entry written by this execution but maybe not flushed yet."""
        with self._lock:
            return self._cache.get(key)

    def flush(self) -> None:
        """Write everything pending now; re-raise a background write error."""
        self._write()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        self._thread.join()
        self.flush()

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self._write()
            except BaseException as exc:  # surfaced by the next flush()
                self._error = exc

    def _write(self) -> None:
        with self._write_lock:
            with self._lock:
                if not (self._nodes or self._executions or self._workflows or self._cache):
                    return
                batch: dict[str, Any] = {
                    "workflows": self._workflows,
                    "executions": list(self._executions.values()),
                    "nodes": list(self._nodes.values()),
                    "cache_entries": list(self._cache.values()),
                }
                self._workflows, self._executions, self._nodes = [], {}, {}
                self._cache = {}
            batch["nodes"] = [n() if callable(n) else n for n in batch["nodes"]]
            try:
                self.store.record(**batch)
            except BaseException:
                self._requeue(batch)
                raise

    def _requeue(self, batch: dict[str, Any]) -> None:
        """Put a batch that failed to write back, under anything newer queued since."""
        with self._lock:
            self._workflows = batch["workflows"] + self._workflows
            for record in batch["executions"]:
                self._executions.setdefault(record.id, record)
            for record in batch["nodes"]:
                self._nodes.setdefault((record.execution_id, record.node_id), record)
            for entry in batch["cache_entries"]:
                self._cache.setdefault(entry.key, entry)
