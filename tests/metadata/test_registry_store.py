"""The model registry in the SQL store, SQLite and PostgreSQL: auto-numbered versions (also from
two processes at once), aliases and their audit trail, search, cascading deletes, bad input
refused with nothing written, lineage (execution, node, workflow version, training datasets in
order) kept and cascaded, and stores at revisions 0003 and 0004 upgraded keeping their data."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities import Dataset
from slipstream.metadata.registry import ModelRegistryStore
from slipstream.metadata.tracking import AlreadyExistsError


def _open(url: str, root: str) -> ModelRegistryStore:
    from slipstream.metadata import open_tracking_store

    opened = open_tracking_store(url, root)
    assert isinstance(opened, ModelRegistryStore)
    return opened


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[ModelRegistryStore]:
    opened = _open(store_url, f"{tmp_path}/artifacts")
    yield opened
    opened.close()  # type: ignore[attr-defined]


def test_models_and_versions(store: ModelRegistryStore) -> None:
    made = store.create_registered_model("churn", {"team": "ml"}, "predicts churn")
    assert (made.name, made.description, dict(made.tags), made.latest_versions) == (
        "churn", "predicts churn", {"team": "ml"}, ())
    first = store.create_model_version("churn", "s3://b/1", run_id="r" * 32,
                                       model_id="m-" + "a" * 32, tags={"k": "v"},
                                       user_id="ann")
    second = store.create_model_version("churn", "s3://b/2")
    assert (first.version, second.version) == (1, 2)
    assert (first.status, first.run_id, first.user_id, dict(first.tags)) == (
        "READY", "r" * 32, "ann", {"k": "v"})
    assert store.get_registered_model("churn").latest_versions[0].version == 2
    store.delete_model_version("churn", 2)
    assert store.create_model_version("churn", "s3://b/3").version == 3  # never reused
    assert store.get_model_version("churn", "3").source == "s3://b/3"
    assert store.update_model_version("churn", 1, "best").description == "best"
    store.set_model_version_tag("churn", 1, "stage", "prod")
    store.delete_model_version_tag("churn", 1, "k")
    assert dict(store.get_model_version("churn", 1).tags) == {"stage": "prod"}
    store.set_registered_model_tag("churn", "owner", "bo")
    store.delete_registered_model_tag("churn", "team")
    assert dict(store.get_registered_model("churn").tags) == {"owner": "bo"}
    assert store.update_registered_model("churn", "new").description == "new"
    store.set_model_alias("churn", "champion", 1)
    renamed = store.rename_registered_model("churn", "attrition")
    assert renamed.aliases == {"champion": 1}
    assert [v.version for v in store.search_model_versions("name = 'attrition'")[0]] == [3, 1]
    assert store.get_alias_history("attrition")[0].to_version == 1
    with pytest.raises(NotFoundError):
        store.get_registered_model("churn")


def test_aliases_and_their_history(store: ModelRegistryStore) -> None:
    store.create_registered_model("m")
    for n in range(3):
        store.create_model_version("m", f"file:///m/{n}")
    store.set_model_alias("m", "champion", 1, user_id="ann")
    store.set_model_alias("m", "champion", "2", user_id="bob")
    store.set_model_alias("m", "champion", 2, user_id="bob")  # no move, no event
    store.set_model_alias("m", "challenger", 3, user_id="cy")
    assert store.get_model_version_by_alias("m", "champion").version == 2
    assert store.get_model_version("m", 2).aliases == ("champion",)
    assert store.get_registered_model("m").aliases == {"challenger": 3, "champion": 2}
    store.delete_model_alias("m", "challenger", user_id="dee")
    history = [(e.alias, e.from_version, e.to_version, e.user_id)
               for e in store.get_alias_history("m")]
    assert history == [("champion", None, 1, "ann"), ("champion", 1, 2, "bob"),
                       ("challenger", None, 3, "cy"), ("challenger", 3, None, "dee")]
    assert len(store.get_alias_history("m", "champion")) == 2
    assert all(e.timestamp > 0 for e in store.get_alias_history("m"))
    store.delete_model_version("m", 2)  # its aliases go with it
    with pytest.raises(NotFoundError, match="champion"):
        store.get_model_version_by_alias("m", "champion")


def test_search(store: ModelRegistryStore) -> None:
    for name, team in (("churn-a", "x"), ("churn-b", "y"), ("fraud", "x")):
        store.create_registered_model(name, {"team": team})
        store.create_model_version(name, f"file:///{name}", run_id="r1" if team == "x" else "r2",
                                   tags={"team": team})
    names = [m.name for m in store.search_registered_models("name LIKE 'churn%'")[0]]
    assert names == ["churn-a", "churn-b"]
    assert [m.name for m in store.search_registered_models("tags.team = 'x'")[0]] == [
        "churn-a", "fraud"]
    page, token = store.search_registered_models(max_results=2, order_by=["name DESC"])
    assert [m.name for m in page] == ["fraud", "churn-b"] and token
    assert [m.name for m in store.search_registered_models(
        max_results=2, order_by=["name DESC"], page_token=token)[0]] == ["churn-a"]
    assert {v.name for v in store.search_model_versions("run_id = 'r1'")[0]} == {
        "churn-a", "fraud"}
    assert [v.name for v in store.search_model_versions("tags.team = 'y'")[0]] == ["churn-b"]
    with pytest.raises(InvalidInputError):
        store.search_registered_models("metrics.x > 1")
    with pytest.raises(InvalidInputError):
        store.search_model_versions(max_results=0)


def test_delete_model_cascades(store: ModelRegistryStore, store_url: str) -> None:
    import sqlalchemy as sa

    from slipstream.metadata.sql.engine import create_store_engine

    store.create_registered_model("gone", {"a": "b"})
    store.create_model_version("gone", "file:///g", tags={"c": "d"})
    store.set_model_alias("gone", "live", 1)
    store.delete_registered_model("gone")
    with pytest.raises(NotFoundError):
        store.get_model_version("gone", 1)
    engine = create_store_engine(store_url)
    try:
        with engine.connect() as conn:
            for table in ("registered_model_tags", "model_versions", "model_version_tags",
                          "registered_model_aliases", "model_alias_events"):
                assert conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar() == 0
    finally:
        engine.dispose()
    assert store.create_registered_model("gone").aliases == {}
    assert store.create_model_version("gone", "file:///g").version == 1


@pytest.mark.parametrize("call", [
    lambda s: s.create_registered_model(""),
    lambda s: s.create_registered_model("a/b"),
    lambda s: s.create_registered_model("a\\b"),
    lambda s: s.create_registered_model("x" * 257),
    lambda s: s.create_registered_model("new", {"": "v"}),
    lambda s: s.rename_registered_model("m", "a/b"),
    lambda s: s.create_model_version("m", ""),
    lambda s: s.create_model_version("m", "file:///x", tags={"": "v"}),
    lambda s: s.set_model_alias("m", "v1", 1),
    lambda s: s.set_model_alias("m", "V2", 1),
    lambda s: s.set_model_alias("m", "12", 1),
    lambda s: s.set_model_alias("m", "latest", 1),
    lambda s: s.set_model_alias("m", "", 1),
    lambda s: s.set_model_alias("m", "a b", 1),
    lambda s: s.get_model_version("m", 0),
    lambda s: s.get_model_version("m", "one"),
    lambda s: s.create_model_version("m", "file:///x", execution_id=7),
    lambda s: s.create_model_version("m", "file:///x", datasets="train"),
    lambda s: s.create_model_version("m", "file:///x", datasets=[("a", "b")]),
    lambda s: s.create_model_version("m", "file:///x", datasets=[
        _dataset("ok"), Dataset("", "d", "local", "{}")]),
])
def test_bad_input_writes_nothing(store: ModelRegistryStore, call: object) -> None:
    store.create_registered_model("m")
    store.create_model_version("m", "file:///m")
    before = (store.search_registered_models()[0], store.search_model_versions()[0],
              store.get_alias_history("m"))
    with pytest.raises(InvalidInputError) as raised:
        call(store)  # type: ignore[operator]
    assert not isinstance(raised.value, AlreadyExistsError)
    assert (store.search_registered_models()[0], store.search_model_versions()[0],
            store.get_alias_history("m")) == before


def test_unknown_and_taken_names(store: ModelRegistryStore) -> None:
    store.create_registered_model("m")
    store.create_registered_model("n")
    store.create_model_version("m", "file:///m")
    with pytest.raises(AlreadyExistsError, match="m"):
        store.create_registered_model("m")
    with pytest.raises(AlreadyExistsError):
        store.rename_registered_model("m", "n")
    for call in (lambda: store.get_registered_model("x"),
                 lambda: store.create_model_version("x", "file:///x"),
                 lambda: store.get_model_version("m", 9),
                 lambda: store.set_model_alias("m", "champion", 9),
                 lambda: store.delete_model_alias("m", "champion"),
                 lambda: store.get_model_version_by_alias("m", "champion"),
                 lambda: store.delete_registered_model_tag("m", "nope"),
                 lambda: store.delete_model_version_tag("m", 1, "nope"),
                 lambda: store.delete_registered_model("x")):
        with pytest.raises(NotFoundError):
            call()
    assert store.get_registered_model("m").latest_versions[0].version == 1
    assert store.get_alias_history("m") == []


def _create_versions(url: str, root: str, count: int) -> None:
    opened = _open(url, root)
    try:
        for n in range(count):
            opened.create_model_version("race", f"file:///race/{n}")
    finally:
        opened.close()  # type: ignore[attr-defined]


def test_two_processes_number_versions_without_duplicates(store: ModelRegistryStore,
                                                          store_url: str,
                                                          tmp_path: Path) -> None:
    store.create_registered_model("race")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_create_versions,
                               args=(store_url, f"{tmp_path}/artifacts", 10))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    found = store.search_model_versions("name = 'race'", max_results=100)[0]
    assert sorted(v.version for v in found) == list(range(1, 21))


def test_store_at_0003_upgrades_keeping_data(store_url: str, tmp_path: Path) -> None:
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
            command.upgrade(config, "0003")
        assert migrate.current_revision(engine) == "0003"
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO experiments (experiment_id, name, artifact_location, "
                "lifecycle_stage, creation_time, last_update_time) "
                "VALUES (7, 'kept', 'file:///a', 'active', 1, 1)")
    finally:
        engine.dispose()
    opened = _open(store_url, f"{tmp_path}/artifacts")
    try:
        assert opened.get_experiment("7").name == "kept"  # type: ignore[attr-defined]
        opened.create_registered_model("after")
        assert opened.create_model_version("after", "file:///a").version == 1
    finally:
        opened.close()  # type: ignore[attr-defined]
    engine = create_store_engine(store_url)
    try:
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION
    finally:
        engine.dispose()


def _dataset(name: str) -> Dataset:
    return Dataset(name, f"d-{name}", "local", f'{{"uri": "file:///data/{name}"}}',
                   '{"mlflow_colspec": []}', None)


def test_lineage_is_kept_in_order(store: ModelRegistryStore) -> None:
    store.create_registered_model("churn")
    datasets = (_dataset("train"), _dataset("eval"), _dataset("all"))
    made = store.create_model_version("churn", "file:///m/1", run_id="r" * 32,
                                      execution_id="ex-1", node_id="n0-train",
                                      workflow_version="wf-abc", datasets=datasets)
    plain = store.create_model_version("churn", "file:///m/2")
    assert (made.execution_id, made.node_id, made.workflow_version, made.datasets) == (
        "ex-1", "n0-train", "wf-abc", datasets)
    assert store.get_model_version("churn", 1) == made
    assert (plain.execution_id, plain.node_id, plain.workflow_version, plain.datasets) == (
        None, None, None, ())
    store.set_model_alias("churn", "champion", 1)
    assert store.get_model_version_by_alias("churn", "champion").datasets == datasets
    assert store.search_model_versions("name = 'churn'")[0][1].datasets == datasets
    assert [v.version for v in store.search_model_versions("execution_id = 'ex-1'")[0]] == [1]
    assert [v.version for v in store.search_model_versions(
        "execution_id = 'ex-1' AND node_id = 'n0-train' AND workflow_version LIKE 'wf-%'")[0]
            ] == [1]
    assert store.search_model_versions("execution_id = 'other'")[0] == []
    assert [v.version for v in store.search_model_versions("datasets.name = 'eval'")[0]] == [1]
    assert [v.version for v in store.search_model_versions(
        "name = 'churn' AND datasets.digest IN ('d-all', 'd-x') AND tags.k IS NULL")[0]] == [1]
    assert store.search_model_versions("datasets.name LIKE 'z%'")[0] == []
    with pytest.raises(InvalidInputError, match=r"datasets\.context"):
        store.search_model_versions("datasets.context = 'training'")
    assert store.rename_registered_model("churn", "attrition").latest_versions[0].datasets == ()
    assert store.get_model_version("attrition", 1).datasets == datasets


def test_lineage_goes_with_its_version(store: ModelRegistryStore, store_url: str) -> None:
    import sqlalchemy as sa

    from slipstream.metadata.sql.engine import create_store_engine

    store.create_registered_model("m")
    store.create_model_version("m", "file:///1", datasets=[_dataset("a")])
    store.create_model_version("m", "file:///2", datasets=[_dataset("b"), _dataset("c")])
    store.delete_model_version("m", 1)
    engine = create_store_engine(store_url)
    try:
        with engine.connect() as conn:
            count = sa.text("SELECT COUNT(*) FROM model_version_datasets")
            assert conn.execute(count).scalar() == 2
            store.delete_registered_model("m")
            assert conn.execute(count).scalar() == 0
    finally:
        engine.dispose()


def test_store_at_0004_upgrades_keeping_data(store_url: str, tmp_path: Path) -> None:
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
            command.upgrade(config, "0004")
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO registered_models (name, description, creation_timestamp, "
                "last_updated_timestamp, last_version) VALUES ('kept', 'old', 1, 1, 1)")
            conn.exec_driver_sql(
                "INSERT INTO model_versions (name, version, source, run_id, model_id, status, "
                "description, user_id, creation_timestamp, last_updated_timestamp) VALUES "
                "('kept', 1, 'file:///old', NULL, NULL, 'READY', '', 'ann', 1, 1)")
            conn.exec_driver_sql(
                "INSERT INTO registered_model_aliases (name, alias, version) "
                "VALUES ('kept', 'champion', 1)")
    finally:
        engine.dispose()
    opened = _open(store_url, f"{tmp_path}/artifacts")
    try:
        old = opened.get_model_version_by_alias("kept", "champion")
        assert (old.source, old.user_id, old.execution_id, old.datasets) == (
            "file:///old", "ann", None, ())
        new = opened.create_model_version("kept", "file:///new", execution_id="ex",
                                          datasets=[_dataset("d")])
        assert (new.version, new.execution_id, new.datasets) == (2, "ex", (_dataset("d"),))
    finally:
        opened.close()  # type: ignore[attr-defined]
    engine = create_store_engine(store_url)
    try:
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION
    finally:
        engine.dispose()


def test_downgrade_to_0004_keeps_versions_and_their_tags(store_url: str) -> None:
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
                "last_updated_timestamp, last_version) VALUES ('m', '', 1, 1, 1)")
            conn.exec_driver_sql(
                "INSERT INTO model_versions (name, version, source, status, description, "
                "user_id, creation_timestamp, last_updated_timestamp, execution_id) VALUES "
                "('m', 1, 'file:///m', 'READY', '', '', 1, 1, 'ex')")
            conn.exec_driver_sql("INSERT INTO model_version_tags (name, version, key, value) "
                                 "VALUES ('m', 1, 'k', 'v')")
            command.downgrade(config, "0004")
            assert conn.exec_driver_sql("SELECT source FROM model_versions").all() == [
                ("file:///m",)]
            assert conn.exec_driver_sql("SELECT key FROM model_version_tags").all() == [("k",)]
    finally:
        engine.dispose()
