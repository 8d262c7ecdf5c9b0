"""What the monitor tests set up through the real APIs: a model version trained on a parquet
file (its lineage names it), a deployment serving it, sampled requests logged for it, and a
launch plan the trigger launches."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from slipstream._core.settings import Settings
from slipstream.entities.deployments import PredictionRecord
from slipstream.metadata.deployments import initial_targets
from slipstream.registry.client import RegistryClient
from slipstream.tracking.client import TrackingClient


def frame(n: int, shift: float = 0.0, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x1": rng.normal(shift, 1.0, n), "x2": rng.normal(0.0, 1.0, n),
                         "segment": rng.choice(["a", "b", "c"], n)})


def settings_for(store_url: str, folder: Path) -> Settings:
    return Settings.load(store_url=store_url, artifact_uri=str(folder / "artifacts"))


def train_and_register(settings: Settings, folder: Path, model: str = "churn") -> pd.DataFrame:
    """Version 1 of `model`, trained (per its run's lineage) on folder/train.parquet."""
    train = frame(400, seed=1)
    path = folder / "train.parquet"
    train.to_parquet(path)
    tracking = TrackingClient.from_settings(settings)
    try:
        experiment = tracking.create_experiment(f"train-{uuid.uuid4().hex[:6]}")
        run = tracking.create_run(experiment)
        tracking.log_input(run.info.run_id, train, context="training", source=str(path))
        tracking.end_run(run.info.run_id)
    finally:
        tracking.close()
    with RegistryClient.from_settings(settings) as registry:
        version = registry.create_model_version(model, str(folder / "model"),
                                                run_id=run.info.run_id)
        assert version.datasets and version.version == 1
    return train


def deploy(settings: Settings, name: str = "churn-api", model_uri: str = "models:/churn/1") -> None:
    with RegistryClient.from_settings(settings) as registry:
        assert registry.deployments is not None
        registry.deployments.create_deployment(name, initial_targets(model_uri))


def log_requests(settings: Settings, rows: pd.DataFrame, name: str = "churn-api",
                 per_request: int = 25, at_ms: int | None = None) -> None:
    """`rows` as sampled requests of `per_request` rows ({column: values} inputs, as the
    serving app logs them), with a prediction per row."""
    stamp = at_ms if at_ms is not None else int(time.time() * 1000)
    records = []
    for start in range(0, len(rows), per_request):
        piece = rows.iloc[start:start + per_request]
        inputs: dict[str, Any] = {c: piece[c].tolist() for c in piece.columns}
        outputs = (piece["x1"] > 0).astype(int).tolist()
        records.append(PredictionRecord(name, "primary", "1", uuid.uuid4().hex, stamp, inputs,
                                        outputs, 1.5, 200))
    with RegistryClient.from_settings(settings) as registry:
        assert registry.deployments is not None
        registry.deployments.log_predictions(records)
