"""Plain calls, what an execution records, workflow versions, call-time input checks, an
unreachable store, RunContext, large outputs and parallel branches."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from slipstream import RunContext, current_context
from slipstream._core.errors import InvalidInputError, StoreUnavailableError
from slipstream._core.settings import Settings
from slipstream.entities import Status
from slipstream.execution.api import Client
from tests.execution.conftest import local_only
from tests.execution.flows import good
from tests.execution.helpers import nodes_by_id, run


def _check_arithmetic_records(client: Any, execution: Any, executor: str) -> None:
    stored = client.store.get_execution(execution.id)
    assert stored.status is Status.SUCCEEDED
    assert stored.workflow_name == "arithmetic"
    assert stored.workflow_version == good.arithmetic.version
    assert stored.source_ref == "tests.execution.flows.good:arithmetic"
    assert stored.inputs == {"a": 2, "b": 3, "label": "total"}
    assert stored.outputs == {"o0": 10, "o1": "total=10"}
    assert stored.error is None and stored.recovered_from is None
    assert stored.executor == executor  # "inline" or "process:2", as run
    assert stored.pid == os.getpid()
    assert stored.started_at is not None and stored.ended_at is not None
    assert stored.started_at <= stored.ended_at

    nodes = nodes_by_id(client, execution.id)
    assert sorted(nodes) == ["n0", "n1", "n2"]
    expected = {"n0": ("add", good.add, {"a": 2, "b": 3}, {"o0": 5}),
                "n1": ("double", good.double, {"x": 5}, {"o0": 10}),
                "n2": ("describe", good.describe, {"total": 10, "label": "total"},
                       {"o0": "total=10"})}
    for node_id, (name, task, inputs, outputs) in expected.items():
        node = nodes[node_id]
        assert (node.name, node.kind, node.status) == (name, "task", Status.SUCCEEDED)
        assert node.parent_id is None
        assert node.task_version == task.version
        assert node.inputs == inputs and node.outputs == outputs
        assert node.cache_status == "off" and node.error is None
        assert [a.number for a in node.attempts] == [1]
        attempt = node.attempts[0]
        assert attempt.status is Status.SUCCEEDED and attempt.worker
        assert node.started_at <= attempt.started_at <= attempt.ended_at <= node.ended_at
        assert stored.started_at <= node.started_at and node.ended_at <= stored.ended_at
    # the chain ran in order
    assert nodes["n0"].ended_at <= nodes["n1"].started_at
    assert nodes["n1"].ended_at <= nodes["n2"].started_at
    workflow = client.store.get_workflow("arithmetic", good.arithmetic.version)
    assert workflow.source_ref == stored.source_ref


def test_plain_call_returns_values_and_records_them(isolated_home: Path) -> None:
    assert good.arithmetic(a=2) == (10, "total=10")
    assert good.arithmetic(2, label="sum", b=1) == (6, "sum=6")
    client = Client(Settings.load())
    try:
        assert client.settings.home == isolated_home
        executions = client.store.list_executions()
        assert len(executions) == 2
        first = executions[-1]  # newest first
        _check_arithmetic_records(client, first, "inline")
        assert executions[0].inputs == {"a": 2, "b": 1, "label": "sum"}
    finally:
        client.close()


def test_execute_records_on_every_backend_and_executor(client: Any, executor: str) -> None:
    outputs, execution = run(client, good.arithmetic, executor, a=2)
    assert outputs == (10, "total=10")
    assert execution.status is Status.SUCCEEDED
    _check_arithmetic_records(client, execution, executor)


_FLOW_SOURCE = '''
from slipstream import task, workflow


@task
def inc(x: int) -> int:
    return x + {step}


@workflow
def versioned(x: int) -> int:
    return inc(x=inc(x=x))
'''


def _load(path: Path, step: str) -> Any:
    path.write_text(textwrap.dedent(_FLOW_SOURCE.format(step=step)))
    sys.modules.pop(path.stem, None)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(path.stem, None)
    return module


def test_workflow_version_is_a_content_hash(tmp_path: Path) -> None:
    path = tmp_path / "versioned_flow.py"
    first = _load(path, "1")
    again = _load(path, "1")
    assert first.versioned is not again.versioned
    assert first.versioned.version == again.versioned.version
    assert first.inc.version == again.inc.version
    changed = _load(path, "100")  # same graph, different task source
    assert changed.inc.version != first.inc.version
    assert changed.versioned.version != first.versioned.version
    assert len(first.versioned.version) == 16


@local_only
def test_version_is_recorded_and_stable_across_executions(client: Any) -> None:
    _, one = run(client, good.arithmetic, a=1)
    _, two = run(client, good.arithmetic, a=5)
    assert one.workflow_version == two.workflow_version == good.arithmetic.version
    assert [w.version for w in client.store.list_workflows("arithmetic")] == \
        [good.arithmetic.version]


# ---- call-time input errors --------------------------------------------------------------


@local_only
@pytest.mark.parametrize(("inputs", "needles"), [
    ({"a": 1, "lable": "x"}, ["'lable'", "Did you mean 'label'?", "arithmetic"]),
    ({"b": 1}, ["'a' is required", "int", "arithmetic"]),
    ({"a": "abc"}, ["'a'", "abc", "int", "arithmetic"]),
])
def test_bad_inputs_are_rejected_before_anything_is_recorded(
        client: Any, inputs: dict[str, Any], needles: list[str]) -> None:
    with pytest.raises(InvalidInputError) as info:
        client.execute(good.arithmetic, inputs)
    for needle in needles:
        assert needle in str(info.value)
    assert client.store.list_executions() == []
    assert client.store.list_workflows() == []


def test_bad_plain_call_records_nothing(isolated_home: Path) -> None:
    with pytest.raises(InvalidInputError, match="Did you mean 'label'"):
        good.arithmetic(a=1, lable="x")
    with pytest.raises(InvalidInputError, match="'a' is required"):
        good.arithmetic()
    with pytest.raises(InvalidInputError, match="abc"):
        good.arithmetic(a="abc")
    client = Client(Settings.load())
    try:
        assert client.store.list_executions() == []
    finally:
        client.close()


def test_unreachable_store_is_one_clear_error(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://postgres@127.0.0.1:1/test"
    client = Client(Settings(home=tmp_path, store_url=url, artifact_uri=str(tmp_path / "a")))
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError) as info:
        client.execute(good.arithmetic, {"a": 1})
    message = str(info.value)
    assert "127.0.0.1:1" in message and "postgres" in message
    assert "\n" not in message.strip()
    assert info.value.__cause__ is None
    assert time.monotonic() - started < 15
    # the same through a plain call configured by the environment
    monkeypatch.setenv("SLIPSTREAM_STORE_URL", url)
    with pytest.raises(StoreUnavailableError, match=r"127\.0\.0\.1:1"):
        good.arithmetic(a=1)


# ---- RunContext ------------------------------------------------------------------------


@local_only
def test_run_context_is_injected_and_current(client: Any, executor: str) -> None:
    outputs, execution = run(client, good.context_flow, executor, tag="hello")
    assert outputs == [execution.id, "n0", "whoami", "1", "hello", execution.id, "n0"]
    node = nodes_by_id(client, execution.id)["n0"]
    assert node.inputs == {"tag": "hello"}  # the context is not an input
    assert current_context() is None


@local_only
def test_run_context_counts_attempts(client: Any, executor: str) -> None:
    outputs, execution = run(client, good.retry_context, executor)
    assert outputs == 2
    node = nodes_by_id(client, execution.id)["n0"]
    assert [a.status for a in node.attempts] == [Status.FAILED, Status.SUCCEEDED]


def test_context_outside_an_execution() -> None:
    assert good.whoami(tag="plain") == ["", "", "whoami", "1", "plain", "none"]
    ctx = RunContext.local("whoami")
    assert (ctx.execution_id, ctx.node_id, ctx.attempt) == ("", "", 1)
    assert current_context() is None


# ---- large outputs -----------------------------------------------------------------------


def _blob_refs(literal: Any) -> list[str]:
    text = json.dumps(literal)
    refs = []
    for chunk in text.split('"$blob": "')[1:]:
        refs.append(chunk.split('"', 1)[0])
    return refs


def test_large_outputs_are_offloaded_and_round_trip(client: Any, executor: str) -> None:
    outputs, execution = run(client, good.large_outputs, executor)
    xs, data, summary = outputs
    assert xs == list(range(100_000))
    assert data == bytes(range(256)) * (4096 * 5) and len(data) == 5 * 1024 * 1024
    assert summary == [100_000, sum(range(100_000)), 5 * 1024 * 1024]
    nodes = nodes_by_id(client, execution.id)
    for node_id in ("n0", "n1"):
        stored = nodes[node_id].outputs
        assert stored is not None
        assert len(json.dumps(stored)) < 2048, f"{node_id} outputs were stored inline"
        refs = _blob_refs(stored)
        assert refs, stored
        assert all(client.artifacts.exists(ref) for ref in refs)
    assert "$literals" in nodes["n0"].outputs  # the 100k-int list as one JSON blob
    assert nodes["n2"].inputs is not None and len(json.dumps(nodes["n2"].inputs)) < 2048
    record = client.store.get_execution(execution.id)
    assert record.outputs is not None and len(json.dumps(record.outputs)) < 2048
    # the stored refs read back as the same values
    from slipstream.execution.values import expand

    literals = expand(nodes["n0"].outputs, client.ctx)
    assert client.engine.to_python(literals["o0"], list[int], client.ctx) == xs


# ---- parallelism -------------------------------------------------------------------------


@local_only
def test_process_executor_runs_independent_branches_in_parallel(client: Any) -> None:
    started = time.monotonic()
    outputs, execution = run(client, good.two_naps, "process:2", seconds=1.0)
    wall = time.monotonic() - started
    assert outputs == "l+r"
    assert wall < 1.8, f"two 1 s sleeps took {wall:.2f} s on process:2"
    nodes = nodes_by_id(client, execution.id)
    left, right = nodes["n0"].attempts[0], nodes["n1"].attempts[0]
    assert max(left.started_at, right.started_at) < min(left.ended_at, right.ended_at)
    assert left.worker != right.worker
    inline_outputs, _ = run(client, good.two_naps, "inline", seconds=0.05)
    assert inline_outputs == outputs
    assert run(client, good.arithmetic, "process:2", a=7)[0] == \
        run(client, good.arithmetic, "inline", a=7)[0]
