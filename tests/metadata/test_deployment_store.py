"""The deployment store on SQLite and PostgreSQL: create, traffic, promote, rollback (also of a
promote, from the history), delete; the audit trail; bad input refused with nothing written;
concurrent changes from two processes each bumping the revision once; prediction logs and
per-version statistics; a store at revision 0005 upgraded keeping its data, and downgraded
back."""

from __future__ import annotations

import itertools
import math
import multiprocessing
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities.deployments import (
    Deployment,
    DeploymentTarget,
    PredictionRecord,
    VersionStats,
)
from slipstream.metadata.deployments import (
    AlreadyDeployedError,
    DeploymentStore,
    RevisionConflictError,
)
from slipstream.metadata.factory import open_deployment_store

V1, V2, V3 = "models:/churn/1", "models:/churn/2", "models:/churn/3"


@pytest.fixture
def store(store_url: str) -> Iterator[DeploymentStore]:
    opened = open_deployment_store(store_url)
    yield opened
    opened.close()  # type: ignore[attr-defined]


def _targets(primary: str, canary: str | None = None,
             percent: float = 0.0) -> list[DeploymentTarget]:
    made = [DeploymentTarget("primary", primary, 100.0 - percent)]
    if canary is not None:
        made.append(DeploymentTarget("canary", canary, percent))
    return made


def _shares(deployment: Deployment) -> list[tuple[str, str, float]]:
    return [(t.label, t.model_uri, t.traffic_percent) for t in deployment.targets]


def test_create_get_list(store: DeploymentStore) -> None:
    made = store.create_deployment("churn", _targets(V1, V2, 10), description="churn model",
                                   user_id="ann")
    assert _shares(made) == [("primary", V1, 90.0), ("canary", V2, 10.0)]
    assert (made.revision, made.status, made.description, made.created_by) == (
        1, "CANARY", "churn model", "ann")
    assert made.primary.model_uri == V1 and made.canary is not None
    assert made.creation_timestamp == made.last_updated_timestamp > 0
    store.create_deployment("alpha", _targets("models:/fraud@champion"))
    assert [d.name for d in store.list_deployments()] == ["alpha", "churn"]
    alpha = store.get_deployment("alpha")
    assert (alpha.status, alpha.canary, _shares(alpha)) == (
        "STABLE", None, [("primary", "models:/fraud@champion", 100.0)])
    [created] = store.get_deployment_history("churn")
    assert (created.kind, created.revision, created.user_id, created.before, created.after) == (
        "CREATED", 1, "ann", (), made.targets)
    with pytest.raises(AlreadyDeployedError, match="'churn' already exists"):
        store.create_deployment("churn", _targets(V3))


@pytest.mark.parametrize("uri", [
    "models:/churn/3", "models:/churn@champion", "models:/m-0123456789abcdef",
    "runs:/0123456789abcdef0123456789abcdef/model", "models:/my.model-x_1/12",
])
def test_model_uri_forms_accepted(store: DeploymentStore, uri: str) -> None:
    assert store.create_deployment("d", _targets(uri)).primary.model_uri == uri


def test_a_canary_rollout_and_its_history(store: DeploymentStore) -> None:
    store.create_deployment("churn", _targets(V1, V2, 10), user_id="ann")
    assert _shares(store.set_traffic("churn", 50, user_id="bob")) == [
        ("primary", V1, 50.0), ("canary", V2, 50.0)]
    unchanged = store.set_traffic("churn", 50.0, user_id="bob")  # not a change
    assert unchanged.revision == 2
    promoted = store.promote("churn", user_id="cy")
    assert (_shares(promoted), promoted.status, promoted.revision) == (
        [("primary", V2, 100.0)], "STABLE", 3)
    store.start_canary("churn", V3, 5, user_id="dee")
    rolled = store.rollback("churn", user_id="eve")  # the canary goes
    assert (_shares(rolled), rolled.revision) == ([("primary", V2, 100.0)], 5)
    history = store.get_deployment_history("churn")
    assert [(e.revision, e.kind, e.user_id) for e in history] == [
        (1, "CREATED", "ann"), (2, "TRAFFIC_CHANGED", "bob"), (3, "PROMOTED", "cy"),
        (4, "CANARY_STARTED", "dee"), (5, "ROLLED_BACK", "eve")]
    assert [[(t.model_uri, t.traffic_percent) for t in e.before] for e in history[2:]] == [
        [(V1, 50.0), (V2, 50.0)], [(V2, 100.0)], [(V2, 95.0), (V3, 5.0)]]
    assert all(a.timestamp <= b.timestamp for a, b in itertools.pairwise(history))


