"""The scheduler: every poll, for each ACTIVE plan with a schedule, compute the ticks due since
its last tick (`ticks.due_ticks`, under the plan's catch-up policy), claim them in the store
(`claim_ticks`: one transaction that moves the plan's last tick only if no other scheduler
moved it first, and inserts one row per tick, unique per plan and tick time) and launch each
tick it claimed. Any number of schedulers may run against one store: each tick fires once.

The clock is injected (`clock`, epoch seconds; default the `Plans`' clock), so tests drive
time without sleeping. Launches run in background threads by default (a long execution does
not delay other plans' ticks);
`background=False` runs them one after another inside `tick` (tests, and `--once`).
A tick claimed by a scheduler that dies before starting its execution stays CLAIMED: at most
once, never twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slipstream._core.errors import SlipstreamError
from slipstream.metadata.schedules import DEFAULT_MAX_CATCH_UP, Launch, PlanState
from slipstream.scheduling.plans import Plans, scheduler_id
from slipstream.scheduling.ticks import due_ticks

log = logging.getLogger("slipstream.scheduling")


class Scheduler:
    """Fires the due ticks of the plans in `plans`' store."""

    def __init__(self, plans: Plans, *, clock: Callable[[], float] | None = None,
                 background: bool = True, max_catch_up: int = DEFAULT_MAX_CATCH_UP,
                 name: str | None = None) -> None:
        self.plans, self.background = plans, background
        self.clock = clock or plans.clock
        self.max_catch_up = max_catch_up
        self.name = name or scheduler_id()
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    def tick(self) -> list[Launch]:
        """One poll: claim and start every due tick; the launches this scheduler claimed."""
        now = self.clock()
        claimed: list[Launch] = []
        for plan in self.plans.store.list_plans(state=PlanState.ACTIVE):
            if plan.schedule is None:
                continue
            try:
                claimed += self._fire(plan, now)
            except SlipstreamError as exc:  # one plan's trouble never stops the others
                log.warning("scheduler: launch plan %s: %s", plan.name, exc)
            except Exception:
                log.exception("scheduler: launch plan %s", plan.name)
        return claimed

    def _fire(self, plan: Any, now: float) -> list[Launch]:
        after = plan.last_tick if plan.last_tick is not None else plan.created_at
        ticks, last = due_ticks(plan.schedule, after, now, plan.catch_up, self.max_catch_up)
        if not ticks:
            return []
        claimed = self.plans.store.claim_ticks(
            plan.name, ticks, expected_last_tick=plan.last_tick, last_tick=last,
            claimed_by=self.name, claimed_at=now)
        for launch in claimed:
            log.info("scheduler %s: launch plan %s, tick %s", self.name, plan.name,
                     _iso(launch.tick_at))
            self._start(plan, launch)
        return list(claimed)

    def _start(self, plan: Any, launch: Launch) -> None:
        launcher = self.plans.launcher
        if not self.background:
            launcher.start(plan, launch, wait=True)
            return
        thread = threading.Thread(target=launcher.start, args=(plan, launch),
                                  kwargs={"wait": True}, daemon=True,
                                  name=f"slipstream-tick-{plan.name}")
        thread.start()
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    def run(self, *, poll_seconds: float = 1.0, stop: threading.Event | None = None) -> None:
        """Poll until `stop` (or `self.stop()`) is set."""
        stop = stop or self._stop
        while not stop.is_set():
            try:
                self.tick()
            except SlipstreamError as exc:  # e.g. the store briefly unreachable
                log.warning("scheduler: %s", exc)
            except Exception:  # a bug: logged, and the scheduler keeps polling
                log.exception("scheduler: poll failed")
            stop.wait(poll_seconds)

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the launches started in the background."""
        for thread in list(self._threads):
            thread.join(timeout)

    def start_thread(self, *, poll_seconds: float = 1.0) -> threading.Thread:
        """`run` in a daemon thread (the server's `--schedules`); `stop()` ends it."""
        thread = threading.Thread(target=self.run, kwargs={"poll_seconds": poll_seconds},
                                  daemon=True, name="slipstream-scheduler")
        thread.start()
        return thread


def _iso(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def main(argv: list[str] | None = None) -> int:
    """`python -m slipstream.scheduling.scheduler [POLL_SECONDS]`: a scheduler on the settings
    of the environment, until SIGTERM / Ctrl-C, or until the process that started it is gone
    (the server's `--schedules` child never outlives its server)."""
    import contextlib
    import logging
    import os
    import signal
    import sys

    from slipstream._core.settings import Settings
    from slipstream.scheduling.launcher import join_launches

    args = sys.argv[1:] if argv is None else argv
    poll = float(args[0]) if args else 1.0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    scheduler = Scheduler(Plans(Settings.load()))
    parent = os.getppid()
    signal.signal(signal.SIGTERM, lambda *_: scheduler.stop())

    def orphaned() -> None:
        while not scheduler._stop.wait(1.0):
            if os.getppid() != parent:
                scheduler.stop()

    threading.Thread(target=orphaned, daemon=True, name="slipstream-parent-watch").start()
    log.info("scheduler %s on %s, polling every %g s", scheduler.name,
             scheduler.plans.settings.store_url, poll)
    with contextlib.suppress(KeyboardInterrupt):
        scheduler.run(poll_seconds=poll)
    scheduler.join(timeout=60)
    join_launches(timeout=60)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
