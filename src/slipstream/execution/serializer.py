"""Background serialisation of in-process outputs.

One thread writes deferred values (DataFrames, arrays, models the tasks returned) to the
artifact store, then runs each node's "record SUCCEEDED" job, in submission order: a node is
never recorded succeeded before its outputs are stored, and the main thread never waits for
parquet or the disk.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slipstream.execution.values import Value
from slipstream.graph.spec import NodeSpec
from slipstream.types import TypeEngine


class OutputSerializer:
    """Runs record jobs after the values they need are stored; `executor` is None when the
    executor does not share memory (outputs then arrive as literals already)."""

    def __init__(self, enabled: bool) -> None:
        self.executor: ThreadPoolExecutor | None = (
            ThreadPoolExecutor(1, thread_name_prefix="slipstream-serializer") if enabled else None)
        self._warm: set[str] = set()

    def warm_up_on_first_task(self, modules: set[str]) -> None:
        """When a task first really runs (not served from the cache), import what storing
        outputs will need (pyarrow for parquet) on the serializer thread, while it runs."""
        self._warm = modules

    def task_started(self) -> None:
        if self._warm and self.executor is not None:
            for name in sorted(self._warm):
                self.executor.submit(_import_quietly, name)
        self._warm = set()

    def after(self, job: Callable[[], None], *values: dict[str, Value]) -> None:
        """Run `job` now if every value's literal is ready, else after the serializer has
        produced them (jobs run in order, after the serialisations submitted before them)."""
        if self.executor is None or all(v.ready for vs in values for v in vs.values()):
            job()
        else:
            self.executor.submit(job)

    def drain(self) -> None:
        """Wait for every pending serialisation and job; no more can be submitted."""
        if self.executor is not None:
            self.executor.shutdown(wait=True)
            self.executor = None


def _import_quietly(name: str) -> None:
    with contextlib.suppress(ImportError):  # the value's own conversion will report it
        importlib.import_module(name)


def storage_modules(nodes: tuple[NodeSpec, ...], engine: TypeEngine) -> set[str]:
    """Modules needed to store the outputs of these nodes (sub-graphs included)."""
    modules: set[str] = set()
    for node in nodes:
        for tp in node.interface.outputs.values():
            modules.update(engine.transformer_for(tp).storage_modules)
        if node.kind == "workflow":
            modules |= storage_modules(node.entity.spec.nodes, engine)
        for case in node.cases:
            modules |= storage_modules(case.nodes, engine)
    return modules
