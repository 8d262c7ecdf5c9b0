"""`map_task`: run a task once per item of its list inputs, in parallel where the executor can."""

from __future__ import annotations

import functools
from typing import Any, Optional

from slipstream._core.errors import DefinitionError
from slipstream.graph.spec import Interface, Param
from slipstream.sdk.builder import current_builder
from slipstream.sdk.task import Task


class MapTask:
    """A task mapped over lists: each unbound input becomes `list[T]`, zipped item by item.

    `concurrency` caps items in flight (None: the executor's parallelism); with
    `min_success_ratio` < 1 failed items yield None and the node succeeds if enough items did.
    """

    kind = "map"

    def __init__(self, target: Task | functools.partial[Any], concurrency: int | None = None,
                 min_success_ratio: float = 1.0) -> None:
        bound: dict[str, Any] = {}
        if isinstance(target, functools.partial):
            if target.args:
                raise DefinitionError("map_task(partial(...)): bind inputs by keyword only")
            bound = dict(target.keywords)
            target = target.func
        if not isinstance(target, Task) or type(target).kind != "task":
            raise DefinitionError(f"map_task needs a @task, got {target!r}")
        if len(target.interface.outputs) > 1:
            raise DefinitionError(
                f"map_task({target.name}): the task must have at most one output, it has "
                f"{list(target.interface.outputs)}")
        unknown = set(bound) - set(target.interface.inputs)
        if unknown:
            raise DefinitionError(f"map_task({target.name}): unknown bound inputs {sorted(unknown)}")
        if concurrency is not None and concurrency < 1:
            raise DefinitionError("map_task concurrency must be >= 1")
        if not 0 < min_success_ratio <= 1:
            raise DefinitionError("map_task min_success_ratio must be in (0, 1]")
        self.task = target
        self.bound = bound
        self.concurrency = concurrency
        self.min_success_ratio = min_success_ratio
        self.name = f"map_{target.name}"
        inner = target.interface
        inputs = {n: Param(list[p.tp]) for n, p in inner.inputs.items() if n not in bound}
        if not inputs:
            raise DefinitionError(f"map_task({target.name}): every input is bound; nothing to map")
        outputs: dict[str, Any] = {}
        if inner.outputs:
            item_tp = inner.outputs["o0"] if "o0" in inner.outputs else next(iter(inner.outputs.values()))
            if min_success_ratio < 1:
                item_tp = Optional[item_tp]  # noqa: UP045 - a runtime type object
            outputs = {"o0": list[item_tp]}
        self.interface = Interface(inputs, outputs, "single" if outputs else "none")

    @property
    def ref(self) -> str:
        return self.task.ref

    @property
    def source(self) -> str:
        return self.task.source

    @property
    def version(self) -> str:
        return self.task.version

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        builder = current_builder()
        if builder is not None:
            return builder.call(self, "map", self.interface, self.name, args, kwargs, self.ref)
        names = list(self.interface.inputs)
        kwargs = {**dict(zip(names, args, strict=False)), **kwargs}
        lengths = {len(v) for v in kwargs.values()}
        if len(lengths) > 1:
            raise DefinitionError(f"{self.name}: mapped inputs have different lengths {lengths}")
        count = lengths.pop() if lengths else 0
        return [self.task.run_plain(**self.bound, **{k: v[i] for k, v in kwargs.items()})
                for i in range(count)]


def map_task(target: Task | functools.partial[Any], concurrency: int | None = None,
             min_success_ratio: float = 1.0) -> MapTask:
    """Map `target` (a task, or `functools.partial(task, fixed=...)`) over list inputs."""
    return MapTask(target, concurrency, min_success_ratio)
