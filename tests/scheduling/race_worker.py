"""One scheduler process of the race test: it steps its own clock through the ticks and
reports which ticks it claimed (run in a spawned process, with its own store connections)."""

from __future__ import annotations

from typing import Any

from slipstream._core.settings import Settings
from slipstream.scheduling import Scheduler
from slipstream.scheduling.plans import Plans
from tests.scheduling.conftest import START, Clock


def race(store_url: str, artifacts: str, go: Any, ticks: int, offset: float, out: Any) -> None:
    clock = Clock(START)
    plans = Plans(Settings.load(store_url=store_url, artifact_uri=artifacts), clock=clock)
    scheduler = Scheduler(plans, background=False)
    plans.store.list_plans()  # connect before the start line
    go.wait(60)  # a barrier: the other scheduler is connected too
    claimed: list[float] = []
    for i in range(1, ticks + 1):
        clock.t = START + i + offset
        claimed += [launch.tick_at for launch in scheduler.tick()]
    out.put(claimed)
    plans.store.close()
    plans.client.close()