def test_rollback_undoes_promotes_like_a_stack(store: DeploymentStore) -> None:
    store.create_deployment("churn", _targets(V1, V2, 10))
    store.promote("churn")
    store.start_canary("churn", V3, 20)
    store.promote("churn")
    assert store.get_deployment("churn").primary.model_uri == V3
    assert _shares(store.rollback("churn")) == [("primary", V2, 100.0)]
    assert _shares(store.rollback("churn")) == [("primary", V1, 100.0)]
    with pytest.raises(InvalidInputError, match="no canary and no promote left to undo"):
        store.rollback("churn")
    kinds = [e.kind for e in store.get_deployment_history("churn")]
    assert kinds[-2:] == ["PROMOTION_ROLLED_BACK", "PROMOTION_ROLLED_BACK"]
    assert store.get_deployment("churn").revision == 6


_BAD_CREATES: list[tuple[str, Any, str]] = [
    ("churn", [*_targets(V1, V2, 10)[:1], DeploymentTarget("canary", V2, 20)],
     "add to 110, not 100"),
    ("churn", [DeploymentTarget("primary", V1, 90)], "add to 90, not 100"),
    ("churn", [], "labelled \\[\\]"),
    ("churn", [DeploymentTarget("canary", V1, 100)], "labelled \\['canary'\\]"),
    ("churn", _targets(V1) + _targets(V2), "labelled \\['primary', 'primary'\\]"),
    ("churn", _targets(V1, V1, 10), "another version"),
    ("churn", [("primary", V1, 100)], "expected a DeploymentTarget"),
    ("churn", _targets("model:/churn/1"), "neither a models:/ nor a runs:/"),
    ("churn", _targets("models:/churn"), "names a version"),
    ("churn", _targets("models:/churn/0"), "positive integer"),
    ("churn", _targets("models:/churn@v2"), "cannot look like a version"),
    ("churn", _targets("models:/churn@"), "Invalid alias"),
    ("churn", _targets("runs:/abc"), "run id and a path"),
    ("churn", _targets("/tmp/model"), "Invalid model URI"),
    ("churn", [DeploymentTarget("primary", V1, math.nan)], "number from 0 to 100"),
    ("churn", _targets(V1, V2, 101), "number from 0 to 100"),
    ("churn", [DeploymentTarget("primary", V1, True)], "number from 0 to 100"),  # type: ignore[arg-type]
    ("bad name", _targets(V1), "Invalid deployment name"),
    ("", _targets(V1), "Invalid deployment name"),
    ("x" * 129, _targets(V1), "limit is 128"),
]


