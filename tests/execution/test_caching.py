"""Task cache: hits across executions, misses on new inputs or cache_version, DataFrames."""

from __future__ import annotations

from typing import Any

import pandas as pd

from slipstream.entities import Status
from tests.execution.conftest import local_only
from tests.execution.flows import caching, count
from tests.execution.helpers import nodes_by_id, run


def test_second_execution_reuses_cached_outputs(client: Any, executor: str, scratch: str) -> None:
    first_out, first = run(client, caching.cached_v1, executor, x=4, counter_dir=scratch)
    second_out, second = run(client, caching.cached_v1, executor, x=4, counter_dir=scratch)
    assert first_out == second_out == 17
    assert count(scratch, "square") == 1  # the task ran once

    miss = nodes_by_id(client, first.id)["n0"]
    hit = nodes_by_id(client, second.id)["n0"]
    assert miss.cache_status == "miss" and miss.status is Status.SUCCEEDED
    assert len(miss.attempts) == 1 and miss.cache_key
    assert hit.cache_status == "hit" and hit.status is Status.SUCCEEDED
    assert hit.attempts == ()  # nothing ran
    assert hit.cache_key == miss.cache_key
    assert hit.outputs == miss.outputs == {"o0": 16}
    assert hit.detail.get("cached_from") == first.id
    # the uncached downstream task ran both times
    assert nodes_by_id(client, second.id)["n1"].cache_status == "off"
    assert client.store.get_execution(second.id).status is Status.SUCCEEDED


@local_only
def test_new_inputs_or_cache_version_miss(client: Any, executor: str, scratch: str) -> None:
    run(client, caching.cached_v1, executor, x=4, counter_dir=scratch)
    out, other_input = run(client, caching.cached_v1, executor, x=5, counter_dir=scratch)
    assert out == 26
    assert nodes_by_id(client, other_input.id)["n0"].cache_status == "miss"
    assert count(scratch, "square") == 2

    out, bumped = run(client, caching.cached_v2, executor, x=4, counter_dir=scratch)
    assert out == 17
    node = nodes_by_id(client, bumped.id)["n0"]
    assert node.cache_status == "miss" and len(node.attempts) == 1
    assert count(scratch, "square") == 3
    # and version 2 is now cached in its own right
    _, again = run(client, caching.cached_v2, executor, x=4, counter_dir=scratch)
    assert nodes_by_id(client, again.id)["n0"].cache_status == "hit"
    assert count(scratch, "square") == 3


def test_cached_dataframes_round_trip_exactly(client: Any, executor: str, scratch: str) -> None:
    expected = caching.make_frame.fn(rows=500, counter_dir=scratch)
    first, _ = run(client, caching.frame_flow, executor, rows=500, counter_dir=scratch)
    second, execution = run(client, caching.frame_flow, executor, rows=500, counter_dir=scratch)
    assert count(scratch, "make_frame") == 2  # one direct call above, one execution
    assert nodes_by_id(client, execution.id)["n0"].cache_status == "hit"
    for frame in (first, second):
        assert isinstance(frame, pd.DataFrame)
        pd.testing.assert_frame_equal(frame, expected, check_exact=True)
        assert list(frame.dtypes) == list(expected.dtypes)  # assert_frame_equal checks too
    assert second["f"].isna().sum() == 100


def test_cached_dynamic_skips_its_body_and_subgraph(client: Any, executor: str,
                                                    scratch: str) -> None:
    first_out, first = run(client, caching.cached_fan_out, executor, n=3, counter_dir=scratch)
    second_out, second = run(client, caching.cached_fan_out, executor, n=3, counter_dir=scratch)
    assert first_out == second_out == [1, 2, 3]
    assert count(scratch, "cached_fan_body") == 1
    first_nodes = nodes_by_id(client, first.id)
    second_nodes = nodes_by_id(client, second.id)
    assert first_nodes["n0"].cache_status == "miss"
    assert {"n0/n0", "n0/n1", "n0/n2"} <= set(first_nodes)
    assert second_nodes["n0"].cache_status == "hit"
    assert set(second_nodes) == {"n0"}  # no sub-graph was built
    _, third = run(client, caching.cached_fan_out, executor, n=4, counter_dir=scratch)
    assert nodes_by_id(client, third.id)["n0"].cache_status == "miss"
    assert count(scratch, "cached_fan_body") == 2
