"""/api/v1/launch-plans: launch plans (read, pause, resume, delete), their launches, and
run-now.

The schedule store is the server's store (`settings.store_url`), opened on the first request
that needs it (`deps.slot_store`). Run-now starts the execution in a process of its own
(`scheduling.child`: the server never imports workflow code) and answers 202 with its id as
soon as it has started. Plans are created from Python or the CLI, which load the workflow's
code to check the inputs against it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from slipstream.metadata.schedules import Launch, LaunchPlanRecord, PlanState, ScheduleStore
from slipstream.server.routes.native.deps import slot_store
from slipstream.server.routes.native.schemas import ERRORS

#: How many upcoming ticks a plan's answer lists.
NEXT_FIRES = 5

router = APIRouter(prefix="/launch-plans", tags=["launch plans"], responses=ERRORS)


def schedule_store(request: Request) -> ScheduleStore:
    """The app's schedule store (opened on the first request that needs it)."""
    store: ScheduleStore = slot_store(request, "schedule_store", "open_schedule_store")
    return store


Schedules = Annotated[ScheduleStore, Depends(schedule_store)]


# -- models -----------------------------------------------------------------------------------

class ScheduleOut(BaseModel):
    cron: str = Field("", description="Cron expression (empty for a fixed rate).")
    timezone: str = Field("UTC", description="The cron expression's IANA time zone.")
    every_seconds: float | None = Field(None, description="Fixed rate, in seconds.")
    anchor: float | None = Field(None, description="A fixed rate's first tick (epoch s).")
    description: str


class NotifyOut(BaseModel):
    url: str
    on: list[str] = Field(description="SUCCEEDED and/or FAILED.")
    timeout_seconds: float
    retries: int


class LaunchOut(BaseModel):
    plan_name: str
    kind: str = Field(description="schedule (a tick) or manual (run-now, a trigger).")
    tick_at: float = Field(description="The tick's time, or when the launch was asked for.")
    claimed_at: float
    claimed_by: str = Field(description="host:pid of the scheduler or caller.")
    reason: str
    inputs: dict[str, Any] = Field(description="The launch's own inputs (literals).")
    status: str = Field(description="CLAIMED, RUNNING, SUCCEEDED, FAILED or ERROR.")
    execution_id: str | None = None
    error: str = ""
    ended_at: float | None = None


class LaunchPlanOut(BaseModel):
    name: str
    workflow_name: str
    workflow_version: str
    source_ref: str
    fixed_inputs: dict[str, Any] = Field(description="Literals a launch cannot change.")
    default_inputs: dict[str, Any] = Field(description="Literals a launch may override.")
    schedule: ScheduleOut | None = None
    catch_up: str = Field(description="skip (the latest missed tick) or all (each, bounded).")
    state: PlanState
    last_tick: float | None = Field(None, description="The latest tick considered (epoch s).")
    next_fire_times: list[float] = Field(
        [], description=f"The schedule's next {NEXT_FIRES} ticks (epoch s); none when the plan "
        "has no schedule or is paused.")
    notify: NotifyOut | None = None
    executor: str = ""
    description: str = ""
    created_at: float
    updated_at: float


class LaunchPlanList(BaseModel):
    launch_plans: list[LaunchPlanOut]


class LaunchPlanDetail(BaseModel):
    launch_plan: LaunchPlanOut
    launches: list[LaunchOut] = Field(description="The latest launches, newest first.")


class LaunchList(BaseModel):
    launches: list[LaunchOut]


class LaunchBody(BaseModel):
    inputs: dict[str, Any] = Field({}, description="Inputs overriding the plan's defaults, by "
                                   "name, as JSON values (fixed inputs cannot be given).")
    reason: str = Field("run now", description="Recorded with the launch.")


class Started(BaseModel):
    execution_id: str = Field(description="The new execution (running; poll it).")


def next_fire_times(plan: LaunchPlanRecord, now: float, count: int = NEXT_FIRES) -> list[float]:
    """The ticks an ACTIVE scheduled plan fires next: those after its last tick considered
    and after `now` (a tick already due fires at the scheduler's next poll)."""
    from slipstream.scheduling.ticks import next_tick

    if plan.schedule is None or plan.state != PlanState.ACTIVE:
        return []
    ticks: list[float] = []
    after = max(now, plan.last_tick or 0.0)
    while len(ticks) < count:
        after = next_tick(plan.schedule, after)
        ticks.append(after)
    return ticks


