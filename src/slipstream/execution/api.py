"""Running and recovering workflows: the `Client` holds the settings and the opened stores.

`run(workflow, **inputs)` is what calling a workflow with values does; tests and the CLI build
their own `Client(settings)`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from slipstream._core.errors import (
    InvalidInputError,
    NotFoundError,
    ValueConversionError,
    did_you_mean,
)
from slipstream._core.settings import Settings
from slipstream.entities import TERMINAL_STATUSES, ExecutionRecord, Status
from slipstream.execution.executor import Executor, make_executor
from slipstream.execution.hooks import NodeHook
from slipstream.execution.runner import ExecutionResult, Runner
from slipstream.execution.values import Value, expand, make_value


class Client:
    """Settings plus the stores they name, opened on first use."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.load()

    @cached_property
    def store(self) -> Any:
        from slipstream.metadata import open_execution_store

        return open_execution_store(self.settings.store_url)

    @cached_property
    def artifacts(self) -> Any:
        from slipstream.artifacts import open_artifact_store

        return open_artifact_store(self.settings.artifact_uri)

    @cached_property
    def engine(self) -> Any:
        from slipstream.types import default_engine

        return default_engine()

    @cached_property
    def ctx(self) -> Any:
        from slipstream.types import ConversionContext

        scratch = self.settings.home / "scratch"
        return ConversionContext(self.artifacts, str(scratch))

    def execute(self, workflow: Any, inputs: dict[str, Any], *,
                executor: str | Executor | None = None, hooks: Sequence[NodeHook] = (),
                ) -> ExecutionResult:
        """Run `workflow` on `inputs` (defaults filled in); raises ExecutionFailedError."""
        return self.execute_values(workflow, self.input_values(workflow, inputs),
                                   executor=executor, hooks=hooks)

    def execute_values(self, workflow: Any, values: dict[str, Value], *,
                       executor: str | Executor | None = None,
                       hooks: Sequence[NodeHook] = ()) -> ExecutionResult:
        """Run `workflow` on inputs already converted by `input_values`."""
        from slipstream.execution.loading import source_ref_of

        runner = self._runner(executor, hooks)
        return runner.run(workflow, values, source_ref=source_ref_of(workflow))

    def recover(self, execution_id: str, *, executor: str | Executor | None = None,
                hooks: Sequence[NodeHook] = ()) -> ExecutionResult:
        """Re-run a failed, aborted or killed execution as a new one that reuses every node
        that succeeded (with unchanged code)."""
        from slipstream.execution.loading import load_entity

        old = self.store.get_execution(execution_id)
        if old.status is Status.SUCCEEDED:
            raise InvalidInputError(f"execution {old.id} succeeded; there is nothing to recover")
        if old.status not in TERMINAL_STATUSES and runner_alive(old):
            raise InvalidInputError(
                f"execution {old.id} is still running (pid {old.pid} on {old.host})")
        workflow = load_entity(old.source_ref)
        recovered = {}
        for chain_id in self._recovery_chain(old):
            for node in self.store.list_nodes(chain_id):
                if node.status is Status.SUCCEEDED:
                    recovered.setdefault(node.node_id, node)
        literals = expand(old.inputs, self.ctx)
        inputs = {name: Value(param.tp, literals.get(name))
                  for name, param in workflow.interface.inputs.items()}
        if old.status not in TERMINAL_STATUSES:
            from slipstream.execution.liveness import mark_runner_lost

            mark_runner_lost(self.store, old)
        runner = self._runner(executor, hooks, recovered)
        return runner.run(workflow, inputs, source_ref=old.source_ref, recovered_from=old.id)

    def _recovery_chain(self, record: ExecutionRecord) -> list[str]:
        chain = [record.id]
        while record.recovered_from and len(chain) < 100:
            record = self.store.get_execution(record.recovered_from)
            chain.append(record.id)
        return chain

    def _runner(self, executor: str | Executor | None, hooks: Sequence[NodeHook],
                recovered: dict[str, Any] | None = None) -> Runner:
        if executor is None or isinstance(executor, str):
            executor = make_executor(executor or self.settings.executor)
        return Runner(store=self.store, engine=self.engine, ctx=self.ctx, executor=executor,
                      artifact_uri=self.settings.artifact_uri, hooks=hooks, recovered=recovered)

    def input_values(self, workflow: Any, inputs: dict[str, Any]) -> dict[str, Value]:
        """Check call inputs against the workflow's interface, fill defaults, convert."""
        params = workflow.interface.inputs
        unknown = [name for name in inputs if name not in params]
        if unknown:
            raise InvalidInputError(
                f"workflow {workflow.name!r} has no input {unknown[0]!r}; inputs are "
                f"{list(params)}.{did_you_mean(unknown[0], params)}")
        values: dict[str, Value] = {}
        for name, param in params.items():
            if name in inputs:
                py = inputs[name]
            elif param.has_default:
                py = param.default
            else:
                raise InvalidInputError(
                    f"workflow {workflow.name!r}: input {name!r} is required "
                    f"({self.engine.type_name(param.tp)})")
            try:
                values[name] = make_value(self.engine, py, param.tp, self.ctx)
            except ValueConversionError as exc:
                raise InvalidInputError(f"workflow {workflow.name!r}, input {name!r}: {exc}"
                                        ) from None
        return values

    def outputs(self, workflow: Any, result: ExecutionResult) -> Any:
        """The Python return value of a finished execution."""
        from slipstream.sdk.interface import join_outputs

        values = {name: value.get(self.engine, self.ctx) for name, value in result.outputs.items()}
        return join_outputs(workflow.interface, values)

    def node_logs(self, execution_id: str, node_id: str, attempt: int | None = None) -> str:
        """What a node's attempt printed and logged (the latest attempt by default; "" when
        it wrote nothing). Raises NotFoundError for an unknown execution, node or attempt."""
        from slipstream.execution.task_logs import read_node_log

        return read_node_log(self.store, self.artifacts, execution_id, node_id, attempt)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()


def runner_alive(record: ExecutionRecord) -> bool:
    """True when the process that recorded `record` still runs (on this host, not a process
    that reused its pid); False on another host, which only that host can tell."""
    from slipstream.execution.liveness import runner_state

    return runner_state(record) == "alive"


_clients: dict[Settings, Client] = {}
_clients_lock = threading.Lock()


def default_client() -> Client:
    """The client for the current settings (environment and slipstream.toml)."""
    settings = Settings.load()
    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            client = _clients[settings] = Client(settings)
    return client


def run(workflow: Any, **inputs: Any) -> Any:
    """Execute `workflow` with the default client and return its Python outputs."""
    client = default_client()
    return client.outputs(workflow, client.execute(workflow, inputs))


def recover(execution_id: str) -> Any:
    """Recover an execution with the default client; returns the new execution record."""
    return default_client().recover(execution_id).execution


__all__ = ["Client", "NotFoundError", "default_client", "recover", "run", "runner_alive"]
