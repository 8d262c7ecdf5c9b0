"""Retries, timeouts, a task that raises, and tasks returning values their hints forbid."""

from __future__ import annotations

import time
from typing import Any

import pytest

from slipstream._core.errors import ExecutionFailedError
from slipstream.entities import Status
from tests.execution.conftest import local_only
from tests.execution.flows import count, failing, hung
from tests.execution.helpers import nodes_by_id, run

FAILING_FILE = failing.__file__


def _failed(client: Any, workflow: Any, executor: str, **inputs: Any) -> ExecutionFailedError:
    with pytest.raises(ExecutionFailedError) as info:
        client.execute(workflow, inputs, executor=executor)
    return info.value


# ---- retries -----------------------------------------------------------------------------


@pytest.mark.parametrize("workflow", [failing.retried2, failing.retried_obj],
                         ids=["retries=2", "Retry(2,backoff=0.01)"])
def test_failing_twice_then_succeeding_with_two_retries(client: Any, executor: str,
                                                        scratch: str, workflow: Any) -> None:
    outputs, execution = run(client, workflow, executor, counter_dir=scratch)
    assert outputs == 3
    assert count(scratch, "flaky") == 3
    assert client.store.get_execution(execution.id).status is Status.SUCCEEDED
    node = nodes_by_id(client, execution.id)["n0"]
    assert node.status is Status.SUCCEEDED and node.error is None
    assert [(a.number, a.status) for a in node.attempts] == [
        (1, Status.FAILED), (2, Status.FAILED), (3, Status.SUCCEEDED)]
    for number, attempt in enumerate(node.attempts[:2], start=1):
        assert attempt.error is not None
        assert (attempt.error.type, attempt.error.message) == \
            ("ConnectionError", f"flaky failure {number}")
        assert FAILING_FILE in attempt.error.traceback
    for earlier, later in zip(node.attempts, node.attempts[1:], strict=False):
        assert earlier.started_at <= earlier.ended_at <= later.started_at
    assert node.started_at <= node.attempts[0].started_at
    assert node.attempts[-1].ended_at <= node.ended_at


def test_running_out_of_retries_fails_with_the_last_error(client: Any, executor: str,
                                                         scratch: str) -> None:
    error = _failed(client, failing.retried1, executor, counter_dir=scratch)
    assert count(scratch, "flaky") == 2
    assert error.status == "FAILED" and error.node_id == "n0"
    assert "at node n0 (flaky_retries1): ConnectionError: flaky failure 2" in str(error)
    execution = client.store.get_execution(error.execution_id)
    assert execution.status is Status.FAILED
    assert execution.error is not None and execution.error.message == "flaky failure 2"
    node = nodes_by_id(client, error.execution_id)["n0"]
    assert node.status is Status.FAILED
    assert [(a.number, a.status) for a in node.attempts] == [(1, Status.FAILED),
                                                             (2, Status.FAILED)]
    assert node.error is not None
    assert (node.error.kind, node.error.type, node.error.message) == \
        ("user", "ConnectionError", "flaky failure 2")
    assert FAILING_FILE in node.error.traceback and "_flaky" in node.error.traceback


@local_only
def test_backoff_sleeps_between_attempts(client: Any, executor: str, scratch: str) -> None:
    started = time.monotonic()
    outputs, execution = run(client, failing.retried_backoff, executor, counter_dir=scratch)
    assert outputs == 3
    assert time.monotonic() - started >= 0.85  # 0.3 s + 0.6 s of backoff
    first, second, third = nodes_by_id(client, execution.id)["n0"].attempts
    gap1 = second.started_at - first.ended_at
    gap2 = third.started_at - second.ended_at
    assert 0.28 <= gap1 < 2.0, gap1
    assert 0.58 <= gap2 < 3.0, gap2


# ---- timeouts ----------------------------------------------------------------------------


