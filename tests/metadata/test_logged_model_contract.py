"""The logged-model part of the tracking store (MLflow 3) on every store: SQLite and PostgreSQL,
used directly and through a server's REST store (the `tracking_store` fixture)."""

from __future__ import annotations

import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities import Metric
from slipstream.entities.tracking import ModelOutput
from slipstream.metadata import TrackingStore
from slipstream.metadata.logged_models import LoggedModelStore


def _models(store: TrackingStore) -> LoggedModelStore:
    assert isinstance(store, LoggedModelStore)
    return store


def test_logged_model_lifecycle(tracking_store: TrackingStore) -> None:
    models = _models(tracking_store)
    run = tracking_store.create_run("0", "me", 1, "r").info.run_id
    model = models.create_logged_model("0", "clf", run, {"flavor": "sklearn"}, {"C": "1.0"},
                                       "classifier")
    assert model.model_id.startswith("m-") and len(model.model_id) == 34
    assert (model.name, model.status, model.source_run_id, model.model_type) == (
        "clf", "PENDING", run, "classifier")
    assert model.artifact_uri.endswith(f"/0/models/{model.model_id}/artifacts")
    assert model.tags == {"flavor": "sklearn"} and model.params == {"C": "1.0"}
    assert models.finalize_logged_model(model.model_id, "READY").status == "READY"
    models.set_logged_model_tags(model.model_id, {"flavor": "onnx", "stage": "dev"})
    models.delete_logged_model_tag(model.model_id, "stage")
    with pytest.raises(NotFoundError):
        models.delete_logged_model_tag(model.model_id, "stage")
    models.log_logged_model_params(model.model_id, {"C": "1.0", "penalty": "l2"})
    with pytest.raises(InvalidInputError):
        models.log_logged_model_params(model.model_id, {"C": "2.0"})
    tracking_store.log_batch(run, metrics=[Metric("acc", 0.9, 5, 1, model.model_id)])
    got = models.get_logged_model(model.model_id)
    assert got.tags == {"flavor": "onnx"} and got.params == {"C": "1.0", "penalty": "l2"}
    assert [(m.key, m.value, m.model_id) for m in got.metrics] == [
        ("acc", 0.9, model.model_id)]
    models.delete_logged_model(model.model_id)
    with pytest.raises(NotFoundError):
        models.get_logged_model(model.model_id)
    assert models.get_logged_model(model.model_id, allow_deleted=True).lifecycle_stage == \
        "deleted"
    with pytest.raises(NotFoundError):
        models.get_logged_model("m-" + "0" * 32)
    with pytest.raises(InvalidInputError):
        models.finalize_logged_model(got.model_id, "SHINY")


def test_runs_record_output_and_input_models(tracking_store: TrackingStore) -> None:
    models = _models(tracking_store)
    producer = tracking_store.create_run("0", "me", 1, "train").info.run_id
    consumer = tracking_store.create_run("0", "me", 2, "score").info.run_id
    model = models.create_logged_model("0", "m", producer)
    models.log_outputs(producer, [ModelOutput(model.model_id, 3)])
    models.log_model_inputs(consumer, [model.model_id])
    assert tracking_store.get_run(producer).outputs == (ModelOutput(model.model_id, 3),)
    assert tracking_store.get_run(consumer).model_inputs == (model.model_id,)


def test_search_logged_models(tracking_store: TrackingStore) -> None:
    models = _models(tracking_store)
    made = [models.create_logged_model("0", f"model-{i}", tags={"i": str(i)})
            for i in range(5)]
    models.finalize_logged_model(made[1].model_id, "READY")
    found, _ = models.search_logged_models(["0"], "status = 'READY'")
    assert [m.model_id for m in found] == [made[1].model_id]
    seen, token = [], None
    while True:
        page, token = models.search_logged_models(["0"], max_results=2,
                                                  order_by=[("name", True)], page_token=token)
        seen += [m.name for m in page]
        if token is None:
            break
    assert seen == [f"model-{i}" for i in range(5)]
    with pytest.raises(InvalidInputError):
        models.search_logged_models(["0"], "name >>> 'x'")
