"""Slipstream's native REST API under /api/v1: everything the Python tracking API does, and
read access to workflow executions. Documented at /docs and /openapi.json.

    schemas.py      request and response models (shapes built by `metadata.rest.codec`)
    deps.py         the stores, from `app.state`; the execution store opened at first use
    experiments.py  /experiments         create, get, by-name, search, update, delete, restore, tags
    runs.py         /runs                create, get, update, delete, restore, log-batch, inputs,
                                         tags, metric-history, search, by-execution
    artifacts.py    /runs/{id}/artifacts list, download, upload (through the artifact proxy's code)
    logged_models.py /logged-models      create, get, finalize, delete, tags, params, search;
                                         /runs/{id}/outputs and /runs/{id}/model-inputs
    registry.py     /registered-models   create, get, search, rename, describe, delete, tags,
                                         versions (lineage), aliases, alias history;
                                         /model-versions search (registry_schemas.py: models)
    executions.py   /executions          list, get (nodes, attempts, run ids), runs
    workflows.py    /workflows           registered versions, one with its compiled graph
    studies.py      /studies             list, get (trial counts, best trial), trials,
                                         parameter importance (Optuna), delete

Errors are the app's (`server.errors`): `{"error_code", "message"}` with 400 or 404.
"""

from __future__ import annotations

from fastapi import APIRouter

from slipstream.server.routes.native import (
    artifacts,
    executions,
    experiments,
    logged_models,
    registry,
    runs,
    studies,
    workflows,
)

router = APIRouter(prefix="/api/v1")
router.include_router(experiments.router)
router.include_router(runs.router)
router.include_router(artifacts.router)
router.include_router(logged_models.router)
router.include_router(registry.router)
router.include_router(executions.router)
router.include_router(workflows.router)
router.include_router(studies.router)
