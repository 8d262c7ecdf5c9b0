"""In-process, DataFrame/array/estimator outputs are checked when the task returns and written to
the artifact store in the background; the node is recorded SUCCEEDED only once they are stored."""

from __future__ import annotations

from typing import Any

import pytest

from slipstream._core.errors import ExecutionFailedError
from slipstream.entities import Status
from tests.execution.flows import sharing
from tests.execution.helpers import nodes_by_id


def test_an_output_that_cannot_be_stored_fails_its_node_and_the_execution(
        client: Any, executor: str) -> None:
    with pytest.raises(ExecutionFailedError, match=r"n0 \(unstorable\)") as caught:
        client.execute(sharing.stores_late, {}, executor=executor)
    execution = client.store.get_execution(caught.value.execution_id)
    assert execution.status is Status.FAILED
    assert "mixed" in execution.error.message or "mixed" in str(caught.value)
    node = nodes_by_id(client, execution.id)["n0"]
    assert node.status is Status.FAILED
    assert node.outputs is None


def test_succeeded_nodes_reference_stored_blobs(client: Any, executor: str) -> None:
    result = client.execute(sharing.sharing, {}, executor=executor)
    frame_node = nodes_by_id(client, result.execution.id)["n0"]
    assert frame_node.status is Status.SUCCEEDED
    ref = frame_node.outputs["o0"]
    assert ref["fmt"] == "parquet"
    assert client.artifacts.exists(ref["$blob"])


def test_a_constant_that_cannot_be_stored_fails_the_execution(client: Any, executor: str) -> None:
    # in-process the constant is stored in the background (the execution fails at its end);
    # with a process pool it is converted at once (its consuming node fails)
    with pytest.raises(ExecutionFailedError, match=r"cannot store this pandas\.DataFrame") as e:
        client.execute(sharing.unstorable_constant, {}, executor=executor)
    assert client.store.get_execution(e.value.execution_id).status is Status.FAILED