def test_timeout_stops_a_hung_task(client: Any, executor: str) -> None:
    started = time.monotonic()
    error = _failed(client, hung.hung, executor)
    elapsed = time.monotonic() - started
    assert elapsed < 6, f"a 0.5 s timeout took {elapsed:.1f} s to stop the task"
    assert error.status == "TIMED_OUT" and error.node_id == "n0"
    assert "timed out at node n0 (sleep_forever): TaskTimedOut" in str(error)
    execution = client.store.get_execution(error.execution_id)
    assert execution.status is Status.TIMED_OUT
    assert execution.error is not None and execution.error.kind == "timeout"
    nodes = nodes_by_id(client, error.execution_id)
    node = nodes["n0"]
    assert node.status is Status.TIMED_OUT
    assert node.error is not None and node.error.type == "TaskTimedOut"
    assert "timeout=0.5" in node.error.message
    assert [a.status for a in node.attempts] == [Status.TIMED_OUT]
    duration = node.attempts[0].ended_at - node.attempts[0].started_at
    assert 0.45 <= duration < 3, duration
    assert "n1" not in nodes  # the downstream node never started


# ---- a task that raises ------------------------------------------------------------------


def test_a_raising_task_fails_the_execution(client: Any, executor: str, scratch: str) -> None:
    error = _failed(client, failing.raises, executor, x=1, counter_dir=scratch)
    message = str(error)
    assert error.node_id == "n1" and error.status == "FAILED"
    first_line = message.splitlines()[0]
    assert "at node n1 (explode): ValueError: value 200 is too large for explode" in first_line
    assert "'raises'" in first_line
    assert FAILING_FILE in message  # the user's frame, in the message's traceback
    assert error.execution_id in message and "recover" in message

    execution = client.store.get_execution(error.execution_id)
    assert execution.status is Status.FAILED and execution.outputs in (None, {})
    assert execution.error is not None and execution.error.type == "ValueError"

    nodes = nodes_by_id(client, error.execution_id)
    assert nodes["n0"].status is Status.SUCCEEDED and nodes["n0"].outputs == {"o0": 2}
    assert nodes["n3"].status is Status.SUCCEEDED  # independent of the failure
    failed = nodes["n1"]
    assert failed.status is Status.FAILED and failed.name == "explode"
    assert failed.error is not None and failed.error.kind == "user"
    traceback = failed.error.traceback
    assert FAILING_FILE in traceback
    assert "in explode" in traceback and "in _check" in traceback
    assert "slipstream/execution" not in traceback  # only the user's frames
    assert len(failed.attempts) == 1
    assert "n2" not in nodes  # downstream never started ...
    assert count(scratch, "after") == 0  # ... nor ran
    assert count(scratch, "explode") == 1


# ---- bad return values -------------------------------------------------------------------


def test_a_value_that_does_not_fit_its_hint_fails_without_retry(client: Any, executor: str,
                                                                scratch: str) -> None:
    error = _failed(client, failing.bad_scalar, executor, counter_dir=scratch)
    message = str(error)
    assert "at node n0 (wrong_scalar)" in message
    assert "expected int, got str: 'abc'" in message
    assert count(scratch, "wrong_scalar") == 1  # retries=2, but not retried
    node = nodes_by_id(client, error.execution_id)["n0"]
    assert node.status is Status.FAILED and len(node.attempts) == 1
    assert node.error is not None and node.error.type == "ValueConversionError"
    assert "wrong_scalar" in node.error.message
    assert client.store.get_execution(error.execution_id).status is Status.FAILED


@local_only
def test_a_tuple_of_the_wrong_length_fails_without_retry(client: Any, executor: str,
                                                         scratch: str) -> None:
    error = _failed(client, failing.bad_arity, executor, counter_dir=scratch)
    message = str(error)
    assert "wrong_arity" in message and "tuple of 2" in message and "(1, 2, 3)" in message
    assert count(scratch, "wrong_arity") == 1
    node = nodes_by_id(client, error.execution_id)["n0"]
    assert node.status is Status.FAILED and len(node.attempts) == 1
    assert node.error is not None and node.error.type == "ValueConversionError"
