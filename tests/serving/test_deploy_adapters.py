"""The deployment store behind the server's seams, on SQLite and PostgreSQL: `DeploymentTargets`
(a TargetSource following traffic changes, promotes and rollbacks; the last targets kept when
the deployment cannot be read) and `StorePredictionSink` (a PredictionSink writing records and
statistics, numpy payloads made JSON)."""

from __future__ import annotations

import functools
import multiprocessing
import pickle
from collections.abc import Iterator

import numpy as np
import pytest

from slipstream._core.errors import NotFoundError
from slipstream.entities.deployments import DeploymentTarget
from slipstream.metadata.deployments import DeploymentStore
from slipstream.metadata.factory import open_deployment_store
from slipstream.serving.deployments import DeploymentTargets, open_deployment_targets
from slipstream.serving.sink import PredictionRecord, PredictionSink, VersionStats
from slipstream.serving.store_sink import StorePredictionSink, jsonable, open_store_sink
from slipstream.serving.targets import ServingTarget, TargetSource


@pytest.fixture
def url(store_urls: tuple[str, str]) -> str:
    return store_urls[0]


@pytest.fixture
def store(url: str) -> Iterator[DeploymentStore]:
    opened = open_deployment_store(url)
    opened.create_deployment("churn", [DeploymentTarget("primary", "models:/churn/1", 90),
                                       DeploymentTarget("canary", "models:/churn/2", 10)])
    yield opened
    opened.close()  # type: ignore[attr-defined]


def test_targets_follow_the_deployment(store: DeploymentStore) -> None:
    source = DeploymentTargets(store, "churn")
    assert isinstance(source, TargetSource)
    assert tuple(source.current()) == (ServingTarget("primary", "models:/churn/1", 90.0),
                                       ServingTarget("canary", "models:/churn/2", 10.0))
    first = source.current()
    assert source.current() is first  # unchanged revision: the same tuple
    store.set_traffic("churn", 50)
    assert [t.traffic_percent for t in source.current()] == [50.0, 50.0]
    store.promote("churn")
    assert tuple(source.current()) == (ServingTarget("primary", "models:/churn/2", 100.0),)
    assert source.revision == 3
    store.rollback("churn")
    assert tuple(source.current()) == (ServingTarget("primary", "models:/churn/1", 100.0),)


def test_targets_kept_when_the_deployment_cannot_be_read(store: DeploymentStore,
                                                         caplog: pytest.LogCaptureFixture,
                                                         ) -> None:
    with pytest.raises(NotFoundError, match="No deployment named 'nope'"):
        DeploymentTargets(store, "nope").current()  # the first read fails loudly
    source = DeploymentTargets(store, "churn")
    served = source.current()
    store.delete_deployment("churn")
    assert source.current() == served
    assert source.current() == served
    assert ["cannot read deployment 'churn' (still serving revision 1)" in r.getMessage()
            for r in caplog.records] == [True]  # warned once per outage


def test_factories_pickle_into_workers(url: str, store: DeploymentStore) -> None:
    source_factory = pickle.loads(pickle.dumps(functools.partial(open_deployment_targets, url,
                                                                 "churn")))
    sink_factory = pickle.loads(pickle.dumps(functools.partial(open_store_sink, url)))
    source = source_factory()
    assert [t.label for t in source.current()] == ["primary", "canary"]
    sink = sink_factory()
    assert isinstance(sink, PredictionSink)
    sink.write([], [VersionStats("churn", "primary", "churn/1", 1, 0, 1.0, 1.0, 0, 1)])
    assert store.get_version_stats("churn")[0].requests == 1


def _report(url: str, n: int) -> None:
    sink = open_store_sink(url)
    sink.write([PredictionRecord("churn", "canary", "churn/2", f"w{n}", 5, [n], [0], 1.0, 200)],
               [VersionStats("churn", "canary", "churn/2", 10, 1, 20.0, 3.0 + n, 0, 1000)])


def test_sink_writes_records_and_stats(store: DeploymentStore, url: str) -> None:
    sink = StorePredictionSink(store)
    sink.write([PredictionRecord("churn", "primary", "churn/1", "r1", 1_000,
                                 {"x": np.array([[1.5, 2.0]])}, np.array([1]), 2.5, 200),
                PredictionRecord("churn", "primary", "churn/1", "r2", 2_000,
                                 {"x": [np.float32(0.5), float("nan")]}, None, 9.0, 500)],
               [VersionStats("churn", "primary", "churn/1", 2, 1, 11.5, 9.0, 1_000, 2_000)])
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_report, args=(url, n)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    newest = store.search_predictions("churn", label="primary")
    assert [(r.request_id, r.inputs, r.outputs, r.status) for r in newest] == [
        ("r2", {"x": [0.5, None]}, None, 500), ("r1", {"x": [[1.5, 2.0]]}, [1], 200)]
    primary, canary = store.get_version_stats("churn")
    assert (primary.requests, primary.errors, primary.latency_ms_max) == (2, 1, 9.0)
    assert (canary.requests, canary.errors, canary.latency_ms_sum, canary.latency_ms_max) == (
        20, 2, 40.0, 4.0)  # two workers' reports added up


def test_jsonable_leaves_json_alone() -> None:
    value = {"a": [1, 2.5, "x", None, {"b": True}]}
    assert jsonable(value) is value
    assert jsonable({"t": (1, np.int64(2))}) == {"t": [1, 2]}
    assert jsonable(object).startswith("<class")
