"""Launch plans (a workflow version bound to fixed and default inputs), their schedules (cron
with a time zone, fixed rates, a catch-up policy) and the scheduler that fires due plans exactly
once, however many scheduler processes run against one store.

    plans.py      LaunchPlan.get_or_create, create_launch_plan, launch (the stable entry
                  points; the monitor's triggers call `launch`), Plans (the service)
    inputs.py     fixed / default / launch inputs checked against the workflow's interface
    ticks.py      cron(...), every(...), due_ticks: which ticks fall due (a clock passed in)
    launcher.py   one launch: run the execution, keep its launch row in step, notify
    notify.py     the webhook POST (timeout, retries; failures logged)
    scheduler.py  Scheduler: claims due ticks in the store and launches them

    from slipstream.scheduling import LaunchPlan, cron, launch
    plan = LaunchPlan.get_or_create(retrain, "nightly-retrain", fixed_inputs={"C": 1.0},
                                    schedule=cron("0 3 * * *", timezone="Europe/Paris"))
    execution_id = launch("nightly-retrain", {"n_rows": 5000}, reason="drift on churn")

Everything is imported on first use (croniter only when a cron schedule is read).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slipstream.metadata.schedules import Launch, LaunchPlanRecord, Notify, Schedule
    from slipstream.scheduling.plans import (
        LaunchPlan,
        Plans,
        create_launch_plan,
        default_plans,
        launch,
    )
    from slipstream.scheduling.scheduler import Scheduler
    from slipstream.scheduling.ticks import cron, every

_EXPORTS = {
    "LaunchPlan": "slipstream.scheduling.plans",
    "Plans": "slipstream.scheduling.plans",
    "create_launch_plan": "slipstream.scheduling.plans",
    "default_plans": "slipstream.scheduling.plans",
    "launch": "slipstream.scheduling.plans",
    "Scheduler": "slipstream.scheduling.scheduler",
    "cron": "slipstream.scheduling.ticks",
    "every": "slipstream.scheduling.ticks",
    "Launch": "slipstream.metadata.schedules",
    "LaunchPlanRecord": "slipstream.metadata.schedules",
    "Notify": "slipstream.metadata.schedules",
    "Schedule": "slipstream.metadata.schedules",
}

__all__ = ["Launch", "LaunchPlan", "LaunchPlanRecord", "Notify", "Plans", "Schedule", "Scheduler",
           "create_launch_plan", "cron", "default_plans", "every", "launch"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'slipstream.scheduling' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
