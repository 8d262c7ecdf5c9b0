"""Logged-model and experiment searches in the SQL store, SQLite and PostgreSQL: filters on
attributes, tags, params and metrics (scoped to datasets), ordering by metrics, all through the
shared search AST; metric points linked to a model stay whole when the batch fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities import Metric, ViewType
from slipstream.metadata.logged_models import LoggedModelStore
from slipstream.metadata.tracking import TrackingStore


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[TrackingStore]:
    from slipstream.metadata import open_tracking_store

    opened = open_tracking_store(store_url, f"{tmp_path}/artifacts")
    assert isinstance(opened, LoggedModelStore)
    yield opened
    opened.close()


def _ids(found: tuple[list[Any], Any]) -> list[str]:
    return [m.name for m in found[0]]


def test_search_models_by_metrics_on_datasets(store: TrackingStore) -> None:
    assert isinstance(store, LoggedModelStore)
    run = store.create_run("0", "me", 1, "r").info.run_id
    made = {}
    for name, train, test in (("a", 0.9, 0.6), ("b", 0.7, 0.8), ("c", 0.5, None)):
        model = store.create_logged_model("0", name, run, params={"depth": name * 2},
                                          model_type="tree" if name != "c" else "linear")
        made[name] = model.model_id
        points = [Metric("acc", train, 1, 0, model.model_id, "train", "d1")]
        if test is not None:
            points.append(Metric("acc", test, 2, 0, model.model_id, "test", "d2"))
        store.log_batch(run, metrics=points)
    assert _ids(store.search_logged_models(["0"], "metrics.acc > 0.75")) == ["b", "a"]
    assert _ids(store.search_logged_models(["0"], "metrics.acc > 0.75",
                                           datasets=[("train", None)])) == ["a"]
    assert _ids(store.search_logged_models(["0"], "metrics.acc > 0.75",
                                           datasets=[("test", "d2")])) == ["b"]
    assert _ids(store.search_logged_models(["0"], "metrics.acc > 0.75",
                                           datasets=[("test", "other")])) == []
    assert _ids(store.search_logged_models(["0"], order_by=[("metrics.acc", False)])) == [
        "b", "a", "c"]
    assert _ids(store.search_logged_models(
        ["0"], "model_type = 'tree' AND params.depth LIKE 'a%'")) == ["a"]
    assert _ids(store.search_logged_models(["0"], f"model_id = '{made['c']}'")) == ["c"]
    assert _ids(store.search_logged_models(["0"], f"source_run_id = '{run}'",
                                           order_by=[("name", True)])) == ["a", "b", "c"]
    with pytest.raises(InvalidInputError, match="position"):
        store.search_logged_models(["0"], "metrics.acc > 'high'")
    with pytest.raises(InvalidInputError, match="max_results"):
        store.search_logged_models(["0"], max_results=0)
    with pytest.raises(InvalidInputError, match="experiment"):
        store.search_logged_models([])


def test_a_batch_linking_an_unknown_model_writes_nothing(store: TrackingStore) -> None:
    assert isinstance(store, LoggedModelStore)
    run = store.create_run("0", "me", 1, "r").info.run_id
    model = store.create_logged_model("0", "m", run)
    with pytest.raises(NotFoundError, match="m-0"):
        store.log_batch(run, metrics=[Metric("acc", 0.5, 1, 0, model.model_id),
                                      Metric("acc", 0.6, 2, 0, "m-" + "0" * 32)])
    assert store.get_run(run).data.metrics == ()
    assert store.get_logged_model(model.model_id).metrics == ()


def test_search_experiments_by_filter_and_order(store: TrackingStore) -> None:
    first = store.create_experiment("alpha-exp", tags={"team": "core"})
    second = store.create_experiment("beta-exp", tags={"team": "growth"})
    store.create_experiment("gamma-other")

    def names(filter_string: str = "", order_by: tuple[str, ...] = (),
              view: ViewType = ViewType.ACTIVE_ONLY) -> list[str]:
        found, _ = store.search_experiments(view, filter_string=filter_string,
                                            order_by=order_by)
        return [e.name for e in found]

    assert names("name LIKE '%-exp'", ("name ASC",)) == ["alpha-exp", "beta-exp"]
    assert names("tags.team = 'growth'") == ["beta-exp"]
    assert names("tags.team ILIKE 'CO%'") == ["alpha-exp"]
    created = store.get_experiment(first).creation_time
    assert "alpha-exp" in names(f"creation_time >= {created}")
    assert names("name != 'Default'", ("name DESC",)) == ["gamma-other", "beta-exp",
                                                          "alpha-exp"]
    assert names("tags.team = 'core'", ("tags.team",)) == ["alpha-exp"]
    store.rename_experiment(second, "beta-renamed")
    store.delete_experiment(first)
    assert names("name LIKE '%-exp'") == []
    assert names("name = 'alpha-exp'", view=ViewType.DELETED_ONLY) == ["alpha-exp"]
    assert names("name = 'beta-renamed'") == ["beta-renamed"]
    store.delete_experiment_tag(second, "team")
    with pytest.raises(NotFoundError):
        store.delete_experiment_tag(second, "team")
    assert names("tags.team = 'growth'") == []
    for bad in ("name = ", "run_name = 'x'", "metrics.acc > 1", "creation_time > 'soon'"):
        with pytest.raises(InvalidInputError):
            names(bad)
    with pytest.raises(InvalidInputError):
        names(order_by=("size DESC",))
