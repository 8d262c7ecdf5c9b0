"""map_task and @dynamic: results, per-item and sub-node records, concurrency, partial success."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from slipstream._core.errors import ExecutionFailedError
from slipstream.entities import Status
from tests.execution.conftest import local_only
from tests.execution.flows import fanout
from tests.execution.helpers import nodes_by_id, run


def test_map_over_a_thousand_items(client: Any, executor: str) -> None:
    xs = list(range(1000))[::-1]
    outputs, execution = run(client, fanout.squares, executor, xs=xs)
    assert outputs == [x * x for x in xs]
    nodes = nodes_by_id(client, execution.id)
    map_node = nodes["n0"]
    assert map_node.kind == "map" and map_node.status is Status.SUCCEEDED
    assert map_node.detail.get("items") == 1000 and map_node.detail.get("failed") == 0
    items = {k: v for k, v in nodes.items() if k.startswith("n0[")}
    assert sorted(items) == sorted(f"n0[{i}]" for i in range(1000))
    for i in (0, 1, 500, 999):
        item = items[f"n0[{i}]"]
        assert item.kind == "map_item" and item.parent_id == "n0" and item.name == "square"
        assert item.status is Status.SUCCEEDED and len(item.attempts) == 1
        assert item.inputs == {"x": xs[i]} and item.outputs == {"o0": xs[i] ** 2}
    assert client.store.get_execution(execution.id).status is Status.SUCCEEDED


def test_map_over_an_empty_list(client: Any, executor: str) -> None:
    outputs, execution = run(client, fanout.squares, executor, xs=[])
    assert outputs == []
    nodes = nodes_by_id(client, execution.id)
    assert list(nodes) == ["n0"] and nodes["n0"].status is Status.SUCCEEDED


@local_only
def test_map_with_bound_inputs(client: Any, executor: str) -> None:
    outputs, execution = run(client, fanout.scaled, executor, xs=[1, 2, 3])
    assert outputs == [3, 6, 9]
    item = nodes_by_id(client, execution.id)["n0[2]"]
    assert item.inputs == {"x": 3} and item.outputs == {"o0": 9}


@local_only
def test_partial_success_yields_none_for_failed_items(client: Any, executor: str) -> None:
    outputs, execution = run(client, fanout.half_ok, executor, xs=[1, 2, 3, 4, 5, 6, 7, 8])
    assert outputs == [1, 2, 3, None, 5, 6, 7, None]
    nodes = nodes_by_id(client, execution.id)
    assert nodes["n0"].status is Status.SUCCEEDED and nodes["n0"].detail.get("failed") == 2
    for index in (3, 7):
        item = nodes[f"n0[{index}]"]
        assert item.status is Status.FAILED and item.outputs is None
        assert item.error is not None and item.error.type == "ValueError"
        assert f"item {index + 1} is a multiple of 4" in item.error.message
        assert fanout.__file__ in item.error.traceback
    assert nodes["n0[0]"].status is Status.SUCCEEDED
    assert client.store.get_execution(execution.id).status is Status.SUCCEEDED


@local_only
def test_too_many_failed_items_fail_the_map(client: Any, executor: str) -> None:
    with pytest.raises(ExecutionFailedError) as info:
        client.execute(fanout.half_ok, {"xs": [4, 8, 12, 1]}, executor=executor)
    message = str(info.value)
    assert "3 of 4 items failed (allowed 2)" in message
    # the first failure to come back is quoted (any of the three, on a process pool)
    assert re.search(r"first: ValueError: item (4|8|12) is a multiple of 4", message), message
    assert info.value.node_id == "n0"
    execution = client.store.get_execution(info.value.execution_id)
    assert execution.status is Status.FAILED
    node = nodes_by_id(client, execution.id)["n0"]
    assert node.status is Status.FAILED and node.detail.get("failed") == 3


def _intervals(folder: Path) -> list[tuple[float, float]]:
    spans = []
    for path in folder.iterdir():
        start, end, _pid = path.read_text().split()
        spans.append((float(start), float(end)))
    return spans


def _max_concurrent(spans: list[tuple[float, float]]) -> int:
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    running = peak = 0
    for _, delta in events:
        running += delta
        peak = max(peak, running)
    return peak


@local_only
@pytest.mark.parametrize(("concurrency", "expected_peak"), [(1, 1), (0, 2)])
def test_map_concurrency_is_respected(client: Any, tmp_path: Path, concurrency: int,
                                      expected_peak: int) -> None:
    log_dir = tmp_path / "stamps"
    log_dir.mkdir()
    outputs, execution = run(client, fanout.capped, "process:2", n=6, log_dir=str(log_dir),
                             concurrency=concurrency)
    assert outputs == list(range(6))
    spans = _intervals(log_dir)
    assert len(spans) == 6
    assert _max_concurrent(spans) == expected_peak
    # the map ran inside the dynamic node: its items are n0/n0[i]
    nodes = nodes_by_id(client, execution.id)
    assert {f"n0/n0[{i}]" for i in range(6)} <= set(nodes)
    assert nodes["n0/n0"].parent_id == "n0"


def test_dynamic_fan_out_size_follows_the_input(client: Any, executor: str) -> None:
    for n in (3, 7):
        outputs, execution = run(client, fanout.dynamic_sum, executor, n=n)
        assert outputs == sum(i * i for i in range(n))
        nodes = nodes_by_id(client, execution.id)
        children = sorted(k for k in nodes if k.startswith("n0/"))
        assert children == sorted(f"n0/n{i}" for i in range(n))
        for i in range(n):
            child = nodes[f"n0/n{i}"]
            assert child.parent_id == "n0" and child.name == "square"
            assert child.status is Status.SUCCEEDED and child.outputs == {"o0": i * i}
        dyn = nodes["n0"]
        assert dyn.kind == "dynamic" and dyn.status is Status.SUCCEEDED
        assert len(dyn.detail["subgraph"]) == n
        assert nodes["n1"].inputs == {"xs": [i * i for i in range(n)]}


@local_only
def test_dynamic_nested_in_a_sub_workflow(client: Any, executor: str) -> None:
    outputs, execution = run(client, fanout.nested_dynamic, executor, n=4)
    assert outputs == 2 * sum(i * i for i in range(4))
    nodes = nodes_by_id(client, execution.id)
    assert nodes["n0"].kind == "workflow" and nodes["n0"].parent_id is None
    assert nodes["n0/n0"].kind == "dynamic" and nodes["n0/n0"].parent_id == "n0"
    assert nodes["n0/n1"].name == "total" and nodes["n0/n1"].parent_id == "n0"
    for i in range(4):
        assert nodes[f"n0/n0/n{i}"].parent_id == "n0/n0"
        assert nodes[f"n0/n0/n{i}"].outputs == {"o0": i * i}
    assert nodes["n1"].inputs == {"x": 14}
    assert all(node.status is Status.SUCCEEDED for node in nodes.values())
