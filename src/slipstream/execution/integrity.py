"""The integrity check of an execution store and its artifact store (`slipstream db check`).

Problems it reports, by kind:
  missing-output      a SUCCEEDED node, a SUCCEEDED execution or a cache entry whose output
                      literals reference artifact bytes that are not stored
  missing-input       an execution whose input literals reference bytes that are not stored
                      (it could not be recovered)
  dead-runner         an execution left RUNNING (or QUEUED) by a runner that no longer runs
  orphaned-node       a node or attempt left RUNNING by a dead runner, or an attempt still
                      RUNNING in a finished node
  dangling-reference  an id that names nothing: a parent node, the execution recovered from,
                      the workflow version, a node's cache entry, an attempt's log

`check_store(..., repair=True)` fixes what can be fixed without guessing: a dead runner's
execution is recorded ABORTED and what it left running FAILED (`liveness.mark_runner_lost`),
as `slipstream recover` does before re-running it. Executions on other hosts are not judged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from slipstream._core.errors import NotFoundError
from slipstream.entities import TERMINAL_STATUSES, ExecutionRecord, NodeExecutionRecord, Status
from slipstream.execution.liveness import RunnerState, lost_nodes, mark_runner_lost, runner_state
from slipstream.metadata import ExecutionStore


class Blobs(Protocol):
    """What the check needs from the artifact store."""

    def exists(self, digest: str) -> bool: ...

    def get_bytes(self, digest: str) -> bytes: ...


@dataclass(frozen=True)
class Problem:
    """One integrity problem; `node_id` is None for the execution itself."""

    kind: str
    execution_id: str
    node_id: str | None
    message: str
    repaired: bool = False

    def __str__(self) -> str:
        where = self.execution_id + (f" node {self.node_id}" if self.node_id else "")
        return f"{self.kind}: {where}: {self.message}" + (" (repaired)" if self.repaired else "")


@dataclass
class Report:
    """What `check_store` looked at and found."""

    executions: int = 0
    nodes: int = 0
    blobs: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is left to fix (repaired problems do not count)."""
        return all(p.repaired for p in self.problems)


def check_store(store: ExecutionStore, blobs: Blobs, *, repair: bool = False,
                liveness: Callable[[ExecutionRecord], RunnerState] = runner_state) -> Report:
    """Check every execution of `store` (and its nodes, cache entries and artifact bytes)."""
    checker = _Checker(store, blobs, repair, liveness)
    for record in _all_executions(store):
        checker.execution(record)
    return checker.report


def _all_executions(store: ExecutionStore, page: int = 500) -> Iterator[ExecutionRecord]:
    offset = 0
    while True:
        batch = store.list_executions(limit=page, offset=offset)
        yield from batch
        if len(batch) < page:
            return
        offset += page


def blob_digests(literals: Any, blobs: Blobs) -> Iterator[tuple[str, bool]]:
    """(digest, stored?) of every artifact a literal map references, through offloaded maps
    (`{"$literals": ref}`, whose stored JSON is read and walked too)."""
    if isinstance(literals, dict):
        digest = literals.get("$blob")
        if isinstance(digest, str):
            yield digest, blobs.exists(digest)
        offloaded = literals.get("$literals")
        if isinstance(offloaded, dict) and isinstance(offloaded.get("$blob"), str):
            yield from blob_digests(offloaded, blobs)
            if blobs.exists(offloaded["$blob"]):
                yield from blob_digests(json.loads(blobs.get_bytes(offloaded["$blob"])), blobs)
            return
        for value in literals.values():
            yield from blob_digests(value, blobs)
    elif isinstance(literals, list):
        for value in literals:
            yield from blob_digests(value, blobs)


