"""/api/v1/studies over raw HTTP, on SQLite and PostgreSQL, with the studies written through
SqlStudyStore on the server's own store: list, get (by id or name, with trial counts and the
best trial), trials (state filter), parameter importance as Optuna computes it, delete; clear
400 / 404 answers; the routes documented in /openapi.json."""

from __future__ import annotations

import json
import math
import random
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from slipstream.entities.studies import Study, StudyStatus
from slipstream.metadata.factory import open_study_store
from slipstream.metadata.studies import StudyStore
from tests.server.conftest import Served, call_json

SPACE = {
    "x": {"name": "FloatDistribution",
          "attributes": {"low": -5.0, "high": 5.0, "log": False, "step": None}},
    "y": {"name": "FloatDistribution",
          "attributes": {"low": -5.0, "high": 5.0, "log": False, "step": None}},
    "opt": {"name": "CategoricalDistribution", "attributes": {"choices": ["adam", "sgd"]}},
}


def _call(served: Served, method: str, path: str) -> tuple[int, Any]:
    return call_json(f"{served.url}{path}", method)


@pytest.fixture
def store(served: Served) -> Iterator[StudyStore]:
    opened = open_study_store(served.store_url)
    yield opened
    opened.close()  # type: ignore[attr-defined]


def _new_study(store: StudyStore, direction: str = "minimize", created_at: float = 1000.0,
               name: str | None = None) -> Study:
    study_id = uuid.uuid4().hex
    return store.create_study(Study(study_id, name or f"study {study_id[:8]}", "loss",
                                    direction, SPACE, "tpe", "median", 50, 1, 5,
                                    StudyStatus.RUNNING, created_at, task_name="train",
                                    seed=3, settings={"executor": "inline"}))


def _run_trials(store: StudyStore, study: Study, count: int, seed: int = 0) -> None:
    """`count` COMPLETE trials whose loss is x squared (y and opt do not matter)."""
    rng = random.Random(seed)
    for _ in range(count):
        params = {"x": rng.uniform(-5, 5), "y": rng.uniform(-5, 5),
                  "opt": rng.choice(["adam", "sgd"])}
        trial = store.start_trial(study.study_id, params, started_at=1.0)
        store.finish_trial(study.study_id, trial.number, "COMPLETE", ended_at=2.0,
                           value=params["x"] ** 2, metrics={"loss": params["x"] ** 2})


def test_list_and_get(served: Served, store: StudyStore) -> None:
    older = _new_study(store, created_at=10.0)
    newer = _new_study(store, "maximize", created_at=20.0)
    status, body = _call(served, "GET", "/api/v1/studies")
    assert status == 200
    ids = [s["study_id"] for s in body["studies"]]
    assert ids.index(newer.study_id) < ids.index(older.study_id)
    (shown,) = [s for s in body["studies"] if s["study_id"] == older.study_id]
    assert shown == {"study_id": older.study_id, "name": older.name, "objective": "loss",
                     "direction": "minimize", "space": SPACE, "algorithm": "tpe",
                     "early_stopping": "median", "max_trials": 50, "parallel_trials": 1,
                     "max_failed_trials": 5, "status": "RUNNING", "created_at": 10.0,
                     "ended_at": None, "task_name": "train", "task_ref": "", "seed": 3,
                     "execution_id": "", "parent_run_id": "", "experiment_id": "",
                     "settings": {"executor": "inline"}}
    for study, best_value in ((older, 1.0), (newer, 9.0)):
        for n, x in enumerate((3.0, 1.0, -2.0)):
            store.start_trial(study.study_id, {"x": x, "y": 0.0, "opt": "sgd"}, started_at=n)
            store.finish_trial(study.study_id, n, "COMPLETE", ended_at=n + 1.0, value=x * x)
        store.start_trial(study.study_id, {"x": 0.0}, started_at=9.0)
        store.finish_trial(study.study_id, 3, "FAIL", ended_at=9.5, error="boom")
        store.start_trial(study.study_id, {"x": 0.5}, started_at=10.0)
        for key in (study.study_id, study.name):
            status, detail = _call(served, "GET", f"/api/v1/studies/{urllib.request.quote(key)}")
            assert status == 200, detail
            assert detail["study"]["study_id"] == study.study_id
            assert detail["trial_counts"] == {"RUNNING": 1, "COMPLETE": 3, "PRUNED": 0,
                                              "FAIL": 1}
            assert detail["best_trial"]["value"] == best_value
    assert detail["best_trial"]["number"] == 0 and detail["best_trial"]["params"]["x"] == 3.0


