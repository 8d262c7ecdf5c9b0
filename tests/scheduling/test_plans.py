"""Launch plans end to end on each store: inputs checked at creation, launches merging fixed,
default and given inputs, the scheduler firing cron and fixed-rate ticks on a controlled clock,
catch-up, pause / resume and run-now, and failures recorded without being raised."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.metadata.schedules import LaunchStatus, PlanExistsError
from slipstream.scheduling import Scheduler, cron, every
from slipstream.scheduling.plans import Plans
from tests.scheduling import flows
from tests.scheduling.conftest import START, Clock


def outputs(plans: Plans, execution_id: str) -> dict[str, object]:
    return dict(plans.client.store.get_execution(execution_id).outputs or {})


def inputs_of(plans: Plans, execution_id: str) -> dict[str, object]:
    return dict(plans.client.store.get_execution(execution_id).inputs)


def test_a_plan_binds_a_workflow_version_and_its_inputs(plans: Plans) -> None:
    plan = plans.create("scaled", flows.scaled, fixed_inputs={"factor": 3.0},
                        default_inputs={"n": 2}, description="triples n")
    assert (plan.workflow_name, plan.workflow_version) == ("scaled", flows.scaled.version)
    assert plan.fixed_inputs == {"factor": 3.0} and plan.default_inputs == {"n": 2}
    assert plans.client.store.get_workflow("scaled", flows.scaled.version)  # registered
    first = plans.launch("scaled", reason="test")
    second = plans.launch("scaled", {"n": 5})
    assert inputs_of(plans, first) == {"n": 2, "factor": 3.0}
    assert inputs_of(plans, second) == {"n": 5, "factor": 3.0}
    assert outputs(plans, second) == {"o0": 15.0}
    launches = plans.launches("scaled")
    assert [(x.execution_id, x.status, x.kind) for x in launches] == [
        (second, LaunchStatus.SUCCEEDED, "manual"), (first, LaunchStatus.SUCCEEDED, "manual")]
    assert launches[0].inputs == {"n": 5} and launches[1].reason == "test"


def test_a_plan_of_a_registered_workflow_by_name(plans: Plans) -> None:
    plans.create("first", flows.scaled, default_inputs={"n": 1})  # registers the workflow
    by_name = plans.create("by-name", "scaled", default_inputs={"n": 4})
    by_version = plans.create("by-version", f"scaled@{flows.scaled.version}",
                              fixed_inputs={"n": 1})
    assert by_name.workflow_version == by_version.workflow_version == flows.scaled.version
    assert outputs(plans, plans.launch("by-name")) == {"o0": 8.0}
    with pytest.raises(NotFoundError, match="nope"):
        plans.create("unknown", "nope")


@pytest.mark.parametrize(("options", "message"), [
    ({"fixed_inputs": {"fctor": 3.0}},
     "launch plan 'bad': workflow 'scaled' has no input 'fctor'; inputs are ['n', 'factor']. "
     "Did you mean 'factor'?"),
    ({"default_inputs": {"n": "three"}},
     "launch plan 'bad': input 'n' expects int, got 'three' (str)"),
    ({"fixed_inputs": {"n": 1}, "default_inputs": {"n": 2}},
     "launch plan 'bad': input 'n' is in both fixed_inputs and default_inputs"),
    ({"schedule": every(minutes=5)},
     "launch plan 'bad': workflow 'scaled' requires input 'n' (int) and a scheduled tick passes "
     "none"),
    ({"catch_up": "most"}, "catch_up must be one of skip, all, not 'most'"),
    ({"notify": "ftp://example.com"}, "notify url must be an http:// or https:// URL"),
    ({"schedule": "0 25 * * *"}, "cron expression '0 25 * * *' is not valid"),
])
def test_bad_plans_are_one_clear_error_and_store_nothing(plans: Plans, options: dict[str, object],
                                                         message: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        plans.create("bad", flows.scaled, **options)  # type: ignore[arg-type]
    assert message in str(caught.value)
    assert plans.list() == []


def test_bad_plan_names_and_launch_inputs(plans: Plans) -> None:
    with pytest.raises(InvalidInputError, match="launch plan name 'a b' is not valid"):
        plans.create("a b", flows.scaled)
    plans.create("p", flows.scaled, fixed_inputs={"factor": 1.5})
    with pytest.raises(InvalidInputError, match="fixes input 'factor'; a launch cannot override"):
        plans.launch("p", {"n": 1, "factor": 2.0})
    with pytest.raises(InvalidInputError, match="input 'n' \\(int\\) is required"):
        plans.launch("p")
    with pytest.raises(InvalidInputError, match=r"has no input 'mn'.*Did you mean 'n'"):
        plans.launch("p", {"mn": 1})
    with pytest.raises(NotFoundError, match="no launch plan named 'q'"):
        plans.launch("q")
    assert plans.launches("p") == []  # nothing recorded for refused launches


def test_get_or_create_returns_an_identical_plan_and_refuses_a_different_one(
        plans: Plans) -> None:
    options = {"fixed_inputs": {"factor": 2.0}, "default_inputs": {"n": 1},
               "schedule": every(minutes=10)}
    first = plans.create("p", flows.scaled, get_existing=True, **options)  # type: ignore[arg-type]
    again = plans.create("p", flows.scaled, get_existing=True, **options)  # type: ignore[arg-type]
    assert again == first
    with pytest.raises(PlanExistsError, match="exists with another fixed_inputs"):
        plans.create("p", flows.scaled, get_existing=True, fixed_inputs={"factor": 3.0},
                     default_inputs={"n": 1}, schedule=every(minutes=10))
    with pytest.raises(PlanExistsError, match="exists already"):
        plans.create("p", flows.scaled, default_inputs={"n": 1})
    replaced = plans.create("p", flows.scaled, default_inputs={"n": 7}, replace=True)
    assert replaced.default_inputs == {"n": 7} and replaced.schedule is None


def test_scheduler_fires_a_cron_plan_on_a_controlled_clock(plans: Plans, clock: Clock) -> None:
    plans.create("quarterly", flows.scaled, fixed_inputs={"n": 1},
                 schedule=cron("*/15 * * * *"), catch_up="all")
    scheduler = Scheduler(plans, background=False)
    assert scheduler.tick() == []  # 09:00 is when the plan was made: not a missed tick
    clock.advance(14 * 60)
    assert scheduler.tick() == []
    clock.advance(60)
    [fired] = scheduler.tick()
    assert fired.tick_at == START + 15 * 60
    assert scheduler.tick() == []  # the same tick never fires twice
    clock.advance(30 * 60)  # 09:45: 09:30 and 09:45 are due
    assert [x.tick_at for x in scheduler.tick()] == [START + 30 * 60, START + 45 * 60]
    launches = plans.launches("quarterly")
    assert len(launches) == 3 and {x.status for x in launches} == {LaunchStatus.SUCCEEDED}
    assert all(outputs(plans, x.execution_id) == {"o0": 2.0} for x in launches)  # type: ignore[arg-type]


def test_catch_up_skip_fires_only_the_latest_missed_tick(plans: Plans, clock: Clock) -> None:
    plans.create("rate", flows.scaled, default_inputs={"n": 1},
                 schedule=every(minutes=1), catch_up="skip")
    scheduler = Scheduler(plans, background=False)
    clock.advance(10 * 60 + 5)  # the scheduler was down for ten ticks
    [fired] = scheduler.tick()
    assert fired.tick_at == START + 600
    clock.advance(60)
    assert [x.tick_at for x in scheduler.tick()] == [START + 660]


def test_pause_stops_ticks_and_resume_does_not_fire_what_was_missed(plans: Plans,
                                                                    clock: Clock) -> None:
    plans.create("rate", flows.scaled, default_inputs={"n": 1}, schedule=every(minutes=1),
                 catch_up="all")
    scheduler = Scheduler(plans, background=False)
    clock.advance(60)
    assert len(scheduler.tick()) == 1
    assert plans.pause("rate").state == "PAUSED"
    clock.advance(5 * 60)
    assert scheduler.tick() == []
    run_now = plans.launch("rate", reason="run now while paused")  # run-now still works
    assert run_now is not None
    clock.advance(30)
    assert plans.resume("rate").state == "ACTIVE"
    assert scheduler.tick() == []  # the five ticks missed while paused never fire
    clock.advance(30)
    assert [x.tick_at for x in scheduler.tick()] == [START + 7 * 60]
    kinds = [x.kind for x in plans.launches("rate")]
    assert kinds == ["schedule", "manual", "schedule"]


def test_cron_in_a_time_zone_fires_at_local_time(plans: Plans, clock: Clock) -> None:
    plans.create("paris-nine", flows.scaled, fixed_inputs={"n": 1},
                 schedule=cron("0 9 * * *", timezone="Europe/Paris"))
    scheduler = Scheduler(plans, background=False)
    clock.t = dt.datetime(2026, 1, 6, 7, 59, tzinfo=dt.UTC).timestamp()
    assert scheduler.tick() == []
    clock.t += 60  # 08:00 UTC is 09:00 in Paris in winter
    [fired] = scheduler.tick()
    assert dt.datetime.fromtimestamp(fired.tick_at, dt.UTC).hour == 8


def test_a_failing_execution_is_recorded_not_raised(plans: Plans, clock: Clock) -> None:
    plans.create("boom", flows.failing, schedule=every(seconds=30))
    scheduler = Scheduler(plans, background=False)
    clock.advance(30)
    [fired] = scheduler.tick()
    [launch] = plans.launches("boom")
    assert launch.status == LaunchStatus.FAILED and "boom at 1" in launch.error
    assert plans.client.store.get_execution(launch.execution_id).status == "FAILED"
    assert fired.tick_at == START + 30
    execution_id = plans.launch("boom", {"n": 2})
    assert plans.client.store.get_execution(execution_id).status == "FAILED"


def test_code_that_moved_on_makes_the_launch_an_error(plans: Plans, clock: Clock) -> None:
    import dataclasses

    plan = plans.create("old", flows.scaled, fixed_inputs={"n": 1}, schedule=every(seconds=10))
    stale = dataclasses.replace(plan, workflow_version="0" * 16)
    plans.store.create_plan(stale, replace=True)
    with pytest.raises(InvalidInputError, match="re-create the plan"):
        plans.launch("old")
    clock.advance(10)
    Scheduler(plans, background=False).tick()  # the scheduler records it and carries on
    [launch] = plans.launches("old")
    assert launch.status == LaunchStatus.ERROR and "re-create the plan" in launch.error


def test_launch_without_waiting_returns_once_started(plans: Plans) -> None:
    plans.create("bg", flows.scaled, default_inputs={"n": 3})
    execution_id = plans.launch("bg", wait=False)
    assert execution_id is not None
    assert plans.client.store.get_execution(execution_id).workflow_name == "scaled"
    for _ in range(500):  # it ends on its own thread, recorded as any launch
        [launch] = plans.launches("bg")
        if launch.status == LaunchStatus.SUCCEEDED:
            break
        time.sleep(0.02)
    assert (launch.status, launch.execution_id) == (LaunchStatus.SUCCEEDED, execution_id)


def test_a_schedule_added_later_counts_ticks_from_then(plans: Plans, clock: Clock) -> None:
    plans.create("later", flows.scaled, default_inputs={"n": 1})
    clock.advance(3600)
    plans.create("later", flows.scaled, default_inputs={"n": 1}, schedule=every(minutes=1),
                 catch_up="all", replace=True)
    scheduler = Scheduler(plans, background=False)
    assert scheduler.tick() == []  # not the sixty minutes before it had a schedule
    clock.advance(60)
    assert [x.tick_at for x in scheduler.tick()] == [START + 3660]


def test_background_launches_run_side_by_side(plans: Plans, clock: Clock) -> None:
    for name in ("left", "right"):
        plans.create(name, flows.scaled, fixed_inputs={"n": 3}, schedule=every(seconds=10),
                     catch_up="all")
    scheduler = Scheduler(plans)  # background: each launch on a thread of its own
    clock.advance(30)
    assert len(scheduler.tick()) == 6
    scheduler.join(60)
    for name in ("left", "right"):
        launches = plans.launches(name)
        assert [x.status for x in launches] == [LaunchStatus.SUCCEEDED] * 3
        assert len({x.execution_id for x in launches}) == 3
