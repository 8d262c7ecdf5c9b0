"""Choose a store implementation by URL scheme."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slipstream._core.errors import InvalidInputError
from slipstream.metadata.base import ExecutionStore

if TYPE_CHECKING:
    from slipstream.metadata.deployments import DeploymentStore
    from slipstream.metadata.monitors import MonitorStore
    from slipstream.metadata.schedules import ScheduleStore
    from slipstream.metadata.studies import StudyStore
    from slipstream.metadata.tracking import TrackingStore

_SQL_SCHEMES = ("sqlite", "postgresql", "postgres")
_HTTP_SCHEMES = ("http", "https")


def open_execution_store(url: str) -> ExecutionStore:
    """Open (creating and migrating as needed) the execution store at `url`."""
    if _scheme(url) in _SQL_SCHEMES:
        from slipstream.metadata.sql.executions import SqlExecutionStore

        return SqlExecutionStore(url)
    if _scheme(url) in _HTTP_SCHEMES:
        raise InvalidInputError(
            f"Workflow executions are recorded in a SQL store, not through a server ({url!r}): "
            "set SLIPSTREAM_STORE_URL to sqlite:///… or postgresql://… (SLIPSTREAM_TRACKING_URI "
            "alone may name a server)")
    raise _unsupported(url)


def open_tracking_store(url: str, artifact_root: str | None = None) -> TrackingStore:
    """Open (creating and migrating as needed) the tracking store at `url`; run artifacts go
    under `artifact_root` (default: the settings' artifact URI, HOME/artifacts). An http:// or
    https:// URL is a Slipstream server: its REST store (the server decides where artifacts
    go; `artifact_root` is not used)."""
    if _scheme(url) in _HTTP_SCHEMES:
        from slipstream.metadata.rest.tracking import RestTrackingStore

        return RestTrackingStore(url)
    if artifact_root is None:
        from slipstream._core.settings import Settings

        artifact_root = Settings.load().artifact_uri
    if _scheme(url) in _SQL_SCHEMES:
        from slipstream.metadata.sql.tracking import SqlTrackingStore

        return SqlTrackingStore(url, artifact_root)
    raise _unsupported(url)


def open_deployment_store(url: str) -> DeploymentStore:
    """Open (creating and migrating as needed) the deployment store at a SQL store URL (the
    tracking store's database, beside the registry)."""
    store: DeploymentStore = _open_sql(url, "deployment_store", "SqlDeploymentStore",
                                       "Deployments are")
    return store


def open_study_store(url: str) -> StudyStore:
    """Open (creating and migrating as needed) the study store at a SQL store URL (the
    tracking store's database, beside the runs and executions of the trials)."""
    store: StudyStore = _open_sql(url, "study_store", "SqlStudyStore", "Tuning studies are",
                                  "the server's /api/v1/studies only reads them")
    return store


def open_schedule_store(url: str) -> ScheduleStore:
    """Open (creating and migrating as needed) the schedule store (launch plans and their
    launches) at a SQL store URL: the execution store's database, beside what they launch."""
    store: ScheduleStore = _open_sql(url, "schedule_store", "SqlScheduleStore",
                                     "Launch plans are",
                                     "the server's /api/v1/launch-plans manages them remotely")
    return store


def open_monitor_store(url: str) -> MonitorStore:
    """Open (creating and migrating as needed) the monitor store at a SQL store URL (the
    tracking store's database, beside the runs its drift reports chart in)."""
    store: MonitorStore = _open_sql(url, "monitor_store", "SqlMonitorStore",
                                    "Drift monitors are",
                                    "the server's /api/v1/monitors only reads them")
    return store


def _open_sql(url: str, module: str, class_name: str, what: str, server_note: str = "") -> Any:
    """`metadata.sql.<module>.<class_name>(url)` for a SQL URL; a server's URL is refused
    saying that `what` (e.g. "Deployments are") kept in a SQL store only."""
    if _scheme(url) in _SQL_SCHEMES:
        import importlib

        return getattr(importlib.import_module(f"slipstream.metadata.sql.{module}"),
                       class_name)(url)
    if _scheme(url) in _HTTP_SCHEMES:
        note = f" ({server_note})" if server_note else ""
        raise InvalidInputError(
            f"{what} kept in a SQL store, not through a server ({url!r}): set "
            f"SLIPSTREAM_STORE_URL to sqlite:///… or postgresql://…{note}")
    raise _unsupported(url)


def _scheme(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0].lower()


def _unsupported(url: str) -> InvalidInputError:
    return InvalidInputError(
        f"Unsupported metadata store URL {url!r}: use sqlite:///path/to/file.db or "
        "postgresql://user@host:port/database (tracking also takes a Slipstream server's "
        "http://host:port)"
    )