def test_trials_with_a_state_filter(served: Served, store: StudyStore) -> None:
    study = _new_study(store)
    sid = study.study_id
    for n in range(3):
        store.start_trial(sid, {"x": float(n)}, started_at=float(n), node_id=f"n{n}")
    store.report_intermediate(sid, 0, 0, 0.5)
    store.report_intermediate(sid, 0, 1, 0.25)
    store.finish_trial(sid, 0, "COMPLETE", ended_at=5.0, value=0.25, metrics={"loss": 0.25})
    store.finish_trial(sid, 1, "PRUNED", ended_at=6.0)
    status, body = _call(served, "GET", f"/api/v1/studies/{sid}/trials")
    assert status == 200
    assert [(t["number"], t["state"]) for t in body["trials"]] == [
        (0, "COMPLETE"), (1, "PRUNED"), (2, "RUNNING")]
    assert body["trials"][0] == {
        "study_id": sid, "number": 0, "state": "COMPLETE", "params": {"x": 0.0},
        "value": 0.25, "metrics": {"loss": 0.25},
        "intermediate": [{"step": 0, "value": 0.5}, {"step": 1, "value": 0.25}],
        "started_at": 0.0, "ended_at": 5.0, "node_id": "n0", "run_id": "", "error": ""}
    status, body = _call(served, "GET",
                         f"/api/v1/studies/{sid}/trials?state=RUNNING&state=PRUNED")
    assert [t["number"] for t in body["trials"]] == [1, 2]
    status, body = _call(served, "GET", f"/api/v1/studies/{sid}/trials?intermediate=false")
    assert body["trials"][0]["intermediate"] == []
    status, body = _call(served, "GET", f"/api/v1/studies/{sid}/trials?state=DONE")
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "state" in body["message"]


def test_importance_is_optunas(served: Served, store: StudyStore) -> None:
    import optuna

    study = _new_study(store)
    _run_trials(store, study, 40)
    status, body = _call(served, "GET", f"/api/v1/studies/{study.study_id}/importance")
    assert status == 200, body
    assert body["trials"] == 40 and body["study_id"] == study.study_id
    importances = body["importances"]
    assert set(importances) == {"x", "y", "opt"}
    assert math.isclose(sum(importances.values()), 1.0, rel_tol=1e-6)
    assert next(iter(importances)) == "x" and importances["x"] > 0.5  # loss is x squared
    assert list(importances.values()) == sorted(importances.values(), reverse=True)
    # the same numbers Optuna gives for the same trials
    direct = optuna.create_study(direction="minimize")
    distributions = {k: optuna.distributions.json_to_distribution(json.dumps(v))
                     for k, v in SPACE.items()}
    for trial in store.list_trials(study.study_id):
        direct.add_trial(optuna.trial.create_trial(params=trial.params,
                                                   distributions=distributions,
                                                   value=trial.value))
    expected = optuna.importance.get_param_importances(direct)
    assert importances == pytest.approx(dict(expected))


def test_importance_needs_two_complete_trials(served: Served, store: StudyStore) -> None:
    study = _new_study(store)
    path = f"/api/v1/studies/{study.study_id}/importance"
    status, body = _call(served, "GET", path)
    assert status == 400 and "0 complete trials" in body["message"], body
    _run_trials(store, study, 1)
    store.start_trial(study.study_id, {"x": 1.0}, started_at=1.0)
    store.finish_trial(study.study_id, 1, "FAIL", ended_at=2.0)
    status, body = _call(served, "GET", path)
    assert status == 400 and "1 complete trial:" in body["message"], body
    assert "at least 2" in body["message"]


def test_unknown_studies_are_404(served: Served) -> None:
    for method, path in (("GET", "/api/v1/studies/nope"),
                         ("GET", "/api/v1/studies/nope/trials"),
                         ("GET", "/api/v1/studies/nope/importance"),
                         ("DELETE", "/api/v1/studies/nope")):
        status, body = _call(served, method, path)
        assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST", path
        assert "nope" in body["message"]


def test_delete(served: Served, store: StudyStore) -> None:
    study = _new_study(store)
    _run_trials(store, study, 3)
    status, body = _call(served, "DELETE", f"/api/v1/studies/{urllib.request.quote(study.name)}")
    assert (status, body) == (204, None)
    assert _call(served, "GET", f"/api/v1/studies/{study.study_id}")[0] == 404
    status, body = _call(served, "GET", "/api/v1/studies")
    assert study.study_id not in [s["study_id"] for s in body["studies"]]
    store.create_study(study)  # the id and name are free again, with no trials left
    assert store.list_trials(study.study_id) == []


def test_openapi_documents_the_routes(served: Served) -> None:
    from fastapi.routing import APIRoute

    from slipstream.server.routes.native import studies

    status, spec = _call(served, "GET", "/openapi.json")
    assert status == 200
    routes = [r for r in studies.router.routes if isinstance(r, APIRoute)]
    assert len(routes) == 5
    for route in routes:
        path = f"/api/v1{route.path_format}"
        for method in route.methods:
            operation = spec["paths"][path][method.lower()]
            assert operation["summary"] and operation["description"], path
            assert operation["tags"] == ["studies"], path
            assert "422" not in operation["responses"], path
            assert operation["responses"]["404"]["content"]["application/json"]["schema"][
                "$ref"].endswith("/ErrorBody")
    assert {"StudyOut", "TrialOut", "StudyList", "StudyDetail", "TrialList",
            "ParamImportance"} <= set(spec["components"]["schemas"])
