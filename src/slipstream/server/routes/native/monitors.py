"""/api/v1/monitors and /api/v1/drift-reports: drift monitors (read), their reports with the
per-feature figures, and their triggers' firings.

The monitor store is the server's store (`settings.store_url`), opened on the first request
that needs it (`deps.slot_store`). Monitors are defined and run by `slipstream.monitor` (the
Python API, `slipstream monitor`, or the scheduler); these routes only read.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from slipstream.entities.monitoring import Monitor, TriggerFiring
from slipstream.metadata.monitors import MonitorStore, report_to_dict
from slipstream.server.routes.native.deps import slot_store
from slipstream.server.routes.native.schemas import ERRORS

router = APIRouter(tags=["monitors"], responses=ERRORS)


def monitor_store(request: Request) -> MonitorStore:
    """The app's monitor store (opened on the first request that needs it)."""
    store: MonitorStore = slot_store(request, "monitor_store", "open_monitor_store")
    return store


Monitors = Annotated[MonitorStore, Depends(monitor_store)]


# -- response models --------------------------------------------------------------------------

class MonitorOut(BaseModel):
    name: str
    target_kind: str = Field(description="deployment | dataset")
    target: str = Field(description="The deployment's name, or the data set's path or glob.")
    reference: str = Field(description="A path, or a model URI whose training data it is; "
                                       "empty: the deployment's model version's training data.")
    thresholds: dict[str, Any] = Field(description="Overrides of the default thresholds.")
    options: dict[str, Any] = {}
    plan: str = Field("", description="The launch plan its trigger launches on drift.")
    plan_inputs: dict[str, Any] = {}
    cooldown_seconds: float
    created_at: float = Field(description="Epoch seconds.")
    run_id: str = Field("", description="The tracking run its reports chart in.")
    last_fired_at: float | None = None


class TestOut(BaseModel):
    name: str = Field(description="psi | ks | chi2")
    statistic: float | str = Field(description="A number ('inf' as a string).")
    p_value: float | None = Field(None, description="None for PSI.")
    threshold: float = Field(description="p-value below it (ks, chi2; after Bonferroni) or "
                                         "statistic reaching it (psi) is drift.")
    drifted: bool


class FeatureOut(BaseModel):
    feature: str
    kind: str = Field(description="numeric | categorical")
    drifted: bool
    reference_size: int
    current_size: int
    tests: list[TestOut]


class QualityOut(BaseModel):
    metric: str
    reference: float
    current: float
    drop: float = Field(description="How much worse on the current data.")
    threshold: float
    decayed: bool


class ReportOut(BaseModel):
    report_id: str
    monitor: str = Field(description="Empty for a one-off comparison.")
    created_at: float
    reference: str
    current: str
    reference_size: int
    current_size: int
    drifted_share: float = Field(description="The share of features that drifted.")
    data_drifted: bool
    drifted: bool = Field(description="The verdict: data drift or quality decay.")
    features: list[FeatureOut]
    quality: QualityOut | None = None
    thresholds: dict[str, Any]
    run_id: str = ""


class FiringOut(BaseModel):
    firing_id: str
    monitor: str
    report_id: str
    plan: str
    fired_at: float
    execution_id: str = Field("", description="The execution the plan launched.")
    error: str = Field("", description="Why the launch failed, when it did.")


class MonitorList(BaseModel):
    monitors: list[MonitorOut]


class MonitorDetail(BaseModel):
    monitor: MonitorOut
    latest_report: ReportOut | None = Field(None, description="Its newest report.")


class ReportList(BaseModel):
    reports: list[ReportOut]


class FiringList(BaseModel):
    firings: list[FiringOut]


def _monitor_out(monitor: Monitor) -> MonitorOut:
    return MonitorOut(name=monitor.name, target_kind=monitor.target_kind, target=monitor.target,
                      reference=monitor.reference, thresholds=dict(monitor.thresholds),
                      options=dict(monitor.options), plan=monitor.plan,
                      plan_inputs=dict(monitor.plan_inputs),
                      cooldown_seconds=monitor.cooldown_seconds, created_at=monitor.created_at,
                      run_id=monitor.run_id, last_fired_at=monitor.last_fired_at)


def _firing_out(firing: TriggerFiring) -> FiringOut:
    return FiringOut(firing_id=firing.firing_id, monitor=firing.monitor,
                     report_id=firing.report_id, plan=firing.plan, fired_at=firing.fired_at,
                     execution_id=firing.execution_id, error=firing.error)


# -- routes -----------------------------------------------------------------------------------

_Limit = Annotated[int, Query(ge=1, le=10_000, description="At most this many, newest first.")]


@router.get("/monitors", response_model=MonitorList, summary="List monitors")
def list_monitors(store: Monitors) -> MonitorList:
    """Every monitor, by name."""
    return MonitorList(monitors=[_monitor_out(m) for m in store.list_monitors()])


@router.get("/monitors/{name:path}/reports", response_model=ReportList,
            summary="A monitor's drift reports")
def list_reports(store: Monitors, name: str, limit: _Limit = 100,
                 drifted: Annotated[bool | None, Query(
                     description="Only reports with (true) or without (false) drift.")] = None,
                 ) -> ReportList:
    """The monitor's reports with their per-feature figures, newest first."""
    reports = store.list_reports(name, drifted=drifted, limit=limit)
    return ReportList.model_validate({"reports": [report_to_dict(r) for r in reports]})


@router.get("/monitors/{name:path}/firings", response_model=FiringList,
            summary="A monitor's trigger firings")
def list_firings(store: Monitors, name: str, limit: _Limit = 100) -> FiringList:
    """Each time the monitor's trigger launched its plan, newest first."""
    return FiringList(firings=[_firing_out(f) for f in store.list_firings(name, limit=limit)])


@router.get("/monitors/{name:path}", response_model=MonitorDetail, summary="Get a monitor")
def get_monitor(store: Monitors, name: str) -> MonitorDetail:
    """One monitor with its newest report."""
    monitor = store.get_monitor(name)
    latest = store.list_reports(name, limit=1)
    return MonitorDetail(monitor=_monitor_out(monitor), latest_report=ReportOut.model_validate(
        report_to_dict(latest[0])) if latest else None)


@router.get("/drift-reports", response_model=ReportList, summary="Search drift reports")
def search_reports(store: Monitors, limit: _Limit = 100,
                   monitor: Annotated[str | None, Query(
                       description="Only this monitor's ('' for one-off comparisons).")] = None,
                   drifted: Annotated[bool | None, Query()] = None) -> ReportList:
    """Drift reports of every monitor (or one), newest first."""
    reports = store.list_reports(None, drifted=drifted, limit=limit) if monitor is None \
        else _of_monitor(store, monitor, drifted, limit)
    return ReportList.model_validate({"reports": [report_to_dict(r) for r in reports]})


@router.get("/drift-reports/{report_id}", response_model=ReportOut, summary="Get a drift report")
def get_report(store: Monitors, report_id: str) -> ReportOut:
    """One report with its per-feature tests (statistic, p-value, threshold, drifted)."""
    return ReportOut.model_validate(report_to_dict(store.get_report(report_id)))


def _of_monitor(store: MonitorStore, monitor: str, drifted: bool | None,
                limit: int) -> list[Any]:
    if monitor:
        return store.list_reports(monitor, drifted=drifted, limit=limit)
    return [r for r in store.list_reports(None, drifted=drifted, limit=10_000)
            if not r.monitor][:limit]
