"""conditional(...): the chosen case runs, the others are recorded SKIPPED."""

from __future__ import annotations

from typing import Any

import pytest

from slipstream._core.errors import ExecutionFailedError
from slipstream.entities import Status
from tests.execution.conftest import local_only
from tests.execution.flows import branching
from tests.execution.helpers import nodes_by_id, run

CASE_NODES = {"big": "n0/n1", "small": "n0/n2", "non_positive": "n0/n3"}


@pytest.mark.parametrize(("x", "expected", "taken"), [
    (11, "big 11", "big"), (3, "small 3", "small"), (0, "non-positive 0", "non_positive"),
    (-5, "non-positive -5", "non_positive")])
def test_each_branch_is_taken_by_its_inputs(client: Any, executor: str, x: int, expected: str,
                                            taken: str) -> None:
    outputs, execution = run(client, branching.classify, executor, x=x)
    assert outputs == expected
    nodes = nodes_by_id(client, execution.id)
    branch = nodes["n0"]
    assert branch.kind == "branch" and branch.status is Status.SUCCEEDED
    assert branch.detail.get("case") == list(CASE_NODES).index(taken)
    for name, node_id in CASE_NODES.items():
        node = nodes[node_id]
        assert node.parent_id == "n0" and node.name == name
        if name == taken:
            assert node.status is Status.SUCCEEDED and node.outputs == {"o0": expected}
            assert len(node.attempts) == 1
        else:
            assert node.status is Status.SKIPPED and node.attempts == ()
            assert node.outputs is None


@local_only
def test_a_fail_case_fails_the_execution_with_its_message(client: Any) -> None:
    assert run(client, branching.guarded, x=2)[0] == "small 2"
    with pytest.raises(ExecutionFailedError) as info:
        client.execute(branching.guarded, {"x": -1})
    assert "x must be non-negative" in str(info.value)
    assert info.value.node_id == "n0"
    execution = client.store.get_execution(info.value.execution_id)
    assert execution.status is Status.FAILED
    assert execution.error is not None and "x must be non-negative" in execution.error.message
    nodes = nodes_by_id(client, execution.id)
    assert nodes["n0"].status is Status.FAILED
    assert [n.status for k, n in nodes.items() if k != "n0"] == [Status.SKIPPED]


@local_only
@pytest.mark.parametrize(("a", "b", "expected"), [(4, 2, "big 4"), (3, 3, "non-positive 0"),
                                                   (1, 9, "small 9")])
def test_comparing_two_node_outputs(client: Any, executor: str, a: int, b: int,
                                    expected: str) -> None:
    outputs, execution = run(client, branching.compare, executor, a=a, b=b)
    assert outputs == expected
    nodes = nodes_by_id(client, execution.id)
    assert nodes["n2"].kind == "branch"
    assert sum(n.status is Status.SKIPPED for n in nodes.values()) == 2


@local_only
@pytest.mark.parametrize(("x", "y", "expected"), [(1, 2, "big 1"), (-1, 5, "small 5"),
                                                   (3, -2, "small -2"), (0, 0, "non-positive 0"),
                                                   (0, 4, "non-positive 0")])
def test_and_or_conditions(client: Any, x: int, y: int, expected: str) -> None:
    assert run(client, branching.quadrant, x=x, y=y)[0] == expected
