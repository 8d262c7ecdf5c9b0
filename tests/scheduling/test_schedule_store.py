"""The schedule store's contract on SQLite and PostgreSQL: plans (create, replace, state, delete),
tick claims (compare-and-set of the last tick, one row per tick), run-now launches and their
updates; bad input is one clear error and writes nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.metadata.factory import open_schedule_store
from slipstream.metadata.schedules import (
    LaunchPlanRecord,
    LaunchStatus,
    Notify,
    PlanExistsError,
    Schedule,
    ScheduleStore,
)


@pytest.fixture
def store(store_url: str) -> Iterator[ScheduleStore]:
    opened = open_schedule_store(store_url)
    yield opened
    opened.close()


def plan(name: str = "nightly", **changes: object) -> LaunchPlanRecord:
    fields: dict[str, object] = {
        "name": name, "workflow_name": "wf", "workflow_version": "v1", "source_ref": "m:wf",
        "fixed_inputs": {"n": 3}, "default_inputs": {"lr": 0.1},
        "schedule": Schedule(every_seconds=60.0, anchor=0.0), "catch_up": "all",
        "last_tick": 0.0, "notify": Notify("http://127.0.0.1:1/h", on=("FAILED",)),
        "created_at": 1.0, "updated_at": 1.0, **changes}
    return LaunchPlanRecord(**fields)  # type: ignore[arg-type]


def test_plans_round_trip_and_replace(store: ScheduleStore) -> None:
    made = store.create_plan(plan())
    assert made == plan()
    assert store.get_plan("nightly") == made
    store.create_plan(plan("cron", schedule=Schedule(cron="0 3 * * *", timezone="Europe/Paris"),
                           notify=None, last_tick=None))
    assert [p.name for p in store.list_plans()] == ["cron", "nightly"]
    assert store.get_plan("cron").schedule == Schedule(cron="0 3 * * *", timezone="Europe/Paris")
    with pytest.raises(PlanExistsError, match="'nightly' exists already"):
        store.create_plan(plan())
    store.set_state("nightly", "PAUSED", at=5.0)
    replaced = store.create_plan(plan(default_inputs={"lr": 0.2}, last_tick=99.0), replace=True)
    assert replaced.default_inputs == {"lr": 0.2}
    assert (replaced.state, replaced.last_tick) == ("PAUSED", 0.0)  # kept
    assert [p.name for p in store.list_plans(state="PAUSED")] == ["nightly"]


def test_pause_and_resume(store: ScheduleStore) -> None:
    store.create_plan(plan())
    assert store.set_state("nightly", "PAUSED", at=100.0).state == "PAUSED"
    assert store.claim_ticks("nightly", [60.0], expected_last_tick=0.0, last_tick=60.0,
                             claimed_by="a", claimed_at=61.0) == []  # paused: nothing claimed
    resumed = store.set_state("nightly", "ACTIVE", at=500.0)
    assert (resumed.state, resumed.last_tick) == ("ACTIVE", 500.0)
    assert store.set_state("nightly", "ACTIVE", at=900.0).last_tick == 500.0  # already active


def test_claims_are_compare_and_set(store: ScheduleStore) -> None:
    store.create_plan(plan())
    first = store.claim_ticks("nightly", [60.0, 120.0], expected_last_tick=0.0, last_tick=120.0,
                              claimed_by="a", claimed_at=121.0)
    assert [(x.tick_at, x.status, x.claimed_by) for x in first] == [
        (60.0, LaunchStatus.CLAIMED, "a"), (120.0, LaunchStatus.CLAIMED, "a")]
    stale = store.claim_ticks("nightly", [120.0], expected_last_tick=0.0, last_tick=120.0,
                              claimed_by="b", claimed_at=122.0)
    assert stale == []  # b read the plan before a moved it
    assert store.get_plan("nightly").last_tick == 120.0
    again = store.claim_ticks("nightly", [120.0, 180.0], expected_last_tick=120.0,
                              last_tick=180.0, claimed_by="b", claimed_at=181.0)
    assert [x.tick_at for x in again] == [180.0]  # a tick claimed before is not claimed again
    assert [x.tick_at for x in store.list_launches("nightly")] == [180.0, 120.0, 60.0]


def test_launches_record_their_execution(store: ScheduleStore) -> None:
    store.create_plan(plan())
    one = store.add_launch("nightly", at=10.0, claimed_by="me", reason="drift",
                           inputs={"lr": 0.5})
    two = store.add_launch("nightly", at=10.0, claimed_by="me")  # the same instant
    assert one.tick_at == 10.0 and two.tick_at > 10.0
    running = store.update_launch(one, status="RUNNING", execution_id="e1")
    done = store.update_launch(running, status="FAILED", error="boom", ended_at=12.0)
    assert (done.status, done.execution_id, done.error, done.ended_at, done.inputs,
            done.reason) == ("FAILED", "e1", "boom", 12.0, {"lr": 0.5}, "drift")
    assert store.list_launches("nightly", limit=1)[0].tick_at == two.tick_at
    store.delete_plan("nightly")
    with pytest.raises(NotFoundError, match="no launch plan named 'nightly'"):
        store.list_launches("nightly")
    with pytest.raises(NotFoundError):
        store.update_launch(one, status="SUCCEEDED")


@pytest.mark.parametrize(("bad", "message"), [
    (plan("no spaces allowed"), "launch plan name 'no spaces allowed' is not valid"),
    (plan(catch_up="never"), "catch_up must be one of skip, all, not 'never'"),
    (plan(state="OFF"), "launch plan state must be ACTIVE or PAUSED, not 'OFF'"),
    (plan(notify=Notify("http://h/x", on=("DONE",))), "notify on must list SUCCEEDED"),
    (plan(fixed_inputs={"x": float("nan")}), "fixed inputs cannot be stored as JSON"),
    (plan(workflow_version=""), "needs a workflow name and version"),
])
def test_bad_plans_write_nothing(store: ScheduleStore, bad: LaunchPlanRecord,
                                 message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        store.create_plan(bad)
    assert store.list_plans() == []


def test_bad_launch_input(store: ScheduleStore) -> None:
    store.create_plan(plan())
    with pytest.raises(InvalidInputError, match="launch status 'DONE' is not one of"):
        store.update_launch(store.add_launch("nightly", at=1.0, claimed_by="x"), status="DONE")
    with pytest.raises(InvalidInputError, match="tick must be epoch seconds"):
        store.claim_ticks("nightly", [float("inf")], expected_last_tick=0.0, last_tick=1.0,
                          claimed_by="x", claimed_at=1.0)
    with pytest.raises(NotFoundError, match="Did you mean 'nightly'"):
        store.add_launch("nightlly", at=1.0, claimed_by="x")


def test_two_claimers_with_their_own_connections_claim_each_tick_once(store_url: str,
                                                                      store: ScheduleStore
                                                                      ) -> None:
    store.create_plan(plan(catch_up="all"))
    claimed: dict[str, list[float]] = {"a": [], "b": []}
    go = threading.Barrier(2)

    def claimer(name: str) -> None:
        own = open_schedule_store(store_url)
        go.wait()
        try:
            for i in range(1, 201):
                now = 60.0 * i
                current = own.get_plan("nightly")
                last = current.last_tick or 0.0
                ticks = [t for t in (60.0 * k for k in range(1, i + 1)) if last < t <= now]
                if ticks:
                    claimed[name] += [x.tick_at for x in own.claim_ticks(
                        "nightly", ticks, expected_last_tick=current.last_tick,
                        last_tick=max(ticks), claimed_by=name, claimed_at=now)]
        finally:
            own.close()

    threads = [threading.Thread(target=claimer, args=(n,)) for n in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(claimed["a"] + claimed["b"]) == [60.0 * k for k in range(1, 201)]
    assert len(store.list_launches("nightly", limit=1000)) == 200
