"""The scheduler: walks a compiled workflow, hands ready task nodes to an executor, and
records every state change. It reads only the IR (`slipstream.graph`) and the entities the
nodes name; where calls run is the executor's business.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any

from slipstream._core.errors import ExecutionFailedError, SlipstreamError, UserError
from slipstream._core.ids import hostname, new_id, now
from slipstream.entities import (
    CacheEntry,
    ErrorInfo,
    ExecutionRecord,
    NodeExecutionRecord,
    Status,
    WorkflowRecord,
)
from slipstream.execution.calls import CallItem, ItemOutcome, TaskCall, lost_call_outcomes
from slipstream.execution.composite import CompositeRunner
from slipstream.execution.executor import Executor
from slipstream.execution.frames import Frame
from slipstream.execution.hooks import NodeHook
from slipstream.execution.mapping import MapRunner
from slipstream.execution.recorder import Recorder
from slipstream.execution.resolver import Resolver
from slipstream.execution.reuse import HIT, Reuse
from slipstream.execution.serializer import OutputSerializer, storage_modules
from slipstream.execution.values import Value, literal_map, offload, stored_literal_map
from slipstream.execution.worker import WorkerEnv, user_traceback, worker_name
from slipstream.graph.spec import (
    NodeSpec,
)
from slipstream.metadata import ExecutionStore
from slipstream.types import ConversionContext, TypeEngine


@dataclass
class ExecutionResult:
    """A finished execution and its output values."""

    execution: ExecutionRecord
    outputs: dict[str, Value]


class Runner:
    """Runs one execution of a workflow. Create one per execution."""

    def __init__(self, *, store: ExecutionStore, engine: TypeEngine, ctx: ConversionContext,
                 executor: Executor, artifact_uri: str, hooks: Sequence[NodeHook] = (),
                 recovered: dict[str, NodeExecutionRecord] | None = None) -> None:
        self.store = store
        self.engine = engine
        self.ctx = ctx
        self.executor = executor
        self.artifact_uri = artifact_uri
        self.hooks = list(hooks)
        self.recovered = recovered or {}
        self.recorder = Recorder(store)
        self.execution: ExecutionRecord | None = None
        self._ready: deque[tuple[Frame, NodeSpec]] = deque()
        self._running: dict[Future[list[ItemOutcome]],
                            tuple[Callable[[list[ItemOutcome]], None], TaskCall]] = {}
        self._completed: deque[tuple[Callable[[list[ItemOutcome]], None], list[ItemOutcome]]] = deque()
        self._failure: tuple[str, ErrorInfo, Status] | None = None
        self._failure_name = ""  # the failing node's task or entity name, for the message
        self._serializer = OutputSerializer(enabled=False)
        self._deferred_failure: tuple[str, ErrorInfo, Status] | None = None
        self._outputs: dict[str, Value] | None = None
        self.values = Resolver(engine, ctx)

        self._maps = MapRunner(self)
        self._composites = CompositeRunner(self)
        self.reuse = Reuse(self)

    # ---- execution lifecycle -------------------------------------------------------------

    def run(self, workflow: Any, inputs: dict[str, Value], *, source_ref: str,
            recovered_from: str | None = None) -> ExecutionResult:
        spec = workflow.spec
        started = now()
        self.execution = ExecutionRecord(
            id=new_id(), workflow_name=workflow.name, workflow_version=workflow.version,
            status=Status.RUNNING, inputs=offload(literal_map(inputs), self.ctx) or {},
            created_at=started, source_ref=source_ref, started_at=started,
            recovered_from=recovered_from, executor=self.executor.name,
            host=hostname(), pid=os.getpid())
        self.recorder.workflow(WorkflowRecord(workflow.name, workflow.version,
                                              workflow.stored_spec(), source_ref, started))
        self._set_execution(self.execution)
        self.recorder.flush()
        self._serializer = OutputSerializer(enabled=self.executor.shares_memory)
        self._serializer.warm_up_on_first_task(storage_modules(spec.nodes, self.engine))
        self.values.serializer = self._serializer.executor
        env = WorkerEnv(self.engine, self.ctx, worker_name(),
                        self._serializer.executor)
        try:
            self.executor.start(env, self.artifact_uri)
            top = Frame(spec.nodes, "", inputs, spec.outputs, spec.interface.outputs,
                        self._top_done, self._top_failed)
            self.enter(top)
            self._loop()
        except BaseException as exc:
            self._abort(exc)
            raise
        finally:
            self.executor.shutdown()
        return self._finish()

    def _finish(self) -> ExecutionResult:
        assert self.execution is not None
        self._drain_serializer()
        if self._deferred_failure is not None and self._failure is None:
            self._failure = self._deferred_failure
        const_error = self.values.failed_constant()
        if const_error is not None and self._failure is None:
            self._failure = ("", ErrorInfo("user", type(const_error).__name__,
                                           f"a constant input could not be stored: {const_error}"),
                             Status.FAILED)
        ended = now()
        if self._failure is None and self._outputs is not None:
            record = dataclasses.replace(self.execution, status=Status.SUCCEEDED, ended_at=ended,
                              outputs=offload(literal_map(self._outputs), self.ctx) or {})
            self._set_execution(record)
            self.recorder.close()
            return ExecutionResult(record, self._outputs)
        node_id, error, status = self._failure or ("", ErrorInfo("system", "InternalError",
                                                                 "no outputs"), Status.FAILED)
        record = dataclasses.replace(self.execution, status=status, ended_at=ended, error=error)
        self._set_execution(record)
        self.recorder.close()
        raise ExecutionFailedError(_failure_message(record, node_id, self._failure_name, error),
                                   execution_id=record.id, node_id=node_id, status=status.value)

    def _abort(self, exc: BaseException) -> None:
        """An interrupt or internal error: record the execution ABORTED, keep what finished."""
        if self.execution is None:
            return
        kind = "system" if not isinstance(exc, KeyboardInterrupt) else "user"
        error = ErrorInfo(kind, type(exc).__name__, str(exc) or "interrupted",
                          user_traceback(exc) if not isinstance(exc, KeyboardInterrupt) else "")
        with contextlib.suppress(Exception):
            self._drain_serializer()
        self._set_execution(dataclasses.replace(self.execution, status=Status.ABORTED, ended_at=now(),
                                     error=error))
        with contextlib.suppress(SlipstreamError):
            self.recorder.close()

    def _set_execution(self, record: ExecutionRecord) -> None:
        self.execution = record
        self.recorder.execution(record)
        for hook in self.hooks:
            hook.on_execution(record=record)

    def _top_done(self, outputs: dict[str, Value]) -> None:
        self._outputs = outputs

    def _top_failed(self, node_id: str, error: ErrorInfo) -> None:
        return None

    # ---- scheduling ------------------------------------------------------------------------

    def enter(self, frame: Frame) -> None:
        if frame.remaining == 0:
            self._frame_done(frame)
            return
        self._ready.extend((frame, node) for node in frame.roots())

    def _loop(self) -> None:
        ready, running, completed = self._ready, self._running, self._completed
        while True:
            while completed or (ready and self._failure is None):
                if completed:
                    handler, outcomes = completed.popleft()
                    handler(outcomes)
                else:
                    frame, node = ready.popleft()
                    self._start(frame, node)
            if not running:
                return
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                handler, call = running.pop(future)
                completed.append((handler, lost_call_outcomes(future, call)))

    def submit(self, call: TaskCall, handler: Callable[[list[ItemOutcome]], None]) -> None:
        """Send a call to the executor; `handler` gets its outcomes from the main loop."""
        if self.executor.synchronous:
            self._completed.append((handler, self.executor.run_now(call)))
            return
        future = self.executor.submit(call)
        if future.done():
            self._completed.append((handler, future.result()))
        else:
            self._running[future] = (handler, call)

    def _start(self, frame: Frame, node: NodeSpec) -> None:
        try:
            if node.kind in ("task", "dynamic"):
                inputs = self.values.resolve_inputs(frame, node)
                if self.reuse.recovered(frame, node, inputs):
                    return
                cache_key = self.reuse.cached(frame, node, inputs)
                if cache_key == HIT:
                    return
                if node.kind == "task":
                    self._start_task(frame, node, inputs, cache_key)
                else:
                    self._composites.start_dynamic(frame, node, inputs, cache_key)
            elif node.kind == "map":
                self._maps.start(frame, node)
            elif node.kind == "workflow":
                inputs = self.values.resolve_inputs(frame, node)
                if not self.reuse.recovered(frame, node, inputs):
                    self._composites.start_subworkflow(frame, node, inputs)
            elif node.kind == "branch":
                self._composites.start_branch(frame, node)
            else:
                raise SlipstreamError(f"unknown node kind {node.kind!r}")
        except UserError as exc:
            self.fail_node(frame, node, ErrorInfo("user", type(exc).__name__, str(exc)))
        except Exception as exc:
            self.fail_node(frame, node, ErrorInfo("user", type(exc).__name__, str(exc),
                                                  user_traceback(exc)))

    # ---- task nodes --------------------------------------------------------------------------

    def _start_task(self, frame: Frame, node: NodeSpec, inputs: dict[str, Value],
                    cache_key: str | None) -> None:
        task = node.entity
        full_id = frame.full_id(node)
        self._serializer.task_started()
        started = now()

        def running() -> NodeExecutionRecord:
            ready = all(v.ready for v in inputs.values())  # else the final record has them
            return self.record(frame, node, Status.RUNNING, started_at=started,
                               inputs=inputs if ready else None,
                               cache_status="miss" if cache_key else "off", cache_key=cache_key)

        if self.hooks:
            self.emit(running())
        else:  # built by the recorder, only if the task is still running when it writes
            self.recorder.node_later(self.execution_id, full_id, running)

        def done(outcomes: list[ItemOutcome]) -> None:
            self._task_done(frame, node, inputs, cache_key, started, outcomes[0])

        self.submit(TaskCall(self.execution_id, task, [CallItem(full_id, inputs)],
                             defer=self._serializer.executor is not None), done)

    def _task_done(self, frame: Frame, node: NodeSpec, inputs: dict[str, Value],
                   cache_key: str | None, started: float, outcome: ItemOutcome) -> None:
        cache_status = "miss" if cache_key else "off"
        if outcome.status is not Status.SUCCEEDED or outcome.outputs is None:
            self.emit(self.record(frame, node, outcome.status, started_at=started,
                                  ended_at=outcome.ended_at, inputs=inputs, error=outcome.error,
                                  attempts=outcome.attempts, cache_status=cache_status,
                                  cache_key=cache_key))
            self.fail_node(frame, node, outcome.error, outcome.status, recorded=True)
            return
        outputs = outcome.outputs

        def record_success() -> None:
            literals = offload(literal_map(outputs), self.ctx)
            entry = None
            if cache_key is not None and literals is not None:
                entry = CacheEntry(cache_key, node.entity.ref, node.entity.cache_version,
                                   literals, outcome.ended_at, self.execution_id,
                                   frame.full_id(node))
            self.emit(self.record(frame, node, Status.SUCCEEDED, started_at=started,
                                  ended_at=outcome.ended_at, inputs=stored_literal_map(inputs),
                                  outputs=literals,
                                  attempts=outcome.attempts, cache_status=cache_status,
                                  cache_key=cache_key), entry)

        self.after_serialization(frame, node, record_success, inputs, outputs)
        self.complete(frame, node, outputs)

    def after_serialization(self, frame: Frame, node: NodeSpec, record: Callable[[], None],
                            *values: dict[str, Value]) -> None:
        """Run `record` (which writes the node's SUCCEEDED row) once every literal it needs
        exists: now, or after the serializer has stored the deferred outputs (it runs jobs in
        order). A node is thus never recorded succeeded before its outputs are stored; if
        storing them failed, the node is recorded FAILED and so is the execution."""
        def job() -> None:
            try:
                record()
            except Exception as exc:
                error = ErrorInfo("user", type(exc).__name__,
                                  f"outputs of node {frame.full_id(node)} ({node.name}) could "
                                  f"not be stored: {exc}")
                self.emit(self.record(frame, node, Status.FAILED, ended_at=now(), error=error))
                if self._deferred_failure is None:
                    self._deferred_failure = (frame.full_id(node), error, Status.FAILED)
                    self._failure_name = node.name

        self._serializer.after(job, *values)

    def _drain_serializer(self) -> None:
        self.values.serializer = None
        self._serializer.drain()

    # ---- completion ------------------------------------------------------------------------

    def complete(self, frame: Frame, node: NodeSpec, outputs: dict[str, Value]) -> None:
        if self._failure is not None:
            frame.values[node.id] = outputs  # the execution is failing: start nothing new
            return
        ready = frame.complete(node, outputs)
        self._ready.extend((frame, r) for r in ready)
        if frame.remaining == 0:
            self._frame_done(frame)

    def _frame_done(self, frame: Frame) -> None:
        try:
            values = {name: self.values.resolve(frame, binding, frame.output_types[name])
                      for name, binding in frame.outputs.items()}
        except Exception as exc:
            error = ErrorInfo("user", type(exc).__name__, str(exc))
            self._failure = self._failure or (frame.owner_id or "", error, Status.FAILED)
            frame.on_fail(frame.owner_id or "", error)
            return
        frame.on_done(values)

    def fail_node(self, frame: Frame, node: NodeSpec, error: ErrorInfo | None,
                  status: Status = Status.FAILED, *, recorded: bool = False,
                  origin: str | None = None) -> None:
        """Record a node as failed (unless done already) and fail the enclosing frames."""
        error = error or ErrorInfo("system", "Unknown", "node failed without an error")
        full_id = frame.full_id(node)
        if not recorded:
            self.emit(self.record(frame, node, status, started_at=now(), ended_at=now(),
                                  error=error))
        if self._failure is None:
            self._failure = (origin or full_id, error, status)
            self._failure_name = node.name if origin is None else ""
        frame.on_fail(origin or full_id, error)

    # ---- records -----------------------------------------------------------------------------

    @property
    def execution_id(self) -> str:
        assert self.execution is not None
        return self.execution.id

    def record(self, frame: Frame, node: NodeSpec, status: Status, *,
               started_at: float | None = None, ended_at: float | None = None,
               inputs: dict[str, Value] | dict[str, Any] | None = None,
               outputs: dict[str, Any] | None = None,
               error: ErrorInfo | None = None, attempts: tuple[Any, ...] = (),
               cache_status: str = "off", cache_key: str | None = None,
               detail: dict[str, Any] | None = None) -> NodeExecutionRecord:
        return NodeExecutionRecord(
            execution_id=self.execution_id, node_id=frame.full_id(node), name=node.name,
            kind=node.kind, status=status, parent_id=frame.owner_id,
            task_version=getattr(node.entity, "version", "") if node.entity is not None else "",
            started_at=started_at, ended_at=ended_at,
            inputs=offload(_literals_of(inputs), self.ctx) if inputs else None,
            outputs=outputs, error=error, attempts=attempts, cache_status=cache_status,
            cache_key=cache_key, detail=detail or {})

    def emit(self, record: NodeExecutionRecord, cache_entry: CacheEntry | None = None) -> None:
        self.recorder.node(record, cache_entry)
        for hook in self.hooks:
            hook.on_node(record=record)

    def emit_many(self, records: list[NodeExecutionRecord]) -> None:
        if not records:
            return
        self.recorder.nodes(records)
        for hook in self.hooks:
            for record in records:
                hook.on_node(record=record)


def _literals_of(values: dict[str, Any]) -> dict[str, Any]:
    """Input literal maps come as Values (from the resolver) or as literals already."""
    return {name: v.literal if isinstance(v, Value) else v for name, v in values.items()}


def _failure_message(record: ExecutionRecord, node_id: str, name: str,
                     error: ErrorInfo) -> str:
    what = "timed out" if record.status is Status.TIMED_OUT else "failed"
    node = f"{node_id} ({name})" if name else node_id
    lines = [f"Execution {record.id} of workflow {record.workflow_name!r} {what} at node "
             f"{node}: {error.type}: {error.message}"]
    if error.traceback:
        lines.append(error.traceback.rstrip())
    lines.append(f"Inspect it with `slipstream executions show {record.id}`; re-run what did not "
                 f"finish with `slipstream recover {record.id}`.")
    return "\n".join(lines)
