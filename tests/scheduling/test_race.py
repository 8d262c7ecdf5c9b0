"""Two scheduler processes on one store, racing over the same 200 ticks: each tick is claimed
by exactly one of them and starts exactly one execution (SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from slipstream.metadata.schedules import LaunchStatus
from slipstream.scheduling import every
from tests.scheduling import flows
from tests.scheduling.conftest import START, make_plans
from tests.scheduling.race_worker import race

TICKS = 200


@pytest.mark.slow
def test_two_schedulers_fire_each_tick_exactly_once(store_url: str, tmp_path: Path) -> None:
    plans = make_plans(store_url, tmp_path)
    plans.create("race", flows.scaled, fixed_inputs={"n": 1},
                 schedule=every(seconds=1, anchor=START), catch_up="all")
    ctx = multiprocessing.get_context("spawn")
    go, out = ctx.Barrier(2), ctx.Queue()  # both start once both are connected
    workers = [ctx.Process(target=race, args=(store_url, str(tmp_path / "artifacts"), go, TICKS,
                                              offset, out))
               for offset in (0.25, 0.75)]
    for worker in workers:
        worker.start()
    claims = [out.get(timeout=240) for _ in workers]
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    assert all(claims), "both schedulers raced for the ticks"
    every_claim = sorted(claims[0] + claims[1])
    assert every_claim == [START + i for i in range(1, TICKS + 1)]  # each tick once, none lost
    launches = plans.launches("race", limit=1000)
    assert len(launches) == TICKS
    assert {x.status for x in launches} == {LaunchStatus.SUCCEEDED}
    execution_ids = {x.execution_id for x in launches}
    assert len(execution_ids) == TICKS and None not in execution_ids
    executions = plans.client.store.list_executions(workflow_name="scaled", limit=1000)
    assert {e.id for e in executions} == execution_ids
    print(f"claims per scheduler: {[len(c) for c in claims]}")
    plans.store.close()
    plans.client.close()
