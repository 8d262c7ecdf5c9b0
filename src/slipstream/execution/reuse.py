"""Reusing outputs instead of running a node: from the execution being recovered, or from the
task cache (a key of task ref, cache version and input hashes)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from slipstream._core.ids import now
from slipstream.entities import Status
from slipstream.execution.frames import Frame
from slipstream.execution.values import Value
from slipstream.graph.spec import NodeSpec

if TYPE_CHECKING:
    from slipstream.execution.runner import Runner

HIT = "\0hit"
"""What `Reuse.cached` returns when the node was completed from the cache."""


class Reuse:
    """Completes nodes from earlier results for a `Runner`."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def recovered(self, frame: Frame, node: NodeSpec, inputs: dict[str, Value]) -> bool:
        """Recovery: reuse a node that succeeded in the execution being recovered."""
        previous = self.runner.recovered.get(frame.full_id(node))
        version = getattr(node.entity, "version", "")
        if previous is None or previous.status is not Status.SUCCEEDED or \
                previous.task_version != version:
            return False
        outputs = self.runner.values.values_from(node.interface.outputs, previous.outputs)
        t = now()
        self.runner.emit(self.runner.record(frame, node, Status.SUCCEEDED, started_at=t, ended_at=t,
                              inputs=inputs, outputs=previous.outputs, cache_status="recovered",
                              detail={"recovered_from": previous.execution_id}))
        self.runner.complete(frame, node, outputs)
        return True

    def cache_key(self, task: Any, inputs: dict[str, Value]) -> str:
        digest = hashlib.sha256(f"{task.ref}\0{task.cache_version}".encode())
        ignored = task.cache.ignore_inputs
        for name in sorted(inputs):
            if name not in ignored:
                digest.update(f"\0{name}\0".encode())
                digest.update(self.runner.engine.hash_literal(inputs[name].literal).encode())
        return digest.hexdigest()

    def cached(self, frame: Frame, node: NodeSpec, inputs: dict[str, Value]) -> str | None:
        """For a cached task or dynamic node: its cache key, or HIT after completing the node
        from a cache entry. None when the node is not cached."""
        entity = node.entity
        if entity.cache is None:
            return None
        cache_key = self.cache_key(entity, inputs)
        entry = self.runner.recorder.pending_cache(cache_key) or self.runner.store.get_cache_entry(cache_key)
        if entry is None:
            return cache_key
        outputs = self.runner.values.values_from(entity.interface.outputs, entry.outputs)
        t = now()
        self.runner.emit(self.runner.record(frame, node, Status.SUCCEEDED, started_at=t, ended_at=t,
                              inputs=inputs, outputs=entry.outputs, cache_status="hit",
                              cache_key=cache_key, detail={"cached_from": entry.execution_id}))
        self.runner.complete(frame, node, outputs)
        return HIT

