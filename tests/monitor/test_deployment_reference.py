"""A deployment monitor's reference is cut to the served model's input signature: the training
set a run logged keeps its label beside the features, and sampled requests never carry it."""

from __future__ import annotations

from pathlib import Path

import pytest

from slipstream.monitor import Monitoring
from tests.monitor.helpers import deploy, frame, log_requests, settings_for

pytest.importorskip("sklearn")


def test_the_reference_is_the_models_input_columns(store_url: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.linear_model import LogisticRegression

    import slipstream as ss
    import slipstream.models

    settings = settings_for(store_url, tmp_path)
    monkeypatch.setenv("SLIPSTREAM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SLIPSTREAM_STORE_URL", settings.store_url)
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", settings.artifact_uri)
    train = frame(400, seed=1)[["x1", "x2"]]
    train["churned"] = (train["x1"] + train["x2"] > 0).astype(int)
    path = tmp_path / "train.parquet"
    train.to_parquet(path)
    features = train[["x1", "x2"]]
    model = LogisticRegression().fit(features, train["churned"])
    with ss.start_run():
        ss.log_input(train, context="training", source=str(path))
        info = slipstream.models.log_model(model, name="model", input_example=features.head(5))
    version = slipstream.models.register_model(info.model_uri, "churn")
    assert version.version == 1 and version.datasets
    deploy(settings)
    log_requests(settings, frame(200, seed=2)[["x1", "x2"]])

    with Monitoring.from_settings(settings) as monitoring:
        monitoring.create("churn", deployment="churn-api")
        report = monitoring.run("churn").report
    assert [f.feature for f in report.features] == ["x1", "x2"]
    assert "not ['churned']" in report.reference and report.reference_size == 400
    assert not report.drifted