class _Checker:
    def __init__(self, store: ExecutionStore, blobs: Blobs, repair: bool,
                 liveness: Callable[[ExecutionRecord], RunnerState]) -> None:
        self.store, self.blobs, self.repair, self.liveness = store, blobs, repair, liveness
        self.report = Report()
        self._workflows: dict[tuple[str, str], bool] = {}

    def add(self, kind: str, execution_id: str, node_id: str | None, message: str,
            repaired: bool = False) -> None:
        self.report.problems.append(Problem(kind, execution_id, node_id, message, repaired))

    def missing(self, literals: Any) -> list[str]:
        found = list(blob_digests(literals, self.blobs))
        self.report.blobs += len(found)
        return [digest for digest, stored in found if not stored]

    def execution(self, record: ExecutionRecord) -> None:
        self.report.executions += 1
        nodes = self.store.list_nodes(record.id)
        self.report.nodes += len(nodes)
        dead = record.status not in TERMINAL_STATUSES and self.liveness(record) == "dead"
        if dead:
            self.add("dead-runner", record.id, None,
                     f"{record.status} but its runner (pid {record.pid} on {record.host}) is "
                     f"gone; `slipstream recover {record.id}` re-runs what did not finish",
                     repaired=self.repair)
        lost = {n.node_id for n in lost_nodes(record, nodes)}
        for node in nodes:
            self.node(record, node, dead, node.node_id in lost)
        if dead and self.repair:
            mark_runner_lost(self.store, record)
        for digest in self.missing(record.inputs):
            self.add("missing-input", record.id, None, f"input artifact {digest} is not stored")
        if record.status is Status.SUCCEEDED:
            for digest in self.missing(record.outputs):
                self.add("missing-output", record.id, None,
                         f"SUCCEEDED but output artifact {digest} is not stored")
        self.references(record, nodes)

    def node(self, record: ExecutionRecord, node: NodeExecutionRecord, dead: bool,
             lost: bool) -> None:
        where = (record.id, node.node_id)
        if node.status is Status.SUCCEEDED:
            for digest in self.missing(node.outputs):
                self.add("missing-output", *where,
                         f"SUCCEEDED but output artifact {digest} is not stored")
        running = [a.number for a in node.attempts if a.status not in TERMINAL_STATUSES]
        if lost and dead:
            self.add("orphaned-node", *where, f"left {node.status} (attempts {running or '-'}) "
                     "by a dead runner", repaired=self.repair)
        elif running and node.status in TERMINAL_STATUSES:
            self.add("orphaned-node", *where,
                     f"{node.status} but attempts {running} are still RUNNING")
        for attempt in node.attempts:
            if attempt.log is not None and not self.blobs.exists(attempt.log.digest):
                self.add("dangling-reference", *where,
                         f"attempt {attempt.number}'s log {attempt.log.digest} is not stored")
        if node.cache_key and node.cache_status == "miss" and node.status is Status.SUCCEEDED:
            entry = self.store.get_cache_entry(node.cache_key)
            if entry is None:
                self.add("dangling-reference", *where,
                         f"SUCCEEDED with cache key {node.cache_key[:12]} but no cache entry")
            else:
                for digest in self.missing(entry.outputs):
                    self.add("missing-output", *where, f"cache entry {entry.key[:12]}'s output "
                             f"artifact {digest} is not stored")

    def references(self, record: ExecutionRecord, nodes: list[NodeExecutionRecord]) -> None:
        key = (record.workflow_name, record.workflow_version)
        if key not in self._workflows:
            try:
                self.store.get_workflow(*key)
                self._workflows[key] = True
            except NotFoundError:
                self._workflows[key] = False
        if not self._workflows[key]:
            self.add("dangling-reference", record.id, None,
                     f"workflow {key[0]!r} version {key[1]} is not recorded")
        if record.recovered_from:
            try:
                self.store.get_execution(record.recovered_from)
            except NotFoundError:
                self.add("dangling-reference", record.id, None,
                         f"recovers execution {record.recovered_from}, which is not recorded")
        node_ids = {n.node_id for n in nodes}
        for node in nodes:
            if node.parent_id and node.parent_id not in node_ids:
                self.add("dangling-reference", record.id, node.node_id,
                         f"parent node {node.parent_id} is not recorded")
