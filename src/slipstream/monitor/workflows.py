"""`drift_check`, a workflow that runs one monitor, so the scheduler can run monitors: bind it
to a launch plan with the monitor's name and a schedule.

    from slipstream.monitor.workflows import drift_check
    from slipstream.scheduling import LaunchPlan, every
    LaunchPlan.get_or_create(drift_check, "churn-drift-hourly", fixed_inputs={"name": "churn"},
                             schedule=every(hours=1))

The task opens the stores its process's settings name (the environment, as the scheduler's
process has them). A trigger it fires launches the monitor's plan without waiting for it: the
retraining is an execution of its own, not a part of this one.
"""

from __future__ import annotations

from slipstream.sdk.task import task
from slipstream.sdk.workflow import workflow


@task
def run_drift_monitor(name: str) -> bool:
    """Run monitor `name` once; True when its report found drift."""
    from slipstream.monitor.service import Monitoring

    with Monitoring.from_settings(wait=False) as monitoring:
        return monitoring.run(name).report.drifted


@workflow
def drift_check(name: str) -> bool:
    """Run monitor `name` once (see the module doc)."""
    return run_drift_monitor(name=name)