@pytest.mark.parametrize(("name", "targets", "message"), _BAD_CREATES)
def test_bad_creates_are_refused_writing_nothing(store: DeploymentStore, name: str,
                                                 targets: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        store.create_deployment(name, targets)
    assert store.list_deployments() == []


_BAD_CHANGES: list[tuple[Callable[[DeploymentStore], Any], str]] = [
    (lambda s: s.set_traffic("stable", 10), "has no canary to set its traffic"),
    (lambda s: s.promote("stable"), "has no canary to promote"),
    (lambda s: s.rollback("stable"), "Nothing to roll back"),
    (lambda s: s.set_traffic("rollout", 101), "number from 0 to 100"),
    (lambda s: s.set_traffic("rollout", -1), "number from 0 to 100"),
    (lambda s: s.start_canary("rollout", V3, 10), "already has a canary"),
    (lambda s: s.start_canary("stable", V1, 10), "another version"),
    (lambda s: s.start_canary("stable", "models:/x/y", 10), "positive integer"),
    (lambda s: s.start_canary("stable", V2, 200), "number from 0 to 100"),
    (lambda s: s.set_traffic("rollout", 20, expected_revision=7), "at revision 1, not 7"),
    (lambda s: s.set_traffic("rollout", 20, user_id="u" * 300), "Invalid user id"),
]


@pytest.mark.parametrize(("call", "message"), _BAD_CHANGES)
def test_bad_changes_are_refused_writing_nothing(store: DeploymentStore,
                                                 call: Callable[[DeploymentStore], Any],
                                                 message: str) -> None:
    store.create_deployment("stable", _targets(V1))
    store.create_deployment("rollout", _targets(V1, V2, 10))
    before = store.list_deployments()
    with pytest.raises(InvalidInputError, match=message):
        call(store)
    assert store.list_deployments() == before
    assert [len(store.get_deployment_history(n)) for n in ("stable", "rollout")] == [1, 1]


def test_conditional_changes(store: DeploymentStore) -> None:
    made = store.create_deployment("churn", _targets(V1, V2, 10))
    changed = store.set_traffic("churn", 30, expected_revision=made.revision)
    assert changed.revision == 2
    with pytest.raises(RevisionConflictError, match="another change came first"):
        store.promote("churn", expected_revision=made.revision)
    assert store.promote("churn", expected_revision=2).revision == 3


def test_unknown_names(store: DeploymentStore) -> None:
    store.create_deployment("churn", _targets(V1))
    calls: list[Callable[[], Any]] = [
        lambda: store.get_deployment("chrun"), lambda: store.set_traffic("chrun", 1),
        lambda: store.promote("chrun"), lambda: store.rollback("chrun"),
        lambda: store.delete_deployment("chrun"), lambda: store.get_deployment_history("chrun"),
        lambda: store.search_predictions("chrun"), lambda: store.get_version_stats("chrun")]
    for call in calls:
        with pytest.raises(NotFoundError, match=r"No deployment named 'chrun'\. Did you mean "
                                                r"'churn'"):
            call()


def _record(n: int, label: str = "primary", version: str = "churn/1", **fields: Any,
            ) -> PredictionRecord:
    values: dict[str, Any] = {
        "deployment": "churn", "label": label, "model_version": version,
        "request_id": f"req-{n}", "timestamp_ms": 1_000_000 + n * 1000,
        "inputs": {"inputs": [{"name": "x", "data": [n, 0.5]}]}, "outputs": [n % 2],
        "latency_ms": 1.0 + n, "status": 200, **fields}
    return PredictionRecord(**values)


def _stats(label: str, version: str, requests: int, errors: int, total: float, peak: float,
           since: int, until: int) -> VersionStats:
    return VersionStats("churn", label, version, requests, errors, total, peak, since, until)


def test_prediction_logs(store: DeploymentStore) -> None:
    store.create_deployment("churn", _targets(V1, V2, 10))
    store.log_predictions([_record(n) for n in range(5)] + [_record(5, "canary", "churn/2")])
    newest = store.search_predictions("churn")
    assert [r.request_id for r in newest] == [f"req-{n}" for n in range(5, -1, -1)]
    assert newest[-1] == _record(0)  # payloads come back as they went in
    in_range = store.search_predictions("churn", since_ms=1_001_000, until_ms=1_003_000)
    assert [r.request_id for r in in_range] == ["req-2", "req-1"]
    assert [r.request_id for r in store.search_predictions("churn", label="canary")] == [
        "req-5"]
    assert len(store.search_predictions("churn", limit=2)) == 2
    with pytest.raises(InvalidInputError, match="from 1 to 10000"):
        store.search_predictions("churn", limit=0)


def test_version_stats_accumulate(store: DeploymentStore) -> None:
    store.create_deployment("churn", _targets(V1, V2, 10))
    minute = 60_000 * 1000
    store.log_predictions([], [_stats("primary", "churn/1", 90, 1, 180.0, 5.0, minute,
                                      minute + 900),
                               _stats("canary", "churn/2", 10, 2, 40.0, 9.0, minute,
                                      minute + 900)])
    store.log_predictions([], [_stats("primary", "churn/1", 10, 0, 20.0, 7.0, minute + 1000,
                                      minute + 1900)])
    store.log_predictions([_record(0)], [_stats("primary", "churn/1", 100, 3, 100.0, 2.0,
                                                minute + 60_000, minute + 60_900)])
    primary, canary = store.get_version_stats("churn")
    assert (primary.label, primary.model_version, primary.requests, primary.errors,
            primary.latency_ms_sum, primary.latency_ms_max, primary.since_ms,
            primary.until_ms) == ("primary", "churn/1", 200, 4, 300.0, 7.0, minute,
                                  minute + 60_900)
    assert (primary.error_rate, primary.latency_ms_mean) == (0.02, 1.5)
    assert (canary.label, canary.requests, canary.errors, canary.latency_ms_max) == (
        "canary", 10, 2, 9.0)
    [recent] = store.get_version_stats("churn", since_ms=minute + 60_500)
    assert (recent.requests, recent.errors) == (100, 3)


@pytest.mark.parametrize(("records", "stats", "message"), [
    ([_record(1, inputs={1, 2})], [], "are not JSON"),
    ([_record(1, latency_ms=-1.0)], [], "Invalid latency"),
    ([_record(1, status="200")], [], "must be integers"),
    ([_record(1, label="")], [], "non-empty string"),
    ([_record(1, deployment="no such/name")], [], "Invalid deployment name"),
    ([], [_stats("primary", "churn/1", 1, 2, 1.0, 1.0, 0, 1)], "errors <= requests"),
    ([], [_stats("primary", "churn/1", 1, 0, math.inf, 1.0, 0, 1)], "Invalid latency"),
    ([], [_stats("primary", "churn/1", 1, 0, 1.0, 1.0, 5, 1)], "since_ms <= until_ms"),
    (["not a record"], [], "Expected PredictionRecord"),
])
def test_bad_reports_are_refused_writing_nothing(store: DeploymentStore, records: Any,
                                                 stats: Any, message: str) -> None:
    store.create_deployment("churn", _targets(V1))
    good_stats = [_stats("primary", "churn/1", 1, 0, 1.0, 1.0, 0, 1)]
    with pytest.raises(InvalidInputError, match=message):
        store.log_predictions([_record(0), *records], [*good_stats, *stats])
    assert store.search_predictions("churn") == []
    assert store.get_version_stats("churn") == []


def test_delete_removes_everything(store: DeploymentStore) -> None:
    store.create_deployment("churn", _targets(V1, V2, 10))
    store.promote("churn")
    store.log_predictions([_record(0)], [_stats("primary", "churn/1", 1, 0, 1.0, 1.0, 0, 1)])
    store.delete_deployment("churn")
    assert store.list_deployments() == []
    again = store.create_deployment("churn", _targets(V3))
    assert again.revision == 1
    assert [e.kind for e in store.get_deployment_history("churn")] == ["CREATED"]
    assert store.search_predictions("churn") == []
    assert store.get_version_stats("churn") == []


def _shift_traffic(url: str, start: int) -> None:
    opened = open_deployment_store(url)
    try:
        for n in range(start, start + 10):
            opened.set_traffic("race", n, user_id=f"worker-{start}")
    finally:
        opened.close()  # type: ignore[attr-defined]


def test_two_processes_changing_one_deployment(store: DeploymentStore, store_url: str) -> None:
    store.create_deployment("race", _targets(V1, V2, 50))
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_shift_traffic, args=(store_url, start))
               for start in (1, 11)]  # percents 1-10 and 11-20: every call is a change
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    assert store.get_deployment("race").revision == 21
    history = store.get_deployment_history("race")
    assert [e.revision for e in history] == list(range(1, 22))
    for earlier, later in itertools.pairwise(history):
        assert later.before == earlier.after  # no change was lost or applied twice
    by_worker = [[e.after[1].traffic_percent for e in history if e.user_id == f"worker-{s}"]
                 for s in (1, 11)]
    assert by_worker == [[float(n) for n in range(1, 11)], [float(n) for n in range(11, 21)]]


