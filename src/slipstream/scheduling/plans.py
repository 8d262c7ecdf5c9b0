"""Launch plans: `LaunchPlan.get_or_create(workflow, name, ...)` (Flyte's call) binds a workflow
version to fixed and default inputs, optionally on a schedule with a webhook; `launch(name,
inputs, reason=...)` starts an execution of a plan and returns its id.

`Plans` is the service under both (and under the CLI, the server and the scheduler): an
execution `Client` for the settings plus the schedule store at the same store URL. The
module-level functions use one `Plans` per settings (environment and slipstream.toml).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cached_property
from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream._core.ids import hostname, now
from slipstream._core.settings import Settings
from slipstream.metadata.schedules import (
    Launch,
    LaunchPlanRecord,
    Notify,
    PlanExistsError,
    PlanState,
    Schedule,
    check_catch_up,
    check_notify,
    check_plan_name,
)
from slipstream.scheduling.inputs import bind
from slipstream.scheduling.ticks import check_schedule

#: Settings compared by get_or_create (a plan with other values is a PlanExistsError).
_COMPARED = ("workflow_name", "workflow_version", "fixed_inputs", "default_inputs", "schedule",
             "catch_up", "notify", "executor", "description")


def scheduler_id() -> str:
    """Who claims: host and process id."""
    return f"{hostname()}:{os.getpid()}"


class Plans:
    """Launch plans on the stores `settings` name (built once, shared by threads)."""

    def __init__(self, settings: Settings | None = None, *, client: Any = None,
                 clock: Callable[[], float] = now) -> None:
        from slipstream.execution.api import Client

        self.client = client or Client(settings)
        self.settings = self.client.settings
        self.clock = clock  # epoch seconds: when plans are created, paused, launched

    @cached_property
    def store(self) -> Any:
        from slipstream.metadata.factory import open_schedule_store

        return open_schedule_store(self.settings.store_url)

    @cached_property
    def launcher(self) -> Any:
        from slipstream.scheduling.launcher import Launcher

        return Launcher(self.client, self.store)

    # -- plans ----------------------------------------------------------------------------------

    def create(self, name: str, workflow: Any, *, fixed_inputs: Mapping[str, Any] | None = None,
               default_inputs: Mapping[str, Any] | None = None, schedule: Any = None,
               catch_up: str = "skip", notify: Notify | str | None = None,
               executor: str | None = None, description: str = "", active: bool = True,
               replace: bool = False, get_existing: bool = False) -> LaunchPlanRecord:
        """Create (or with `replace`, update) a plan; with `get_existing` an identical plan
        is returned as it is (a different one is a PlanExistsError naming what differs)."""
        check_plan_name(name)
        wf, record = self._workflow(workflow)
        schedule = check_schedule(schedule) if schedule is not None else None
        created = self.clock()
        if schedule is not None and not schedule.cron and schedule.anchor is None:
            schedule = replace_anchor(schedule, created)
        if isinstance(notify, str):
            notify = Notify(notify)
        if notify is not None:
            check_notify(notify)
        check_catch_up(catch_up)
        fixed, default = bind(name, wf, fixed_inputs, default_inputs, self.client.engine,
                              self.client.ctx, scheduled=schedule is not None)
        plan = LaunchPlanRecord(
            name=name, workflow_name=record.name, workflow_version=record.version,
            source_ref=record.source_ref, fixed_inputs=fixed, default_inputs=default,
            schedule=schedule, catch_up=catch_up,
            state=PlanState.ACTIVE if active else PlanState.PAUSED,
            last_tick=created if schedule is not None else None, notify=notify,
            executor=executor or "", description=description, created_at=created,
            updated_at=created)
        if get_existing and not replace:
            existing = self._existing(name)
            if existing is not None:
                return _same_or_error(existing, plan)
        return self.store.create_plan(plan, replace=replace)

    def get(self, name: str) -> LaunchPlanRecord:
        return self.store.get_plan(name)  # type: ignore[no-any-return]

    def list(self) -> list[LaunchPlanRecord]:
        return self.store.list_plans()  # type: ignore[no-any-return]

    def pause(self, name: str) -> LaunchPlanRecord:
        return self.store.set_state(name, PlanState.PAUSED, at=self.clock())  # type: ignore[no-any-return]

    def resume(self, name: str) -> LaunchPlanRecord:
        return self.store.set_state(name, PlanState.ACTIVE, at=self.clock())  # type: ignore[no-any-return]

    def delete(self, name: str) -> None:
        self.store.delete_plan(name)

    def launches(self, name: str, *, limit: int = 50) -> list[Launch]:
        return self.store.list_launches(name, limit=limit)  # type: ignore[no-any-return]

    # -- launching ------------------------------------------------------------------------------

    def launch(self, name: str, inputs: Mapping[str, Any] | None = None, *, reason: str = "",
               wait: bool = True) -> str | None:
        """Start an execution of plan `name` now (a paused plan too: pausing stops its
        schedule only) with `inputs` overriding its defaults; the execution id (None when it
        could not start: see the plan's launches). Bad inputs raise before anything runs."""
        plan = self.get(name)
        prepared = self.launcher.prepare(plan, inputs)
        launch = self.store.add_launch(name, at=self.clock(), claimed_by=scheduler_id(),
                                       reason=reason or "run now", inputs=prepared[2])
        return self.launcher.start(plan, launch, prepared, wait=wait)  # type: ignore[no-any-return]

    def _workflow(self, workflow: Any) -> tuple[Any, Any]:
        """(workflow object, its WorkflowRecord), registering a Workflow object given."""
        from slipstream.entities import WorkflowRecord
        from slipstream.execution.loading import load_entity, source_ref_of
        from slipstream.sdk.workflow import Workflow

        if isinstance(workflow, Workflow):
            record = WorkflowRecord(workflow.name, workflow.version, workflow.stored_spec(),
                                    source_ref_of(workflow), now())
            self.client.store.record(workflows=[record])
            return workflow, record
        if not isinstance(workflow, str) or not workflow:
            raise InvalidInputError(f"a launch plan's workflow is a @workflow or the name of a "
                                    f"registered one ('name' or 'name@version'), not "
                                    f"{workflow!r:.100}")
        wf_name, _, version = workflow.partition("@")
        record = self.client.store.get_workflow(wf_name, version or None)
        wf = load_entity(record.source_ref)
        if not isinstance(wf, Workflow) or wf.version != record.version:
            raise InvalidInputError(
                f"workflow {wf_name!r} version {record.version[:12]} is registered, but the code "
                f"at {record.source_ref} is now {getattr(wf, 'version', '?')[:12]}: register "
                "the new version (run it once, or pass the @workflow itself)")
        return wf, record

    def _existing(self, name: str) -> LaunchPlanRecord | None:
        from slipstream._core.errors import NotFoundError

        try:
            return self.get(name)
        except NotFoundError:
            return None


def replace_anchor(schedule: Schedule, anchor: float) -> Schedule:
    return replace(schedule, anchor=anchor)


def _same_or_error(existing: LaunchPlanRecord, wanted: LaunchPlanRecord) -> LaunchPlanRecord:
    for field in _COMPARED:
        old, new = getattr(existing, field), getattr(wanted, field)
        if field == "schedule" and old is not None and new is not None and not new.cron:
            new = replace_anchor(new, old.anchor)  # a new anchor is not a different schedule
        if old != new:
            raise PlanExistsError(
                f"launch plan {existing.name!r} exists with another {field} ({_short(old)} "
                f"there, {_short(new)} here): pass replace=True to update it, or use another "
                "name")
    return existing


def _short(value: Any) -> str:
    text = value.describe() if isinstance(value, Schedule) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class LaunchPlan:
    """A launch plan, as Flyte's `LaunchPlan.get_or_create` gives it."""

    def __init__(self, record: LaunchPlanRecord, plans: Plans) -> None:
        self.record, self._plans = record, plans

    @classmethod
    def get_or_create(cls, workflow: Any, name: str | None = None, *,
                      fixed_inputs: Mapping[str, Any] | None = None,
                      default_inputs: Mapping[str, Any] | None = None, schedule: Any = None,
                      catch_up: str = "skip", notify: Notify | str | None = None,
                      executor: str | None = None, description: str = "", active: bool = True,
                      replace: bool = False, settings: Settings | None = None) -> LaunchPlan:
        """The plan `name` (default: the workflow's name) for `workflow` (a @workflow, or a
        registered "name" / "name@version"): created if new, returned if identical, updated
        with `replace`; otherwise PlanExistsError naming the difference."""
        plans = default_plans(settings)
        if name is None:
            name = getattr(workflow, "name", None) or str(workflow).partition("@")[0]
        record = plans.create(name, workflow, fixed_inputs=fixed_inputs,
                              default_inputs=default_inputs, schedule=schedule,
                              catch_up=catch_up, notify=notify, executor=executor,
                              description=description, active=active, replace=replace,
                              get_existing=True)
        return cls(record, plans)

    @classmethod
    def get(cls, name: str, settings: Settings | None = None) -> LaunchPlan:
        plans = default_plans(settings)
        return cls(plans.get(name), plans)

    @property
    def name(self) -> str:
        return self.record.name

    def launch(self, inputs: Mapping[str, Any] | None = None, *, reason: str = "",
               wait: bool = True) -> str | None:
        """Start an execution now; its id."""
        return self._plans.launch(self.name, inputs, reason=reason, wait=wait)

    def pause(self) -> LaunchPlan:
        self.record = self._plans.pause(self.name)
        return self

    def resume(self) -> LaunchPlan:
        self.record = self._plans.resume(self.name)
        return self

    def launches(self, limit: int = 50) -> list[Launch]:
        return self._plans.launches(self.name, limit=limit)

    def __repr__(self) -> str:
        return f"LaunchPlan({self.name!r}, workflow={self.record.workflow_name!r})"


_defaults: dict[Settings, Plans] = {}
_defaults_lock = threading.Lock()


def default_plans(settings: Settings | None = None) -> Plans:
    """The `Plans` of `settings` (default: the environment's), built once."""
    settings = settings or Settings.load()
    with _defaults_lock:
        plans = _defaults.get(settings)
        if plans is None:
            plans = _defaults[settings] = Plans(settings)
    return plans


def create_launch_plan(name: str, workflow: Any, **options: Any) -> LaunchPlan:
    """Create (or with replace=True update) plan `name`; see `LaunchPlan.get_or_create` for
    the options. A plan of that name is an error here (PlanExistsError)."""
    settings = options.pop("settings", None)
    plans = default_plans(settings)
    return LaunchPlan(plans.create(name, workflow, **options), plans)


def launch(plan_name: str, inputs: Mapping[str, Any] | None = None, *, reason: str = "",
           wait: bool = True, settings: Settings | None = None) -> str | None:
    """Start an execution of launch plan `plan_name` (inputs override its defaults, never its
    fixed inputs) and return the execution id; `reason` is recorded with the launch (e.g.
    "drift on deployment churn"). With wait=False it returns once the execution has started."""
    return default_plans(settings).launch(plan_name, inputs, reason=reason, wait=wait)
