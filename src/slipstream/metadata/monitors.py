"""The monitor store interface: drift monitors, the drift reports their runs write, and the
firings of their triggers (`slipstream.monitor` writes them; the server's /api/v1/monitors
reads them).

A monitor's name is unique: 1-256 letters, digits, `_`, `.`, `-` and `/`. A report belongs to
a monitor, or to none (`monitor == ""`, a one-off comparison). `claim_firing` is how a trigger
fires exactly once per drift event: it moves the monitor's cool-down clock in the same
transaction that records the firing, only when the cool-down has passed, so of two monitor
processes claiming at once exactly one gets the firing. Each call is one transaction; bad
input raises InvalidInputError and writes nothing; unknown names raise NotFoundError.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream.entities.monitoring import (
    DriftReport,
    FeatureDrift,
    Monitor,
    QualityDecay,
    TargetKind,
    TestResult,
    TriggerFiring,
)

MAX_MONITOR_NAME_LENGTH = 256
_NAME = re.compile(r"^[A-Za-z0-9_.\-/]+$")
_RESERVED = ("reports", "firings")


class MonitorExistsError(InvalidInputError):
    """A monitor with this name exists already."""


class MonitorStore(ABC):
    """Persistence for monitors, drift reports and trigger firings."""

    @abstractmethod
    def create_monitor(self, monitor: Monitor) -> Monitor:
        """Store a new monitor; MonitorExistsError if the name is taken."""

    @abstractmethod
    def get_monitor(self, name: str) -> Monitor:
        """A monitor by name."""

    @abstractmethod
    def list_monitors(self) -> list[Monitor]:
        """Every monitor, by name."""

    @abstractmethod
    def set_monitor_run(self, name: str, run_id: str) -> Monitor:
        """Record the tracking run the monitor's reports chart in."""

    @abstractmethod
    def delete_monitor(self, name: str) -> None:
        """Delete the monitor with its reports and firings (the tracking run stays)."""

    @abstractmethod
    def add_report(self, report: DriftReport) -> DriftReport:
        """Store a report (its monitor, when named, must exist)."""

    @abstractmethod
    def get_report(self, report_id: str) -> DriftReport:
        """A report by id, with its per-feature results."""

    @abstractmethod
    def list_reports(self, monitor: str | None = None, *, drifted: bool | None = None,
                     limit: int = 100) -> list[DriftReport]:
        """Reports (of `monitor` when given; only drifted or undrifted ones when `drifted` is
        given), newest first, at most `limit` (1-10,000)."""

    @abstractmethod
    def claim_firing(self, monitor: str, report_id: str, *, now: float) -> TriggerFiring | None:
        """The firing of `monitor`'s trigger for `report_id`, recorded, when its last firing
        is at least its cool-down before `now` (or it never fired); None otherwise. Atomic:
        of concurrent claims within one cool-down exactly one returns a firing."""

    @abstractmethod
    def finish_firing(self, firing_id: str, *, execution_id: str = "",
                      error: str = "") -> TriggerFiring:
        """Record what the firing launched (`execution_id`) or why it could not (`error`)."""

    @abstractmethod
    def list_firings(self, monitor: str, *, limit: int = 100) -> list[TriggerFiring]:
        """The monitor's firings, newest first."""


# -- checks shared by every implementation ----------------------------------------------------

def check_monitor_name(name: object) -> str:
    if not isinstance(name, str) or not name or len(name) > MAX_MONITOR_NAME_LENGTH \
            or not _NAME.match(name):
        raise InvalidInputError(
            f"monitor name {name!r:.80} is not valid: use 1-{MAX_MONITOR_NAME_LENGTH} letters, "
            "digits, '_', '.', '-' or '/'")
    if name.rsplit("/", 1)[-1] in _RESERVED and "/" in name:
        raise InvalidInputError(f"monitor name {name!r} may not end in '/reports' or "
                                "'/firings' (the REST paths of a monitor's reports and firings)")
    return name


