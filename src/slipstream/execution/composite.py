"""Composite nodes: sub-workflows, dynamic tasks (compiled at run time) and conditional branches.
Each runs its nodes in a child frame; the node succeeds with the frame's outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slipstream._core.errors import UserError
from slipstream._core.ids import now
from slipstream.entities import CacheEntry, ErrorInfo, NodeExecutionRecord, Status
from slipstream.execution.frames import Frame
from slipstream.execution.values import Value, literal_map, offload, stored_literal_map
from slipstream.execution.worker import user_traceback
from slipstream.graph.spec import Binding, ConstBinding, NodeSpec

if TYPE_CHECKING:
    from slipstream.execution.runner import Runner


class CompositeRunner:
    """Starts composite nodes for a `Runner`."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def start_subworkflow(self, frame: Frame, node: NodeSpec, inputs: dict[str, Value]) -> None:
        spec = node.entity.spec
        self.start_child(frame, node, spec.nodes, inputs, spec.outputs, inputs=inputs)

    def start_dynamic(
        self, frame: Frame, node: NodeSpec, inputs: dict[str, Value], cache_key: str | None = None
    ) -> None:
        py_inputs = {name: value.get(self.runner.engine, self.runner.ctx) for name, value in inputs.items()}
        try:
            nodes, outputs = node.entity.compile(py_inputs, self.runner.ctx)
        except UserError as exc:
            self.runner.fail_node(
                frame,
                node,
                ErrorInfo("user", type(exc).__name__, str(exc), user_traceback(exc.__cause__ or exc)),
            )
            return
        detail = {"subgraph": [n.to_json() for n in nodes]}
        self.start_child(frame, node, nodes, {}, outputs, inputs=inputs, detail=detail, cache_key=cache_key)

    def start_branch(self, frame: Frame, node: NodeSpec) -> None:
        def resolve(binding: Binding) -> Any:
            if isinstance(binding, ConstBinding):
                return binding.value
            return self.runner.values.resolve_natural(frame, binding).get(self.runner.engine, self.runner.ctx)

        chosen = None
        for index, case in enumerate(node.cases):
            if case.condition is None or case.condition.evaluate(resolve):
                chosen = index
                break
        for index, case in enumerate(node.cases):
            if index != chosen:
                t = now()
                self.runner.emit_many(
                    [
                        _skipped(
                            self.runner.execution_id,
                            frame.full_id(node) + "/" + inner.id,
                            inner,
                            frame.full_id(node),
                            t,
                        )
                        for inner in case.nodes
                    ]
                )
        if chosen is None:
            self.runner.fail_node(
                frame,
                node,
                ErrorInfo(
                    "user",
                    "NoCaseMatched",
                    f"conditional {node.name!r}: no case matched and it has no else_()",
                ),
            )
            return
        case = node.cases[chosen]
        if case.fail_message is not None:
            self.runner.fail_node(
                frame,
                node,
                ErrorInfo("user", "ConditionalFailed", f"conditional {node.name!r}: {case.fail_message}"),
            )
            return
        outputs = {"o0": case.output} if case.output is not None else {}
        self.start_child(
            frame, node, case.nodes, frame.inputs, outputs, parent=frame, detail={"case": chosen}
        )

    def start_child(
        self,
        frame: Frame,
        node: NodeSpec,
        nodes: tuple[NodeSpec, ...],
        child_inputs: dict[str, Value],
        outputs: dict[str, Binding],
        *,
        inputs: dict[str, Value] | None = None,
        parent: Frame | None = None,
        detail: dict[str, Any] | None = None,
        cache_key: str | None = None,
    ) -> None:
        started = now()
        full_id = frame.full_id(node)
        self.runner.emit(
            self.runner.record(
                frame,
                node,
                Status.RUNNING,
                started_at=started,
                detail=detail or {},
                inputs=inputs if inputs and all(v.ready for v in inputs.values()) else None,
            )
        )

        def done(values: dict[str, Value]) -> None:
            ended = now()

            def record_success() -> None:
                literals = offload(literal_map(values), self.runner.ctx)
                entry = None
                if cache_key is not None and literals is not None:
                    entity = node.entity
                    entry = CacheEntry(
                        cache_key,
                        entity.ref,
                        entity.cache_version,
                        literals,
                        ended,
                        self.runner.execution_id,
                        full_id,
                    )
                record = self.runner.record(
                    frame,
                    node,
                    Status.SUCCEEDED,
                    started_at=started,
                    ended_at=ended,
                    inputs=stored_literal_map(inputs) if inputs else None,
                    outputs=literals,
                    cache_status="miss" if cache_key else "off",
                    cache_key=cache_key,
                    detail=detail or {},
                )
                self.runner.emit(record, entry)

            self.runner.after_serialization(frame, node, record_success, inputs or {}, values)
            self.runner.complete(frame, node, values)

        def failed(child_id: str, error: ErrorInfo) -> None:
            self.runner.emit(
                self.runner.record(
                    frame,
                    node,
                    Status.FAILED,
                    started_at=started,
                    ended_at=now(),
                    inputs=inputs,
                    error=error,
                    detail=detail or {},
                )
            )
            self.runner.fail_node(frame, node, error, recorded=True, origin=child_id)

        child = Frame(
            nodes,
            full_id + "/",
            child_inputs,
            outputs,
            node.interface.outputs,
            done,
            failed,
            parent=parent,
            owner_id=full_id,
        )
        self.runner.enter(child)


def _skipped(execution_id: str, node_id: str, node: NodeSpec, parent: str, t: float) -> NodeExecutionRecord:
    return NodeExecutionRecord(
        execution_id=execution_id,
        node_id=node_id,
        name=node.name,
        kind=node.kind,
        status=Status.SKIPPED,
        parent_id=parent,
        started_at=t,
        ended_at=t,
    )