def test_store_at_0005_upgrades_keeping_data(store_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from slipstream.metadata.sql import migrate
    from slipstream.metadata.sql.engine import create_store_engine

    engine = create_store_engine(store_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0005")
            conn.exec_driver_sql(
                "INSERT INTO registered_models (name, description, creation_timestamp, "
                "last_updated_timestamp, last_version) VALUES ('kept', '', 1, 1, 0)")
    finally:
        engine.dispose()
    opened = open_deployment_store(store_url)
    try:
        assert opened.list_deployments() == []
        assert opened.create_deployment("after", _targets("models:/kept/1")).revision == 1
    finally:
        opened.close()  # type: ignore[attr-defined]
    engine = create_store_engine(store_url)
    try:
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT name FROM registered_models").scalar() == "kept"
    finally:
        engine.dispose()


def test_downgrade_to_0005_drops_only_the_deployment_tables(store_url: str) -> None:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from slipstream.metadata.sql import migrate
    from slipstream.metadata.sql.engine import create_store_engine

    opened = open_deployment_store(store_url)
    opened.create_deployment("churn", _targets(V1))
    opened.close()  # type: ignore[attr-defined]
    engine = create_store_engine(store_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0005")
        assert migrate.current_revision(engine) == "0005"
        names = set(sa.inspect(engine).get_table_names())
        assert not {n for n in names if n.startswith("deployment")}
        assert {"registered_models", "model_versions", "runs"} <= names
    finally:
        engine.dispose()