def _plan_out(plan: LaunchPlanRecord) -> LaunchPlanOut:
    from slipstream._core.ids import now

    schedule = plan.schedule
    return LaunchPlanOut(
        name=plan.name, workflow_name=plan.workflow_name, workflow_version=plan.workflow_version,
        source_ref=plan.source_ref, fixed_inputs=plan.fixed_inputs,
        default_inputs=plan.default_inputs,
        schedule=None if schedule is None else ScheduleOut(
            cron=schedule.cron, timezone=schedule.timezone, every_seconds=schedule.every_seconds,
            anchor=schedule.anchor, description=schedule.describe()),
        catch_up=plan.catch_up, state=PlanState(plan.state), last_tick=plan.last_tick,
        next_fire_times=next_fire_times(plan, now()),
        notify=None if plan.notify is None else NotifyOut(**plan.notify.to_json()),
        executor=plan.executor, description=plan.description, created_at=plan.created_at,
        updated_at=plan.updated_at)


def _launch_out(launch: Launch) -> LaunchOut:
    return LaunchOut(plan_name=launch.plan_name, kind=str(launch.kind), tick_at=launch.tick_at,
                     claimed_at=launch.claimed_at, claimed_by=launch.claimed_by,
                     reason=launch.reason, inputs=launch.inputs, status=str(launch.status),
                     execution_id=launch.execution_id, error=launch.error,
                     ended_at=launch.ended_at)


# -- routes -----------------------------------------------------------------------------------

@router.get("", response_model=LaunchPlanList, summary="List launch plans")
def list_plans(store: Schedules) -> LaunchPlanList:
    """Every launch plan, by name."""
    return LaunchPlanList(launch_plans=[_plan_out(p) for p in store.list_plans()])


@router.get("/{name}", response_model=LaunchPlanDetail, summary="Get a launch plan")
def get_plan(store: Schedules, name: str,
             limit: Annotated[int, Query(ge=1, le=1000)] = 20) -> LaunchPlanDetail:
    """A plan and its latest launches; 404 for an unknown name."""
    plan = store.get_plan(name)
    return LaunchPlanDetail(launch_plan=_plan_out(plan),
                            launches=[_launch_out(x) for x in
                                      store.list_launches(name, limit=limit)])


@router.get("/{name}/launches", response_model=LaunchList, summary="A plan's launches")
def list_launches(store: Schedules, name: str,
                  limit: Annotated[int, Query(ge=1, le=10_000)] = 50) -> LaunchList:
    """The plan's launches (ticks, run-nows, triggers), newest first."""
    return LaunchList(launches=[_launch_out(x) for x in store.list_launches(name, limit=limit)])


@router.post("/{name}/pause", response_model=LaunchPlanOut, summary="Pause a plan's schedule")
def pause(store: Schedules, name: str) -> LaunchPlanOut:
    """Stop firing the schedule (run-now still works)."""
    from slipstream._core.ids import now

    return _plan_out(store.set_state(name, PlanState.PAUSED, at=now()))


@router.post("/{name}/resume", response_model=LaunchPlanOut, summary="Resume a plan's schedule")
def resume(store: Schedules, name: str) -> LaunchPlanOut:
    """Fire the schedule again from now on (ticks missed while paused never fire)."""
    from slipstream._core.ids import now

    return _plan_out(store.set_state(name, PlanState.ACTIVE, at=now()))


@router.post("/{name}/launch", status_code=202, response_model=Started,
             summary="Run a plan now")
async def launch(store: Schedules, request: Request, name: str, body: LaunchBody) -> Started:
    """Start an execution of the plan now, `inputs` overriding its defaults; 400 naming a
    fixed, unknown or mistyped input, 404 for an unknown plan."""
    from slipstream.scheduling import child

    plan = await run_in_threadpool(store.get_plan, name)  # 404 here, before a process starts
    started = await run_in_threadpool(child.spawn, request.app.state.settings, plan.name,
                                      body.inputs, body.reason)
    return Started(execution_id=started)


@router.delete("/{name}", status_code=204, response_class=Response, summary="Delete a plan")
def delete_plan(store: Schedules, name: str) -> Response:
    """Delete the plan and its launch records (their executions stay)."""
    store.delete_plan(name)
    return Response(status_code=204)
