"""The rest of MLflow's experiment and run routes through the real `mlflow` client: rename,
delete, restore, experiment tags, searching experiments by filter and order, run tag deletion,
dataset inputs with their context (searchable as datasets.context); Slipstream reads the same."""

from __future__ import annotations

import uuid
from typing import Any


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_experiment_lifecycle_and_tags(mlflow_client_env: Any, tracking: Any) -> None:
    mlflow = mlflow_client_env
    client = mlflow.MlflowClient()
    name = _name("exp")
    experiment_id = client.create_experiment(name)
    client.set_experiment_tag(experiment_id, "team", "core")
    client.rename_experiment(experiment_id, f"{name}-renamed")
    got = client.get_experiment(experiment_id)
    assert got.name == f"{name}-renamed" and got.tags["team"] == "core"
    client.delete_experiment_tag(experiment_id, "team")
    assert "team" not in client.get_experiment(experiment_id).tags
    client.delete_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"
    assert tracking.get_experiment(experiment_id).lifecycle_stage == "deleted"
    client.restore_experiment(experiment_id)
    assert tracking.get_experiment(experiment_id).name == f"{name}-renamed"
    assert tracking.get_experiment(experiment_id).lifecycle_stage == "active"


def test_search_experiments_by_filter_and_order(mlflow_client_env: Any) -> None:
    mlflow = mlflow_client_env
    client = mlflow.MlflowClient()
    prefix = _name("search")
    for suffix, team in (("b", "x"), ("a", "y"), ("c", "x")):
        client.create_experiment(f"{prefix}-{suffix}", tags={"team": team})
    found = mlflow.search_experiments(filter_string=f"name LIKE '{prefix}-%'",
                                      order_by=["name ASC"])
    assert [e.name for e in found] == [f"{prefix}-{s}" for s in "abc"]
    tagged = mlflow.search_experiments(
        filter_string=f"name LIKE '{prefix}-%' AND tags.team = 'x'", order_by=["name DESC"])
    assert [e.name for e in tagged] == [f"{prefix}-c", f"{prefix}-b"]
    newest = mlflow.search_experiments(filter_string=f"name LIKE '{prefix}-%'",
                                       order_by=["creation_time DESC"], max_results=1)
    assert [e.name for e in newest] == [f"{prefix}-c"]


def test_delete_tag_and_dataset_inputs(mlflow_client_env: Any, tracking: Any) -> None:
    mlflow = mlflow_client_env
    import numpy as np

    experiment = mlflow.set_experiment(_name("inputs"))
    dataset = mlflow.data.from_numpy(np.arange(6.0).reshape(3, 2), name="grid")
    with mlflow.start_run() as run:
        mlflow.set_tag("temp", "1")
        mlflow.log_input(dataset, context="training")
    with mlflow.start_run():
        pass
    client = mlflow.MlflowClient()
    client.delete_tag(run.info.run_id, "temp")
    got = client.get_run(run.info.run_id)
    assert "temp" not in got.data.tags
    [used] = got.inputs.dataset_inputs
    assert used.dataset.name == "grid" and used.dataset.digest == dataset.digest
    assert {t.key: t.value for t in used.tags}["mlflow.data.context"] == "training"
    ours = tracking.get_run(run.info.run_id)
    assert ours.inputs[0].dataset.digest == dataset.digest
    assert ours.inputs[0].tags["mlflow.data.context"] == "training"
    for clause in ("datasets.context = 'training'", "datasets.name = 'grid'",
                   f"datasets.digest = '{dataset.digest}'"):
        found = mlflow.search_runs([experiment.experiment_id], filter_string=clause,
                                   output_format="list")
        assert [r.info.run_id for r in found] == [run.info.run_id], clause
