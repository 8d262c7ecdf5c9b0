"""`@dynamic`: a task whose body runs at execution time and returns a sub-graph.

The body receives real input values, so it can loop and branch on data (the tuning fan-out);
task calls inside it add nodes, which the engine runs after the body returns.
Called outside a workflow, the body runs with plain task calls and returns real values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slipstream.graph.spec import Binding, NodeSpec
from slipstream.sdk.task import Task


class DynamicTask(Task):
    """A task that builds its sub-graph when it runs."""

    kind = "dynamic"

    def compile(self, inputs: dict[str, Any], ctx: Any = None
                ) -> tuple[tuple[NodeSpec, ...], dict[str, Binding]]:
        """Run the body on real `inputs` with a builder active; return nodes and outputs.
        With the execution's conversion context `ctx`, constants are converted once, here."""
        from slipstream.sdk.workflow import compile_body

        return compile_body(self.fn, self.name, self.interface, inputs, ctx=ctx)


def dynamic(fn: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """`@dynamic` or `@dynamic(cache=True, ...)`: same options as `@task`."""
    if fn is not None:
        return DynamicTask(fn, **options)
    return lambda f: DynamicTask(f, **options)
