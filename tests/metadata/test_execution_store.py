"""Contract suite of ExecutionStore, run on every implementation (see conftest.BACKENDS)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from slipstream._core.errors import (
    InternalError,
    InvalidInputError,
    NotFoundError,
    ValueConversionError,
)
from slipstream.entities import (
    Attempt,
    CacheEntry,
    ErrorInfo,
    ExecutionRecord,
    NodeExecutionRecord,
    Status,
    WorkflowRecord,
)
from slipstream.metadata.base import ExecutionStore

T0 = 1_700_000_000.123456789


def execution(id: str = "e0000000000000001", created_at: float = T0, **kw: Any) -> ExecutionRecord:
    fields: dict[str, Any] = {"workflow_name": "wf", "workflow_version": "v1",
                              "status": Status.RUNNING, "inputs": {"x": 1}}
    fields.update(kw)
    return ExecutionRecord(id=id, created_at=created_at, **fields)


def node(node_id: str, execution_id: str = "e0000000000000001", **kw: Any) -> NodeExecutionRecord:
    fields: dict[str, Any] = {"name": "mod.task", "kind": "task", "status": Status.SUCCEEDED}
    fields.update(kw)
    return NodeExecutionRecord(execution_id=execution_id, node_id=node_id, **fields)


def cache(key: str, **kw: Any) -> CacheEntry:
    fields: dict[str, Any] = {"task_name": "mod.task", "cache_version": "1",
                              "outputs": {"o": 1}, "created_at": T0,
                              "execution_id": "e0000000000000001", "node_id": "n0"}
    fields.update(kw)
    return CacheEntry(key=key, **fields)


def workflow(name: str = "wf", version: str = "v1", created_at: float = T0,
             **kw: Any) -> WorkflowRecord:
    fields: dict[str, Any] = {"spec": {"nodes": [{"id": "n0"}]}, "source_ref": "git:abc"}
    fields.update(kw)
    return WorkflowRecord(name=name, version=version, created_at=created_at, **fields)


ERROR = ErrorInfo(kind="user", type="ValueError", message="bad ünïcode ✓", traceback="  File x\n")
FULL_EXECUTION = execution(
    status=Status.FAILED, inputs={"x": [1, 2.5, None, {"$blob": "ab" * 32}], "s": "é"},
    source_ref="git:deadbeef", started_at=T0 + 0.5, ended_at=T0 + 2.25,
    outputs={"y": 0.1 + 0.2}, error=ERROR, recovered_from="e0000000000000000",
    executor="process:4", host="box", pid=4242,
)
FULL_NODE = node(
    "n3/n0", status=Status.FAILED, parent_id="n3", task_version="tv1", started_at=T0 + 1,
    ended_at=T0 + 1.5, inputs={"a": 1e-300}, outputs={}, error=ERROR,
    attempts=(Attempt(1, T0 + 1, T0 + 1.2, Status.FAILED, ERROR, "w1"),
              Attempt(2, T0 + 1.3, None, Status.RUNNING)),
    cache_status="miss", cache_key="k" * 64, detail={"map_index": 17, "nested": {"a": []}},
)


# -- record and read back -----------------------------------------------------------------

def test_every_field_round_trips(execution_store: ExecutionStore) -> None:
    wf = workflow(spec={"nodes": [], "unicode": "∑", "float": 1 / 3})
    entry = cache("key1", outputs={"o": [1, {"p": None}]})
    execution_store.record(workflows=[wf], executions=[FULL_EXECUTION], nodes=[FULL_NODE],
                           cache_entries=[entry])
    assert execution_store.get_execution(FULL_EXECUTION.id) == FULL_EXECUTION
    assert execution_store.list_nodes(FULL_EXECUTION.id) == [FULL_NODE]
    assert execution_store.get_workflow("wf", "v1") == wf
    assert execution_store.get_cache_entry("key1") == entry
    got = execution_store.get_execution(FULL_EXECUTION.id)
    assert isinstance(got.status, Status) and isinstance(got.error, ErrorInfo)


def test_defaults_keep_none_apart_from_empty(execution_store: ExecutionStore) -> None:
    minimal = execution(inputs={})
    bare = node("n0", inputs=None, outputs=None, detail={})
    empty = node("n1", inputs={}, outputs={}, detail={})
    execution_store.record(executions=[minimal], nodes=[bare, empty])
    assert execution_store.get_execution(minimal.id) == minimal
    assert execution_store.list_nodes(minimal.id) == [bare, empty]


def test_record_upserts(execution_store: ExecutionStore) -> None:
    first = execution(status=Status.RUNNING, outputs=None)
    execution_store.record(executions=[first], nodes=[node("n0", status=Status.RUNNING)],
                           cache_entries=[cache("k")], workflows=[workflow(source_ref="a")])
    done = dataclasses.replace(first, status=Status.SUCCEEDED, outputs={"y": 2}, ended_at=T0 + 9)
    node_done = node("n0", status=Status.SUCCEEDED, outputs={"o": 1},
                     attempts=(Attempt(1, T0, T0 + 1, Status.SUCCEEDED),))
    execution_store.record(executions=[done], nodes=[node_done, node("n1")],
                           cache_entries=[cache("k", outputs={"o": 2})],
                           workflows=[workflow(source_ref="b")])
    assert execution_store.get_execution(first.id) == done
    assert execution_store.list_nodes(first.id) == [node_done, node("n1")]
    assert execution_store.get_cache_entry("k") == cache("k", outputs={"o": 2})
    # a workflow version is immutable (its id is a content hash): the first record stays
    assert [w.source_ref for w in execution_store.list_workflows()] == ["a"]


def test_same_key_twice_in_one_call_last_wins(execution_store: ExecutionStore) -> None:
    execution_store.record(
        executions=[execution(status=Status.QUEUED), execution(status=Status.RUNNING)],
        nodes=[node("n0", status=Status.RUNNING), node("n0", status=Status.SUCCEEDED)],
    )
    assert execution_store.get_execution("e0000000000000001").status == Status.RUNNING
    assert [n.status for n in execution_store.list_nodes("e0000000000000001")] == [
        Status.SUCCEEDED]


def test_record_nothing_is_a_no_op(execution_store: ExecutionStore) -> None:
    execution_store.record()
    assert execution_store.list_executions() == []


def test_record_many_rows_in_one_call(execution_store: ExecutionStore) -> None:
    nodes = [node(f"n4[{i}]", started_at=T0 + i) for i in range(250)]
    execution_store.record(executions=[execution()], nodes=nodes)
    assert execution_store.list_nodes("e0000000000000001") == nodes


def test_failed_record_writes_nothing(execution_store: ExecutionStore) -> None:
    execution_store.record(executions=[execution(status=Status.RUNNING)])
    bad = node("n1", name=None)  # violates NOT NULL in the second row
    with pytest.raises(InternalError) as info:
        execution_store.record(
            executions=[execution(status=Status.SUCCEEDED)],
            nodes=[node("n0"), bad],
            cache_entries=[cache("k")],
        )
    assert "metadata store" in str(info.value) and "rolled back" in str(info.value)
    assert execution_store.get_execution("e0000000000000001").status == Status.RUNNING
    assert execution_store.list_nodes("e0000000000000001") == []
    assert execution_store.get_cache_entries(["k"]) == {}


def test_node_of_unknown_execution_is_rejected(execution_store: ExecutionStore) -> None:
    with pytest.raises(InternalError, match="metadata store"):
        execution_store.record(nodes=[node("n0", execution_id="nope")])
    assert execution_store.list_nodes("nope") == []


def test_unserialisable_value_is_named(execution_store: ExecutionStore) -> None:
    with pytest.raises(ValueConversionError, match="JSON"):
        execution_store.record(executions=[execution(inputs={"x": object()})])
    assert execution_store.list_executions() == []


# -- executions -----------------------------------------------------------------------------

def test_get_execution_by_prefix(execution_store: ExecutionStore) -> None:
    execution_store.record(executions=[execution("abcd1111"), execution("abcd2222"),
                                       execution("ab_%9999")])
    assert execution_store.get_execution("abcd1").id == "abcd1111"
    assert execution_store.get_execution("abcd2222").id == "abcd2222"
    assert execution_store.get_execution("ab_%").id == "ab_%9999"  # LIKE wildcards are literal
    with pytest.raises(NotFoundError, match=r"ambiguous.*abcd1111, abcd2222"):
        execution_store.get_execution("abcd")
    with pytest.raises(NotFoundError, match="at least 4 characters"):
        execution_store.get_execution("abc")
    with pytest.raises(NotFoundError, match="'ffff'"):
        execution_store.get_execution("ffff")
    with pytest.raises(NotFoundError):
        execution_store.get_execution("ab__")  # '_' must not match any character


def test_list_executions_newest_first_with_filters(execution_store: ExecutionStore) -> None:
    rows = [
        execution("e1", T0 + 1, workflow_name="a", status=Status.SUCCEEDED),
        execution("e2", T0 + 2, workflow_name="b", status=Status.FAILED),
        execution("e3", T0 + 3, workflow_name="a", status=Status.FAILED),
        execution("e4", T0 + 3, workflow_name="a", status=Status.RUNNING),  # same time as e3
        execution("e5", T0 + 5, workflow_name="b", status=Status.SUCCEEDED),
    ]
    execution_store.record(executions=rows)

    def ids(**kw: Any) -> list[str]:
        return [e.id for e in execution_store.list_executions(**kw)]

    assert ids() == ["e5", "e4", "e3", "e2", "e1"]
    assert ids(workflow_name="a") == ["e4", "e3", "e1"]
    assert ids(status=Status.FAILED) == ["e3", "e2"]
    assert ids(workflow_name="a", status=Status.FAILED) == ["e3"]
    assert ids(since=T0 + 3) == ["e5", "e4", "e3"]
    assert ids(limit=2) == ["e5", "e4"]
    assert ids(limit=2, offset=2) == ["e3", "e2"]
    assert ids(offset=10) == []
    assert ids(limit=0) == []
    assert ids(workflow_name="zzz") == []
    assert execution_store.list_executions(workflow_name="b")[0] == rows[4]


def test_list_executions_rejects_bad_arguments(execution_store: ExecutionStore) -> None:
    with pytest.raises(InvalidInputError, match="limit"):
        execution_store.list_executions(limit=-1)
    with pytest.raises(InvalidInputError, match="Did you mean 'FAILED'"):
        execution_store.list_executions(status="FAILD")  # type: ignore[arg-type]


def test_list_executions_default_limit_is_50(execution_store: ExecutionStore) -> None:
    execution_store.record(executions=[execution(f"e{i:03d}", T0 + i) for i in range(60)])
    listed = execution_store.list_executions()
    assert len(listed) == 50 and listed[0].id == "e059"


# -- nodes ----------------------------------------------------------------------------------

def test_list_nodes_by_start_time_unstarted_last(execution_store: ExecutionStore) -> None:
    nodes = [node("n9", started_at=T0 + 1), node("n1", started_at=T0 + 2),
             node("n2", started_at=T0 + 1), node("n0"), node("n10", started_at=None)]
    other = node("n5", execution_id="e2", started_at=T0)
    execution_store.record(executions=[execution(), execution("e2")], nodes=[*nodes, other])
    assert [n.node_id for n in execution_store.list_nodes("e0000000000000001")] == [
        "n2", "n9", "n1", "n0", "n10"]
    assert execution_store.list_nodes("unknown") == []


# -- workflows --------------------------------------------------------------------------------

def test_workflow_versions_newest_first(execution_store: ExecutionStore) -> None:
    execution_store.record(workflows=[
        workflow("wf", "v1", T0 + 1), workflow("wf", "v3", T0 + 3), workflow("wf", "v2", T0 + 2),
        workflow("other", "x", T0 + 2.5),
    ])
    assert execution_store.get_workflow("wf").version == "v3"
    assert execution_store.get_workflow("wf", "v1").created_at == T0 + 1
    assert [w.version for w in execution_store.list_workflows("wf")] == ["v3", "v2", "v1"]
    assert [(w.name, w.version) for w in execution_store.list_workflows()] == [
        ("wf", "v3"), ("other", "x"), ("wf", "v2"), ("wf", "v1")]
    assert execution_store.list_workflows("none") == []


def test_a_workflow_version_keeps_its_first_registration(execution_store: ExecutionStore) -> None:
    execution_store.record(workflows=[workflow("wf", "v1", T0 + 1)])
    execution_store.record(workflows=[workflow("wf", "v2", T0 + 2)])
    execution_store.record(workflows=[workflow("wf", "v1", T0 + 3)])  # v1 runs again
    assert execution_store.get_workflow("wf", "v1").created_at == T0 + 1
    assert execution_store.get_workflow("wf").version == "v2"


def test_missing_workflow_suggests_names(execution_store: ExecutionStore) -> None:
    execution_store.record(workflows=[workflow("training", "v1")])
    with pytest.raises(NotFoundError, match="Did you mean 'training'"):
        execution_store.get_workflow("trainng")
    with pytest.raises(NotFoundError, match=r"no version 'v2'.*Newest versions: v1"):
        execution_store.get_workflow("training", "v2")


# -- cache ----------------------------------------------------------------------------------

def test_cache_entries(execution_store: ExecutionStore) -> None:
    entries = [cache(f"k{i}", outputs={"i": i}) for i in range(3)]
    execution_store.record(cache_entries=entries)
    assert execution_store.get_cache_entries(["k0", "k2", "missing", "k0"]) == {
        "k0": entries[0], "k2": entries[2]}
    assert execution_store.get_cache_entries([]) == {}
    assert execution_store.get_cache_entry("missing") is None
    assert execution_store.get_cache_entry("k1") == entries[1]


def test_cache_lookup_of_many_keys(execution_store: ExecutionStore) -> None:
    entries = [cache(f"k{i:04d}") for i in range(1200)]
    execution_store.record(cache_entries=entries)
    keys = [e.key for e in entries] + [f"absent{i}" for i in range(100)]
    assert len(execution_store.get_cache_entries(keys)) == 1200


# -- concurrency ------------------------------------------------------------------------------

def test_threads_record_concurrently(execution_store: ExecutionStore) -> None:
    import threading

    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for b in range(20):
                eid = f"t{t}b{b:02d}"
                execution_store.record(executions=[execution(eid)],
                                       nodes=[node(f"n{i}", eid) for i in range(5)])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert len(execution_store.list_executions(limit=1000)) == 120


def _record_in_child(store: ExecutionStore, queue: Any) -> None:
    try:
        store.record(executions=[execution("child")])
        queue.put(store.get_execution("child").id)
    except BaseException as exc:
        queue.put(f"{type(exc).__name__}: {exc}")


def test_store_survives_fork(execution_store: ExecutionStore) -> None:
    import multiprocessing

    execution_store.record(executions=[execution("parent")])  # pool now holds a connection
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_record_in_child, args=(execution_store, queue))
    child.start()
    assert queue.get(timeout=60) == "child"
    child.join(timeout=30)
    assert child.exitcode == 0
    assert {e.id for e in execution_store.list_executions()} == {"parent", "child"}
