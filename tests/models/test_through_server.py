"""ss.models with SLIPSTREAM_TRACKING_URI naming a Slipstream server: files go through the
server's artifact proxy (mlflow-artifacts:), registry calls through its REST routes, and the
real mlflow client loads what we logged and registered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import slipstream as ss

pytest.importorskip("fastapi")


@pytest.fixture
def server_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from tests.server.conftest import serve

    with serve(f"sqlite:///{tmp_path / 'server.db'}", str(tmp_path / "server-artifacts"),
               tmp_path) as served:
        monkeypatch.setenv("SLIPSTREAM_TRACKING_URI", served.url)
        yield served.url
        from tests.models.conftest import close_default_clients

        close_default_clients()


def test_log_register_alias_and_load_through_a_server(server_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.normal(size=(60, 2)), columns=["a", "b"])
    labels = (frame["a"] > 0).astype(int)
    estimator = LogisticRegression().fit(frame, labels)
    with ss.start_run() as run:
        info = ss.models.log_model(estimator, input_example=frame.head(2),
                                   registered_model_name="served")
    assert info.artifact_uri.startswith("mlflow-artifacts:")
    ss.models.set_alias("served", "champion", info.registered_model_version or 0)
    expected = estimator.predict(frame)
    for uri in ("models:/served@champion", f"runs:/{run.run_id}/model", info.model_uri):
        assert np.array_equal(ss.models.load_pyfunc(uri).predict(frame), expected), uri
    resolved = ss.models.resolve("models:/served@champion")
    assert (resolved.version, resolved.model_id) == (1, info.model_id)
    # what serving does: resolve, then load the folder the version names
    assert resolved.artifact_uri.startswith("mlflow-artifacts:")
    assert np.array_equal(ss.models.load_pyfunc(resolved.artifact_uri).predict(frame), expected)

    mlflow: Any = pytest.importorskip("mlflow")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    mlflow.set_tracking_uri(server_url)
    try:
        loaded = mlflow.sklearn.load_model("models:/served@champion")
        assert np.array_equal(loaded.predict(frame), expected)
    finally:
        mlflow.set_tracking_uri(None)