def check_monitor(monitor: Monitor) -> Monitor:
    """`monitor` when well formed; InvalidInputError naming the first field that is not."""
    if not isinstance(monitor, Monitor):
        raise InvalidInputError(f"Expected a Monitor, got {monitor!r:.100}.")
    check_monitor_name(monitor.name)
    if monitor.target_kind not in TargetKind.__members__.values():
        raise InvalidInputError(f"target kind {monitor.target_kind!r} is not one of "
                                f"{', '.join(TargetKind)}")
    if not isinstance(monitor.target, str) or not monitor.target.strip():
        raise InvalidInputError(f"monitor {monitor.name!r}: name what it watches (a "
                                "deployment, or a data set's path, folder or glob)")
    if monitor.target_kind == TargetKind.DATASET and not monitor.reference:
        raise InvalidInputError(f"monitor {monitor.name!r} watches a data set: give its "
                                "reference (a path, or a model URI whose training data it is)")
    for label, value in (("reference", monitor.reference), ("plan", monitor.plan),
                         ("run_id", monitor.run_id)):
        if not isinstance(value, str):
            raise InvalidInputError(f"{label} must be a string, not {value!r:.80}")
    for label, value in (("thresholds", monitor.thresholds), ("options", monitor.options),
                         ("plan_inputs", monitor.plan_inputs)):
        if not isinstance(value, dict):
            raise InvalidInputError(f"{label} must be a dict, not {value!r:.80}")
    if not _finite(monitor.cooldown_seconds) or monitor.cooldown_seconds < 0:
        raise InvalidInputError(f"cooldown_seconds must be a number >= 0, not "
                                f"{monitor.cooldown_seconds!r}")
    if not _finite(monitor.created_at):
        raise InvalidInputError("created_at must be epoch seconds")
    return monitor


def check_limit(limit: object) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 10_000:
        raise InvalidInputError(f"limit must be an integer in 1-10000, not {limit!r}")
    return limit


# -- a report's JSON (stored body, REST, the tracked artifact) --------------------------------

def report_to_dict(report: DriftReport) -> dict[str, Any]:
    """Everything in `report` as plain JSON values."""
    return {
        "report_id": report.report_id, "monitor": report.monitor,
        "created_at": report.created_at, "reference": report.reference,
        "current": report.current, "reference_size": report.reference_size,
        "current_size": report.current_size, "drifted_share": report.drifted_share,
        "data_drifted": report.data_drifted, "drifted": report.drifted,
        "features": [features_to_dict(f) for f in report.features],
        "quality": None if report.quality is None else {
            "metric": report.quality.metric, "reference": report.quality.reference,
            "current": report.quality.current, "drop": report.quality.drop,
            "threshold": report.quality.threshold, "decayed": report.quality.decayed},
        "thresholds": dict(report.thresholds), "run_id": report.run_id,
    }


def features_to_dict(feature: FeatureDrift) -> dict[str, Any]:
    return {"feature": feature.feature, "kind": feature.kind, "drifted": feature.drifted,
            "reference_size": feature.reference_size, "current_size": feature.current_size,
            "tests": [{"name": t.name, "statistic": _json_number(t.statistic),
                       "p_value": _json_number(t.p_value), "threshold": t.threshold,
                       "drifted": t.drifted} for t in feature.tests]}


def report_from_dict(data: dict[str, Any]) -> DriftReport:
    """The report `report_to_dict` wrote."""
    quality = data.get("quality")
    return DriftReport(
        report_id=data["report_id"], monitor=data["monitor"], created_at=data["created_at"],
        reference=data["reference"], current=data["current"],
        reference_size=data["reference_size"], current_size=data["current_size"],
        features=tuple(FeatureDrift(
            f["feature"], f["kind"],
            tuple(TestResult(t["name"], _number_back(t["statistic"]), _number_back(t["p_value"]),
                             t["threshold"], t["drifted"]) for t in f["tests"]),
            f["drifted"], f["reference_size"], f["current_size"]) for f in data["features"]),
        drifted_share=data["drifted_share"], data_drifted=data["data_drifted"],
        drifted=data["drifted"],
        quality=None if quality is None else QualityDecay(**quality),
        thresholds=data.get("thresholds") or {}, run_id=data.get("run_id") or "")


def _json_number(value: float | None) -> float | str | None:
    """A float as JSON has it (infinities and NaN as strings: PSI can be large, never NaN)."""
    if value is None or math.isfinite(value):
        return value
    return str(value)


def _number_back(value: float | str | None) -> float | None:
    return float(value) if isinstance(value, str) else value


def _finite(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))
