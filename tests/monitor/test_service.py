"""Monitors end to end on each store: a deployment's sampled requests against the training data
its model version's lineage names, reports stored and charted in a tracking run, the trigger
launching a real launch plan once per cool-down; data-set monitors over files."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.monitor import Monitoring
from slipstream.monitor.service import EXPERIMENT
from slipstream.monitor.stats import compare
from slipstream.scheduling import create_launch_plan
from slipstream.tracking.client import TrackingClient
from tests.monitor import flows
from tests.monitor.helpers import deploy, frame, log_requests, settings_for, train_and_register


class Clock:
    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t


def test_drift_on_a_deployment_launches_the_plan_once_per_cool_down(store_url: str,
                                                                    tmp_path: Path) -> None:
    settings = settings_for(store_url, tmp_path)
    train_and_register(settings, tmp_path)
    deploy(settings)
    create_launch_plan("retrain-churn", flows.retrain, default_inputs={"c": 1.0},
                       settings=settings)
    clock = Clock()
    with Monitoring.from_settings(settings, clock=clock) as monitoring:
        monitoring.create("churn", deployment="churn-api", plan="retrain-churn",
                          plan_inputs={"c": 0.5}, cooldown_seconds=600)
        log_requests(settings, frame(200, seed=2), at_ms=int(clock.t * 1000) - 5000)
        calm = monitoring.run("churn")
        assert not calm.report.drifted and calm.firing is None
        assert calm.report.reference.endswith("training data of model churn version 1")
        assert calm.report.current == "deployment churn-api: 200 rows from 8 sampled requests"
        assert [f.feature for f in calm.report.features] == ["x1", "x2", "segment"]

        clock.t += 60
        log_requests(settings, frame(200, shift=1.0, seed=3), at_ms=int(clock.t * 1000) - 1000)
        drifted = monitoring.run("churn", since_ms=int(clock.t * 1000) - 2000)
        assert drifted.report.drifted and drifted.report.drifted_features == ("x1",)
        assert drifted.firing is not None and drifted.firing.execution_id
        clock.t += 60
        again = monitoring.run("churn", since_ms=int(clock.t * 1000) - 62_000)
        assert again.report.drifted and again.firing is None  # within the cool-down
        clock.t += 600
        later = monitoring.run("churn", since_ms=int(clock.t * 1000) - 662_000)
        assert later.firing is not None and later.firing.execution_id != \
            drifted.firing.execution_id

        store = monitoring.store
        assert [f.report_id for f in store.list_firings("churn")] == [
            later.report.report_id, drifted.report.report_id]
        assert store.get_report(drifted.report.report_id) == drifted.report
        assert len(store.list_reports("churn")) == 4

    from slipstream.execution.api import Client

    client = Client(settings)
    try:
        execution = client.store.get_execution(drifted.firing.execution_id)
        assert execution.status == "SUCCEEDED"
        assert dict(execution.inputs)["c"] == 0.5
    finally:
        client.close()

    tracking = TrackingClient.from_settings(settings)
    try:
        run = tracking.get_run(drifted.report.run_id)
        assert run.info.experiment_id == tracking.get_experiment_by_name(EXPERIMENT).experiment_id
        history = tracking.get_metric_history(run.info.run_id, "drift.ks.x1")
        assert [p.step for p in history] == [0, 1, 2, 3]
        assert history[1].value == pytest.approx(drifted.report.feature("x1").test("ks").statistic)
        assert {"drift.psi.x1", "drift.chi2.segment", "drift.p.x2", "drift.share",
                "drift.detected"} <= {m.key for m in run.data.metrics}
        folder = tracking.download_artifacts(run.info.run_id, "drift_reports")
        saved = json.loads((Path(folder) / f"{drifted.report.report_id}.json").read_text())
        assert saved["drifted"] and saved["features"][0]["feature"] == "x1"
    finally:
        tracking.close()


def test_a_data_set_monitor_reads_files_folders_and_globs(store_url: str, tmp_path: Path) -> None:
    settings = settings_for(store_url, tmp_path)
    train = train_and_register(settings, tmp_path)
    batches = tmp_path / "batches"
    batches.mkdir()
    frame(150, shift=1.0, seed=4).to_csv(batches / "day1.csv", index=False)
    frame(150, shift=1.0, seed=5).to_parquet(batches / "day2.parquet")
    with Monitoring.from_settings(settings) as monitoring:
        monitoring.create("batches", dataset=str(batches), reference="models:/churn/1")
        monitoring.create("glob", dataset=str(batches / "*.csv"),
                          reference=str(tmp_path / "train.parquet"), columns=["x2", "segment"])
        folder = monitoring.run("batches").report
        assert folder.drifted and folder.current_size == 300
        assert folder.reference_size == len(train)
        assert folder.current.endswith("(2 files)")
        globbed = monitoring.run("glob").report
        assert not globbed.drifted and globbed.current_size == 150
        given = monitoring.run("glob", current=frame(100, seed=6)).report
        assert given.current == "a DataFrame of 100 rows" and not given.drifted
        assert given.run_id == globbed.run_id  # one tracking run per monitor


def test_bad_monitors_and_sources(store_url: str, tmp_path: Path) -> None:
    settings = settings_for(store_url, tmp_path)
    with Monitoring.from_settings(settings) as monitoring:
        with pytest.raises(InvalidInputError, match="exactly one of deployment= or dataset="):
            monitoring.create("m", deployment="a", dataset="b")
        with pytest.raises(InvalidInputError, match=r"unknown monitor option\(s\) \['colums'\]"):
            monitoring.create("m", dataset="b", reference="c", colums=["x"])
        with pytest.raises(InvalidInputError, match="alpha must be"):
            monitoring.create("m", dataset="b", reference="c", thresholds={"alpha": 5})
        with pytest.raises(NotFoundError, match="nope"):
            monitoring.create("m", deployment="nope")
        monitoring.create("m", dataset=str(tmp_path / "missing.csv"),
                          reference=str(tmp_path / "also-missing.csv"))
        with pytest.raises(InvalidInputError, match=r"also-missing\.csv' does not exist"):
            monitoring.run("m")
        (tmp_path / "notes.txt").write_text("x")
        frame(20).to_csv(tmp_path / "ref.csv", index=False)
        monitoring.create("m2", dataset=str(tmp_path / "missing"),
                          reference=str(tmp_path / "ref.csv"))
        with pytest.raises(InvalidInputError, match=r"current data .*missing' does not exist"):
            monitoring.run("m2")
        with pytest.raises(InvalidInputError, match="not parquet, csv, json or jsonl"):
            monitoring.run("m2", current=str(tmp_path / "notes.txt"))
        with pytest.raises(InvalidInputError, match=r"\['x1'\] of the reference are missing"):
            monitoring.run("m2", current=frame(20).drop(columns="x1"))
        monitoring.create("lineage", dataset="x.csv", reference="models:/ghost/1")
        with pytest.raises(NotFoundError, match="ghost"):
            monitoring.run("lineage")
        with pytest.raises(NotFoundError, match="Did you mean 'm'"):
            monitoring.run("mm")


def test_a_model_trained_on_unlogged_data_names_the_fix(store_url: str, tmp_path: Path) -> None:
    settings = settings_for(store_url, tmp_path)
    tracking = TrackingClient.from_settings(settings)
    try:
        run = tracking.create_run(tracking.create_experiment("t"))
        tracking.log_input(run.info.run_id, frame(10), context="training")  # no source
    finally:
        tracking.close()
    from slipstream.registry.client import RegistryClient

    with RegistryClient.from_settings(settings) as registry:
        registry.create_model_version("m", str(tmp_path), run_id=run.info.run_id)
    with Monitoring.from_settings(settings) as monitoring:
        monitoring.create("m", dataset="x.csv", reference="models:/m/1")
        with pytest.raises(InvalidInputError, match=r"logged without a source URI .*source="):
            monitoring.run("m")


def test_the_scheduler_runs_a_monitor_through_a_launch_plan(store_url: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ) -> None:
    from slipstream.monitor.workflows import drift_check
    from slipstream.scheduling import launch

    settings = settings_for(store_url, tmp_path)
    monkeypatch.setenv("SLIPSTREAM_STORE_URL", settings.store_url)  # the task's process
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", settings.artifact_uri)
    train_and_register(settings, tmp_path)
    frame(200, shift=1.0, seed=9).to_csv(tmp_path / "today.csv", index=False)
    with Monitoring.from_settings(settings) as monitoring:
        monitoring.create("daily", dataset=str(tmp_path / "today.csv"),
                          reference="models:/churn/1")
    create_launch_plan("daily-check", drift_check, fixed_inputs={"name": "daily"},
                       settings=settings)
    execution_id = launch("daily-check", reason="test", settings=settings)

    from slipstream.execution.api import Client

    client = Client(settings)
    try:
        assert dict(client.store.get_execution(execution_id).outputs or {}) == {"o0": True}
    finally:
        client.close()
    with Monitoring.from_settings(settings) as monitoring:
        (report,) = monitoring.store.list_reports("daily")
        assert report.drifted_features == ("x1",)


def test_two_monitor_processes_racing_on_one_drift_event_launch_once(store_url: str,
                                                                     tmp_path: Path) -> None:
    """Two Monitoring services (each with its own stores, as two processes have) fire the
    same drift event at once, many times over: one launch of the real plan."""
    import threading

    settings = settings_for(store_url, tmp_path)
    train_and_register(settings, tmp_path)
    create_launch_plan("retrain", flows.retrain, settings=settings)
    services = [Monitoring.from_settings(settings) for _ in range(2)]
    try:
        services[0].create("m", dataset=str(tmp_path / "today.csv"),  # never read here
                           reference="models:/churn/1", plan="retrain", cooldown_seconds=3600)
        monitor = services[0].store.get_monitor("m")
        reference, _ = services[0].reference(monitor)
        report = services[0].store.add_report(
            compare(reference, frame(200, shift=1.0, seed=10), monitor="m"))
        start, fired = threading.Barrier(2), []

        def race(service: Monitoring) -> None:
            start.wait()
            for _ in range(10):
                firing = service.fire(monitor, report)
                if firing is not None:
                    fired.append(firing)

        threads = [threading.Thread(target=race, args=(s,)) for s in services]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(fired) == 1 and fired[0].execution_id
        assert len(services[1].store.list_firings("m")) == 1
    finally:
        for service in services:
            service.close()


def test_training_data_logged_as_a_run_artifact(store_url: str, tmp_path: Path) -> None:
    settings = settings_for(store_url, tmp_path)
    (tmp_path / "data").mkdir()
    frame(300, seed=11).to_parquet(tmp_path / "data" / "train.parquet")
    tracking = TrackingClient.from_settings(settings)
    try:
        run = tracking.create_run(tracking.create_experiment("t"))
        run_id = run.info.run_id
        tracking.log_artifact(run_id, tmp_path / "data" / "train.parquet", "data")
        tracking.log_input(run_id, frame(300, seed=11), context="training",
                           source=f"runs:/{run_id}/data/train.parquet")
        tracking.end_run(run_id)
    finally:
        tracking.close()
    from slipstream.registry.client import RegistryClient

    with RegistryClient.from_settings(settings) as registry:
        registry.create_model_version("art", str(tmp_path), run_id=run_id)
    with Monitoring.from_settings(settings) as monitoring:
        monitoring.create("art", dataset="unused.csv", reference="models:/art/1")
        report = monitoring.run("art", current=frame(200, shift=1.0, seed=12)).report
        assert report.reference_size == 300 and report.drifted_features == ("x1",)
        by_run = monitoring.create("by-run", dataset="unused.csv", reference=f"runs:/{run_id}")
        assert monitoring.run(by_run.name, current=frame(200, seed=13)).report.reference_size \
            == 300


def test_the_papers_trigger_an_accuracy_drop_of_the_model(store_url: str,
                                                          tmp_path: Path) -> None:
    """The reference workload: a logistic regression trained on `train_data` scores
    `drifted_data` whose class boundary moved; its accuracy drops past 0.05 while the features'
    distributions stay put, and the monitor says drift because of the quality decay."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from slipstream.models.folder import save_model

    rng = np.random.default_rng(21)

    def data(n: int, boundary: float) -> object:
        import pandas as pd

        x = rng.normal(size=(n, 2))
        return pd.DataFrame({"f0": x[:, 0], "f1": x[:, 1],
                             "y": (x[:, 0] + boundary * x[:, 1] > 0).astype(int)})

    train, drifted = data(600, 0.0), data(600, 1.5)
    model = LogisticRegression().fit(train[["f0", "f1"]], train["y"])
    settings = settings_for(store_url, tmp_path)
    folder = Path(settings.artifact_uri) / "models" / "paper"  # the monitor loads from the store
    save_model(model, folder, flavor="sklearn")
    train.to_parquet(tmp_path / "train.parquet")
    with Monitoring.from_settings(settings) as monitoring:
        monitoring.create("paper", dataset="unused.csv", reference=str(tmp_path / "train.parquet"),
                          label="y", model=str(folder))
        report = monitoring.run("paper", current=drifted).report
        same = monitoring.run("paper", current=data(600, 0.0)).report
    assert report.quality is not None and report.quality.metric == "accuracy"
    assert report.quality.drop > 0.05 and report.quality.decayed
    assert report.drifted and not report.data_drifted
    assert [f.feature for f in report.features] == ["f0", "f1"]
    assert same.quality is not None and not same.quality.decayed and not same.drifted
