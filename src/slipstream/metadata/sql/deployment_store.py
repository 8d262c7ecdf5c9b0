"""`SqlDeploymentStore`: the deployment store on SQLite or PostgreSQL (the same database and
schema as the tracking store, so deployments sit beside the registry they serve from).

Each call is one transaction (SQL in `deployments`); input is checked before any transaction
opens, so bad input writes nothing. Writes take SQLite's lock up front and are retried if it is
still busy, as the tracking store's are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from slipstream._core.errors import InvalidInputError
from slipstream.entities.deployments import (
    Deployment,
    DeploymentEvent,
    DeploymentTarget,
    PredictionRecord,
    VersionStats,
)
from slipstream.metadata.deployments import (
    MAX_PREDICTIONS_PAGE,
    DeploymentStore,
    Transition,
    canary_targets,
    check_deployment_name,
    check_model_uri,
    check_prediction,
    check_stats,
    check_targets,
    promoted_targets,
    rollback_targets,
    traffic_targets,
)
from slipstream.metadata.sql.store import SqlStoreBase

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

T = TypeVar("T")


class SqlDeploymentStore(SqlStoreBase, DeploymentStore):
    """Deployment store on a store URL: sqlite:///path.db or postgresql://user@host/db."""

    # -- deployments --------------------------------------------------------------------------

    def create_deployment(self, name: str, targets: Sequence[DeploymentTarget], *,
                          description: str = "", user_id: str = "") -> Deployment:
        from slipstream.metadata.sql import deployments as sql

        check_deployment_name(name)
        checked = check_targets(targets)
        _check_text("description", description)
        _check_text("user id", user_id, 256)
        self._write(lambda c: sql.create(c, name, checked, description, user_id, _now()))
        return self.get_deployment(name)

    def get_deployment(self, name: str) -> Deployment:
        from slipstream.metadata.sql import deployments as sql

        check_deployment_name(name)
        with self._connect() as conn:
            return sql.load(conn, name)

    def list_deployments(self) -> list[Deployment]:
        from slipstream.metadata.sql import deployments as sql

        with self._connect() as conn:
            return sql.load_all(conn)

    def delete_deployment(self, name: str) -> None:
        from slipstream.metadata.sql import deployments as sql

        check_deployment_name(name)
        self._write(lambda c: sql.delete(c, name))

    def start_canary(self, name: str, model_uri: str, traffic_percent: float, *,
                     user_id: str = "", expected_revision: int | None = None) -> Deployment:
        check_model_uri(model_uri)
        return self._change(name, user_id, expected_revision,
                            lambda _, d: canary_targets(d, model_uri, traffic_percent))

    def set_traffic(self, name: str, canary_percent: float, *, user_id: str = "",
                    expected_revision: int | None = None) -> Deployment:
        return self._change(name, user_id, expected_revision,
                            lambda _, d: traffic_targets(d, canary_percent))

    def promote(self, name: str, *, user_id: str = "",
                expected_revision: int | None = None) -> Deployment:
        return self._change(name, user_id, expected_revision,
                            lambda _, d: promoted_targets(d))

    def rollback(self, name: str, *, user_id: str = "",
                 expected_revision: int | None = None) -> Deployment:
        from slipstream.metadata.sql import deployments as sql

        return self._change(name, user_id, expected_revision,
                            lambda c, d: rollback_targets(d, sql.history(c, d.name)))

    def get_deployment_history(self, name: str) -> list[DeploymentEvent]:
        from slipstream.metadata.sql import deployments as sql

        check_deployment_name(name)
        with self._connect() as conn:
            sql.load(conn, name)
            return sql.history(conn, name)

    # -- what servers report ------------------------------------------------------------------

    def log_predictions(self, records: Sequence[PredictionRecord],
                        stats: Sequence[VersionStats] = ()) -> None:
        from slipstream.metadata.sql import deployments as sql

        records = [check_prediction(r) for r in _all_of(records, PredictionRecord)]
        stats = [check_stats(s) for s in _all_of(stats, VersionStats)]
        rows = sql.prediction_rows(records)
        if not (rows or stats):
            return

        def write(conn: Connection) -> None:
            sql.insert_predictions(conn, rows)
            sql.add_stats(conn, stats)

        self._write(write)

    def search_predictions(self, name: str, *, since_ms: int | None = None,
                           until_ms: int | None = None, label: str | None = None,
                           limit: int = 100) -> list[PredictionRecord]:
        from slipstream.metadata.sql import deployments as sql

        check_deployment_name(name)
        if isinstance(limit, bool) or not isinstance(limit, int) or not (
                1 <= limit <= MAX_PREDICTIONS_PAGE):
            raise InvalidInputError(f"Invalid limit {limit!r}: it must be an integer from 1 to "
                                    f"{MAX_PREDICTIONS_PAGE}.")
        _check_times(since_ms, until_ms)
        with self._connect() as conn:
            sql.load(conn, name)
            return sql.search_predictions(conn, name, since_ms, until_ms, label, limit)

    def get_version_stats(self, name: str, *, since_ms: int | None = None) -> list[VersionStats]:
        from slipstream.metadata.sql import deployments as sql

        check_deployment_name(name)
        _check_times(since_ms, None)
        with self._connect() as conn:
            sql.load(conn, name)
            return sql.version_stats(conn, name, since_ms)

    # -- helpers ------------------------------------------------------------------------------

    def _change(self, name: str, user_id: str, expected_revision: int | None,
                compute: Callable[[Connection, Deployment], Transition]) -> Deployment:
        from slipstream.metadata.sql import deployments as sql

        check_deployment_name(name)
        _check_text("user id", user_id, 256)
        if expected_revision is not None and (isinstance(expected_revision, bool) or not
                                              isinstance(expected_revision, int)):
            raise InvalidInputError(f"Invalid expected revision {expected_revision!r:.40}: an "
                                    "integer.")
        self._write(lambda c: sql.change(c, name, user_id, _now(), expected_revision, compute))
        return self.get_deployment(name)


def _all_of(items: Sequence[T], kind: type) -> list[T]:
    given = list(items)
    for item in given:
        if not isinstance(item, kind):
            raise InvalidInputError(f"Expected {kind.__name__} values, got {item!r:.100}.")
    return given


def _check_text(what: str, value: object, limit: int = 10_000) -> None:
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInputError(f"Invalid {what} {value!r:.60}: a string of at most {limit} "
                                "characters.")


def _check_times(since_ms: int | None, until_ms: int | None) -> None:
    for value in (since_ms, until_ms):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise InvalidInputError(f"Invalid time {value!r:.40}: epoch milliseconds (an "
                                    "integer).")


def _now() -> int:
    return int(time.time() * 1000)
