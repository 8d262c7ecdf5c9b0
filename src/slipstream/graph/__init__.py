"""The compiled, frozen graph IR that every executor reads: bindings, nodes, workflow specs."""

from slipstream.graph.spec import (
    Binding,
    BranchCase,
    ConstBinding,
    DictBinding,
    InputBinding,
    Interface,
    ListBinding,
    NodeSpec,
    OutputBinding,
    Param,
    WorkflowSpec,
)

__all__ = [
    "Binding",
    "BranchCase",
    "ConstBinding",
    "DictBinding",
    "InputBinding",
    "Interface",
    "ListBinding",
    "NodeSpec",
    "OutputBinding",
    "Param",
    "WorkflowSpec",
]
