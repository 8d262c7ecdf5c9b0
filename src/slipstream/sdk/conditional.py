"""`conditional`: branch a workflow on promises, flytekit style.

    conditional("on_drift").if_(drift.is_true()).then(retrain(...)).else_().then(keep(...))

Nodes created inside a `then(...)` belong to that case and run only when it is chosen; the
branch's output is the chosen case's output.
"""

from __future__ import annotations

from typing import Any

from slipstream._core.errors import DefinitionError, WiringTypeError
from slipstream.graph.conditions import Condition, Unary
from slipstream.graph.spec import BranchCase, Interface, NodeSpec
from slipstream.sdk.builder import GraphBuilder, current_builder, type_name
from slipstream.sdk.promise import NodeOutputs, Promise


class ConditionalSection:
    """A conditional being defined: `if_` first, then any `elif_`, then `else_`."""

    def __init__(self, name: str) -> None:
        builder = current_builder()
        if builder is None:
            raise DefinitionError(f"conditional({name!r}) can only be used in a workflow body")
        self.name = name
        self.builder: GraphBuilder = builder
        self.node_id = builder.new_id()
        self.cases: list[BranchCase] = []
        self.output_tp: Any = None
        self.has_output: bool | None = None
        self._open = False
        builder.open_conditionals.append(self)

    def unfinished(self) -> str:
        """Why this conditional is not finished, for the error at the end of the body."""
        if self._open:
            return (f"conditional {self.name!r}: case {len(self.cases) + 1} has no then(); "
                    "finish it with .then(value) or .fail(\"message\")")
        return (f"conditional {self.name!r} is not finished; end it with .else_().then(value) "
                "or .else_().fail(\"message\")")

    def if_(self, condition: Condition | Promise) -> Case:
        if self.cases or self._open:
            raise DefinitionError(f"conditional {self.name!r}: if_() must come first, and once")
        return self._case(self._condition(condition))

    def elif_(self, condition: Condition | Promise) -> Case:
        if not self.cases:
            raise DefinitionError(f"conditional {self.name!r}: elif_() needs an if_() before it")
        return self._case(self._condition(condition))

    def else_(self) -> Case:
        if not self.cases:
            raise DefinitionError(f"conditional {self.name!r}: else_() needs an if_() before it")
        return self._case(None)

    def _condition(self, condition: Condition | Promise) -> Condition:
        if isinstance(condition, Promise):
            return Unary("is_true", condition.binding)
        if not isinstance(condition, Condition):
            raise DefinitionError(
                f"conditional {self.name!r}: the condition must compare promises (e.g. "
                f"`x > 0.5`, `flag.is_true()`), got {type(condition).__name__} {condition!r}")
        return condition

    def _case(self, condition: Condition | None) -> Case:
        if self._open:
            raise DefinitionError(f"conditional {self.name!r}: the previous case has no then()")
        self._open = True
        return Case(self, condition, len(self.builder.nodes))

    def close_case(self, case: Case, result: Any, fail_message: str | None) -> Any:
        self._open = False
        nodes = tuple(self.builder.nodes[case.start:])
        del self.builder.nodes[case.start:]
        where = f"workflow {self.builder.owner!r}, conditional {self.name!r}"
        output = None
        if fail_message is None:
            has_output = isinstance(result, Promise) or not (result is None or
                                                             isinstance(result, NodeOutputs))
            if self.has_output is not None and has_output != self.has_output:
                raise DefinitionError(f"{where}: every case must return a value, or none must")
            self.has_output = has_output
            if has_output:
                tp = result.tp if isinstance(result, Promise) else type(result)
                if self.output_tp is None:
                    self.output_tp = tp
                output = self.builder.to_binding(result, self.output_tp, f"{where}, case "
                                                 f"{len(self.cases) + 1}")
                if isinstance(result, Promise) and tp != self.output_tp:
                    from slipstream.types import default_engine

                    if not default_engine().is_compatible(tp, self.output_tp):
                        raise WiringTypeError(
                            f"{where}: case {len(self.cases) + 1} returns {type_name(tp)}, the "
                            f"first case returns {type_name(self.output_tp)}")
        self.cases.append(BranchCase(case.condition, nodes, output, fail_message))
        if case.condition is None:
            return self._finish()
        return self

    def _finish(self) -> Any:
        inner: set[str] = set()
        deps: set[str] = set()
        for case in self.cases:
            if case.condition is not None:
                for binding in case.condition.bindings():
                    deps |= binding.node_ids()
            for node in case.nodes:
                inner.add(node.id)
                deps |= set(node.upstream)
            if case.output is not None:
                deps |= case.output.node_ids()
        self.builder.open_conditionals.remove(self)
        outputs = {"o0": self.output_tp} if self.has_output else {}
        interface = Interface({}, outputs, "single" if outputs else "none")
        self.builder.nodes.append(NodeSpec(
            self.node_id, "branch", self.name, None, {}, tuple(sorted(deps - inner)), interface,
            cases=tuple(self.cases)))
        return self.builder.outputs_of(self.node_id, self.name, interface)


class Case:
    """One open case; finish it with `then(value)` or `fail(message)`."""

    def __init__(self, section: ConditionalSection, condition: Condition | None,
                 start: int) -> None:
        self.section = section
        self.condition = condition
        self.start = start

    def then(self, result: Any) -> Any:
        return self.section.close_case(self, result, None)

    def fail(self, message: str) -> Any:
        return self.section.close_case(self, None, message)

    def if_(self, condition: Any) -> Any:
        raise DefinitionError(self.section.unfinished())

    def elif_(self, condition: Any) -> Any:
        raise DefinitionError(self.section.unfinished())

    def else_(self) -> Any:
        raise DefinitionError(self.section.unfinished())


def conditional(name: str) -> ConditionalSection:
    """Start a named conditional inside a workflow body."""
    return ConditionalSection(name)
