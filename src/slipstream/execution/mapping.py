"""Map nodes: one task over the items of list inputs, in chunks, honouring concurrency,
per-item recovery and caching, and the minimum success ratio."""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import InvalidInputError
from slipstream._core.ids import now
from slipstream.entities import CacheEntry, ErrorInfo, NodeExecutionRecord, Status
from slipstream.execution.calls import CallItem, ItemOutcome, TaskCall
from slipstream.execution.frames import Frame
from slipstream.execution.values import Value, expand, keep, literal_map, offload
from slipstream.graph.spec import NodeSpec

if TYPE_CHECKING:
    from slipstream.execution.runner import Runner


@dataclass
class _MapState:
    frame: Frame
    node: NodeSpec
    full_id: str
    started: float
    item_inputs: list[dict[str, Value]]
    results: list[Value | None]
    todo: list[int]
    max_in_flight: int
    allowed_failures: int
    cache_keys: list[str | None] = field(default_factory=list)
    in_flight: int = 0
    failed: int = 0
    first_error: ErrorInfo | None = None
    finished: bool = False


class MapRunner:
    """Runs map nodes for a `Runner`."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def start(self, frame: Frame, node: NodeSpec) -> None:
        runner = self.runner
        mapped = node.entity
        task = mapped.task
        lists = runner.values.resolve_inputs(frame, node)
        lengths = {name: len(value.literal) for name, value in lists.items()}
        if len(set(lengths.values())) > 1:
            raise InvalidInputError(f"map node {node.id} ({node.name}): mapped inputs have "
                                    f"different lengths {lengths}")
        count = next(iter(lengths.values()), 0)
        item_types = {name: typing.get_args(node.interface.inputs[name].tp)[0] for name in lists}
        item_inputs = [{name: _item(runner.engine, lists[name], i, item_types[name])
                        for name in lists}
                       for i in range(count)]
        full_id = frame.full_id(node)
        started = now()
        runner.emit(runner.record(frame, node, Status.RUNNING, started_at=started,
                                  inputs=lists, detail={"items": count}))
        executor = runner.executor
        in_flight = mapped.concurrency or executor.parallelism * executor.chunk_size(count) * 2
        state = _MapState(frame, node, full_id, started, item_inputs, [None] * count,
                          [], max(in_flight, 1),
                          count - math.ceil(count * mapped.min_success_ratio))
        self._reuse_items(state, task)
        self._pump(state)

    def _reuse_items(self, state: _MapState, task: Any) -> None:
        """Recovered and cached items complete at once; the rest go on the to-do list."""
        runner = self.runner
        out_types = task.interface.outputs
        keys: list[str | None] = [None] * len(state.item_inputs)
        entries: dict[str, CacheEntry] = {}
        if task.cache is not None:
            keys = [runner.reuse.cache_key(task, inputs) for inputs in state.item_inputs]
            entries = runner.store.get_cache_entries([k for k in keys if k])
        state.cache_keys = keys
        reused: list[NodeExecutionRecord] = []
        t = now()
        for index, inputs in enumerate(state.item_inputs):
            item_id = f"{state.full_id}[{index}]"
            previous = runner.recovered.get(item_id)
            if previous is not None and previous.status is Status.SUCCEEDED and \
                    previous.task_version == task.version:
                literals, how = previous.outputs, "recovered"
            elif keys[index] in entries:
                literals, how = entries[keys[index]].outputs, "hit"  # type: ignore[index]
            else:
                state.todo.append(index)
                continue
            values = runner.values.values_from(out_types, literals)
            state.results[index] = values.get("o0", _NONE)
            reused.append(self._item_record(state, index, Status.SUCCEEDED, t, t, inputs,
                                            literals, None, (), how, keys[index]))
        runner.emit_many(reused)
        state.todo.reverse()

    def _pump(self, state: _MapState) -> None:
        runner = self.runner
        task = state.node.entity.task
        chunk = runner.executor.chunk_size(len(state.todo))
        while state.todo and state.in_flight < state.max_in_flight and not state.finished \
                and runner._failure is None:
            size = min(chunk, state.max_in_flight - state.in_flight, len(state.todo))
            indices = [state.todo.pop() for _ in range(size)]
            items = [CallItem(f"{state.full_id}[{i}]", state.item_inputs[i]) for i in indices]
            state.in_flight += size
            call = TaskCall(runner.execution_id, task, items, state.node.entity.bound or None)
            runner.submit(call, lambda outcomes, idx=indices: self._done(state, idx, outcomes))
        if not state.todo and state.in_flight == 0 and not state.finished:
            self._finish(state)

    def _done(self, state: _MapState, indices: list[int], outcomes: list[ItemOutcome]) -> None:
        runner = self.runner
        state.in_flight -= len(indices)
        records: list[NodeExecutionRecord] = []
        entries: list[CacheEntry] = []
        for index, outcome in zip(indices, outcomes, strict=True):
            inputs = state.item_inputs[index]
            key = state.cache_keys[index] if state.cache_keys else None
            if outcome.status is Status.SUCCEEDED and outcome.outputs is not None:
                literals = offload(literal_map(outcome.outputs), runner.ctx)
                state.results[index] = outcome.outputs.get("o0", _NONE)
                if key is not None and literals is not None:
                    entries.append(CacheEntry(key, state.node.entity.task.ref,
                                              state.node.entity.task.cache_version, literals,
                                              outcome.ended_at, runner.execution_id,
                                              outcome.node_id))
            else:
                literals = None
                state.failed += 1
                state.first_error = state.first_error or outcome.error
            records.append(self._item_record(
                state, index, outcome.status, outcome.started_at, outcome.ended_at, inputs,
                literals, outcome.error, outcome.attempts, "miss" if key else "off", key))
        runner.recorder.cache_entries(entries)
        runner.emit_many(records)
        if state.failed > state.allowed_failures:
            if not state.finished:
                state.finished = True
                self._fail(state)
            return
        self._pump(state)

    def _finish(self, state: _MapState) -> None:
        runner = self.runner
        state.finished = True
        out_tp = state.node.interface.outputs.get("o0")
        outputs: dict[str, Value] = {}
        if out_tp is not None:
            items = state.results
            literal = [None if v is None or v is _NONE else v.literal for v in items]
            if all(v is not None and v is not _NONE and v.has_py for v in items):
                py = [v.py for v in items]  # type: ignore[union-attr]
                outputs["o0"] = keep(runner.engine, out_tp, literal, py)
            else:
                outputs["o0"] = Value(out_tp, literal)
        detail = {"items": len(state.results), "failed": state.failed}
        runner.emit(runner.record(state.frame, state.node, Status.SUCCEEDED,
                                  started_at=state.started, ended_at=now(),
                                  outputs=offload(literal_map(outputs), runner.ctx),
                                  detail=detail))
        runner.complete(state.frame, state.node, outputs)

    def _fail(self, state: _MapState) -> None:
        error = state.first_error or ErrorInfo("user", "MapFailed", "items failed")
        message = (f"{state.failed} of {len(state.results)} items failed (allowed "
                   f"{state.allowed_failures}); first: {error.type}: {error.message}")
        summary = ErrorInfo(error.kind, error.type, message, error.traceback)
        self.runner.emit(self.runner.record(
            state.frame, state.node, Status.FAILED, started_at=state.started, ended_at=now(),
            error=summary, detail={"items": len(state.results), "failed": state.failed}))
        self.runner.fail_node(state.frame, state.node, summary, recorded=True)

    def _item_record(self, state: _MapState, index: int, status: Status, started: float | None,
                     ended: float | None, inputs: dict[str, Value], outputs: Any,
                     error: ErrorInfo | None, attempts: tuple[Any, ...], cache_status: str,
                     key: str | None) -> NodeExecutionRecord:
        runner = self.runner
        return NodeExecutionRecord(
            execution_id=runner.execution_id, node_id=f"{state.full_id}[{index}]",
            name=state.node.entity.task.name, kind="map_item", status=status,
            parent_id=state.full_id, task_version=state.node.entity.task.version,
            started_at=started, ended_at=ended, inputs=literal_map(inputs), outputs=outputs,
            error=error, attempts=attempts, cache_status=cache_status, cache_key=key)


_NONE = Value(type(None), None, None, True)


def _item(engine: Any, values: Value, index: int, tp: Any) -> Value:
    literal = values.literal[index]
    if values.has_py:
        return keep(engine, tp, literal, values.py[index])
    return Value(tp, literal)


__all__ = ["MapRunner", "expand"]
