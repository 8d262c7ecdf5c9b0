"""Choose a store implementation by URL scheme."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    if _scheme(url) in _SQL_SCHEMES:
        from slipstream.metadata.sql.deployment_store import SqlDeploymentStore

        return SqlDeploymentStore(url)
    if _scheme(url) in _HTTP_SCHEMES:
        raise InvalidInputError(
            f"Deployments are kept in a SQL store, not through a server ({url!r}): set "
            "SLIPSTREAM_STORE_URL to sqlite:///… or postgresql://…")
    raise _unsupported(url)


def open_study_store(url: str) -> StudyStore:
    """Open (creating and migrating as needed) the study store at a SQL store URL (the
    tracking store's database, beside the runs and executions of the trials)."""
    if _scheme(url) in _SQL_SCHEMES:
        from slipstream.metadata.sql.study_store import SqlStudyStore

        return SqlStudyStore(url)
    if _scheme(url) in _HTTP_SCHEMES:
        raise InvalidInputError(
            f"Tuning studies are kept in a SQL store, not through a server ({url!r}): set "
            "SLIPSTREAM_STORE_URL to sqlite:///… or postgresql://… (the server's "
            "/api/v1/studies only reads them)")
    raise _unsupported(url)


def open_schedule_store(url: str) -> ScheduleStore:
    """Open (creating and migrating as needed) the schedule store (launch plans and their
    launches) at a SQL store URL: the execution store's database, beside what they launch."""
    if _scheme(url) in _SQL_SCHEMES:
        from slipstream.metadata.sql.schedule_store import SqlScheduleStore

        return SqlScheduleStore(url)
    if _scheme(url) in _HTTP_SCHEMES:
        raise InvalidInputError(
            f"Launch plans are kept in a SQL store, not through a server ({url!r}): set "
            "SLIPSTREAM_STORE_URL to sqlite:///… or postgresql://… (the server's "
            "/api/v1/launch-plans manages them remotely)")
    raise _unsupported(url)


def open_monitor_store(url: str) -> MonitorStore:
    """Open (creating and migrating as needed) the monitor store at a SQL store URL (the
    tracking store's database, beside the runs its drift reports chart in)."""
    if _scheme(url) in _SQL_SCHEMES:
        from slipstream.metadata.sql.monitor_store import SqlMonitorStore

        return SqlMonitorStore(url)
    if _scheme(url) in _HTTP_SCHEMES:
        raise InvalidInputError(
            f"Drift monitors are kept in a SQL store, not through a server ({url!r}): set "
            "SLIPSTREAM_STORE_URL to sqlite:///… or postgresql://… (the server's "
            "/api/v1/monitors only reads them)")
    raise _unsupported(url)


def _scheme(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0].lower()


def _unsupported(url: str) -> InvalidInputError:
    return InvalidInputError(
        f"Unsupported metadata store URL {url!r}: use sqlite:///path/to/file.db or "
        "postgresql://user@host:port/database (tracking also takes a Slipstream server's "
        "http://host:port)"
    )
