"""The real `mlflow` client against a Slipstream server: what it logs, Slipstream reads back as
the same records, and the other way round."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _error_code(exc: BaseException) -> str:
    return str(getattr(exc, "error_code", ""))


def test_set_experiment_creates_it_once_then_finds_it(mlflow_client_env: Any,
                                                      tracking: Any) -> None:
    mlflow = mlflow_client_env
    name = _name("churn")
    created = mlflow.set_experiment(name)
    again = mlflow.set_experiment(name)
    assert again.experiment_id == created.experiment_id
    assert created.name == name and created.lifecycle_stage == "active"
    assert tracking.get_experiment_by_name(name).experiment_id == created.experiment_id


def test_a_run_logged_by_mlflow_reads_back_through_both_clients(mlflow_client_env: Any,
                                                                  tracking: Any) -> None:
    mlflow = mlflow_client_env
    experiment = mlflow.set_experiment(_name("runs"))
    with mlflow.start_run(run_name="lr-baseline") as run:
        mlflow.log_param("C", 1.0)
        mlflow.log_params({"penalty": "l2", "max_iter": 100})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metric("nan_metric", float("nan"))
        mlflow.log_metrics({"acc": 0.93, "big": float("inf"), "small": float("-inf")})
        mlflow.set_tag("team", "growth")
        mlflow.set_tags({"stage": "dev"})
    run_id = run.info.run_id

    got = mlflow.MlflowClient().get_run(run_id)
    assert got.info.run_id == run_id and got.info.experiment_id == experiment.experiment_id
    assert got.info.run_name == "lr-baseline"
    assert got.info.status == "FINISHED" and got.info.end_time >= got.info.start_time
    assert got.data.params == {"C": "1.0", "penalty": "l2", "max_iter": "100"}
    assert got.data.metrics["loss"] == pytest.approx(0.2)
    assert got.data.metrics["acc"] == pytest.approx(0.93)
    assert math.isnan(got.data.metrics["nan_metric"])
    assert got.data.metrics["big"] == math.inf and got.data.metrics["small"] == -math.inf
    assert got.data.tags["team"] == "growth" and got.data.tags["stage"] == "dev"
    assert got.data.tags["mlflow.runName"] == "lr-baseline"

    history = mlflow.MlflowClient().get_metric_history(run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(s, pytest.approx(1.0 / (s + 1)))
                                                    for s in range(5)]

    same = tracking.get_run(run_id)
    assert same.info.status == "FINISHED" and same.info.run_name == "lr-baseline"
    assert dict(same.data.params) == got.data.params
    assert same.data.tags["team"] == "growth"
    assert same.data.metric_values["acc"] == pytest.approx(0.93)
    assert math.isnan(same.data.metric_values["nan_metric"])
    assert [m.value for m in tracking.get_metric_history(run_id, "loss")] == [
        m.value for m in history]


def test_a_run_logged_by_slipstream_reads_back_through_mlflow(mlflow_client_env: Any,
                                                                tracking: Any) -> None:
    mlflow = mlflow_client_env
    experiment_id = tracking.create_experiment(_name("native"))
    run = tracking.create_run(experiment_id, run_name="native-run")
    tracking.log_param(run.info.run_id, "alpha", 0.5)
    tracking.log_metric(run.info.run_id, "rmse", 0.25, step=3)
    tracking.end_run(run.info.run_id)

    got = mlflow.MlflowClient().get_run(run.info.run_id)
    assert got.info.run_name == "native-run" and got.info.status == "FINISHED"
    assert got.data.params == {"alpha": "0.5"}
    assert got.data.metrics == {"rmse": 0.25}
    assert [m.step for m in mlflow.MlflowClient().get_metric_history(run.info.run_id, "rmse")] \
        == [3]


def _logged_runs(mlflow: Any, experiment_id: str) -> dict[str, str]:
    """Five runs with `acc` and `penalty`; returns run name -> run id."""
    client = mlflow.MlflowClient()
    ids = {}
    for name, acc, penalty in [("a", 0.70, "l2"), ("b", 0.95, "l2"), ("c", 0.91, "l1"),
                               ("d", 0.99, "l2"), ("e", 0.40, "l2")]:
        run = client.create_run(experiment_id, run_name=name)
        client.log_param(run.info.run_id, "penalty", penalty)
        client.log_metric(run.info.run_id, "acc", acc)
        client.set_terminated(run.info.run_id)
        ids[name] = run.info.run_id
    return ids


def test_search_runs_filters_and_orders(mlflow_client_env: Any, tracking: Any) -> None:
    mlflow = mlflow_client_env
    experiment_id = mlflow.create_experiment(_name("search"))
    ids = _logged_runs(mlflow, experiment_id)
    client = mlflow.MlflowClient()

    found = client.search_runs([experiment_id], "metrics.acc > 0.5 and params.penalty = 'l2'",
                               order_by=["metrics.acc DESC"])
    assert [r.info.run_id for r in found] == [ids["d"], ids["b"], ids["a"]]

    frame = mlflow.search_runs(experiment_ids=[experiment_id], filter_string="metrics.acc < 0.8",
                               order_by=["metrics.acc ASC"])
    assert list(frame["run_id"]) == [ids["e"], ids["a"]]
    assert list(frame["params.penalty"]) == ["l2", "l2"]

    first = client.search_runs([experiment_id], order_by=["metrics.acc ASC"], max_results=2)
    assert [r.info.run_id for r in first] == [ids["e"], ids["a"]] and first.token
    second = client.search_runs([experiment_id], order_by=["metrics.acc ASC"], max_results=2,
                                page_token=first.token)
    assert [r.info.run_id for r in second] == [ids["c"], ids["b"]]

    native = tracking.search_run_records([experiment_id], "params.penalty = 'l2'",
                                         order_by=["metrics.acc DESC"])
    assert [r.info.run_id for r in native] == [ids["d"], ids["b"], ids["a"], ids["e"]]


def test_delete_and_restore_run(mlflow_client_env: Any, tracking: Any) -> None:
    mlflow = mlflow_client_env
    from mlflow.entities import ViewType

    experiment_id = mlflow.create_experiment(_name("lifecycle"))
    client = mlflow.MlflowClient()
    run_id = client.create_run(experiment_id).info.run_id

    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    assert tracking.get_run(run_id).info.lifecycle_stage == "deleted"
    assert client.search_runs([experiment_id]) == []
    deleted = client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)
    assert [r.info.run_id for r in deleted] == [run_id]

    client.restore_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "active"
    assert [r.info.run_id for r in client.search_runs([experiment_id])] == [run_id]


def test_search_experiments_lists_created_ones(mlflow_client_env: Any) -> None:
    mlflow = mlflow_client_env
    names = [_name("listed"), _name("listed")]
    ids = [mlflow.create_experiment(n, tags={"owner": "me"}) for n in names]
    found = {e.name: e for e in mlflow.search_experiments()}
    assert {found[n].experiment_id for n in names} == set(ids)
    assert found[names[0]].tags == {"owner": "me"}
    assert "Default" in found


# -- errors, as the mlflow client sees them ------------------------------------------------


def test_unknown_run_is_resource_does_not_exist(mlflow_client_env: Any) -> None:
    from mlflow.exceptions import MlflowException

    with pytest.raises(MlflowException) as caught:
        mlflow_client_env.MlflowClient().get_run("0" * 32)
    assert _error_code(caught.value) == "RESOURCE_DOES_NOT_EXIST"


def test_relogged_param_with_another_value_is_invalid_parameter_value(
        mlflow_client_env: Any, tracking: Any) -> None:
    from mlflow.exceptions import MlflowException

    mlflow = mlflow_client_env
    client = mlflow.MlflowClient()
    run_id = client.create_run(mlflow.create_experiment(_name("params"))).info.run_id
    client.log_param(run_id, "C", "1.0")
    client.log_param(run_id, "C", "1.0")  # the same value again is fine
    with pytest.raises(MlflowException) as caught:
        client.log_param(run_id, "C", "2.0")
    assert _error_code(caught.value) == "INVALID_PARAMETER_VALUE"
    assert "C" in str(caught.value)
    assert dict(tracking.get_run(run_id).data.params) == {"C": "1.0"}


def test_duplicate_experiment_is_resource_already_exists(mlflow_client_env: Any) -> None:
    from mlflow.exceptions import MlflowException

    name = _name("twice")
    mlflow_client_env.create_experiment(name)
    with pytest.raises(MlflowException) as caught:
        mlflow_client_env.create_experiment(name)
    assert _error_code(caught.value) == "RESOURCE_ALREADY_EXISTS"


def test_malformed_filter_is_invalid_parameter_value(mlflow_client_env: Any) -> None:
    from mlflow.exceptions import MlflowException

    experiment_id = mlflow_client_env.create_experiment(_name("badfilter"))
    with pytest.raises(MlflowException) as caught:
        mlflow_client_env.MlflowClient().search_runs([experiment_id], "metrics.acc >")
    assert _error_code(caught.value) == "INVALID_PARAMETER_VALUE"
