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
    deployments.py  /deployments         create, list, get, delete, canary, traffic, promote,
                                         rollback, history, per-version stats, predictions
    metric_series.py /runs/{id}/metric-series  a metric's history downsampled for charts
    monitors.py     /monitors            list, get (with its newest report), reports, firings;
                                         /drift-reports search, get (per-feature figures)
    schedules.py    /launch-plans        list, get (with its latest launches), launches, pause,
                                         resume, run-now (own process), delete
    execution_actions.py /executions/{id}/recover, /rerun  start a new execution (own process)
    values.py       /values/{digest}     a stored execution value: preview (value_previews), bytes

Errors are the app's (`server.errors`): `{"error_code", "message"}` with 400 or 404.

The app mounts these on first use (`server.deferred_routes`): importing the modules builds their
pydantic models and FastAPI's fields for each route, which a client of the MLflow API alone
never needs, so they are kept out of the server's start.
"""

from __future__ import annotations

from fastapi import APIRouter

PREFIX = "/api/v1"


def include_routes(router: APIRouter) -> None:
    """Include every native resource's routes in `router` (mounted at PREFIX)."""
    from slipstream.server.routes.native import (
        artifacts,
        deployments,
        execution_actions,
        executions,
        experiments,
        logged_models,
        metric_series,
        monitors,
        registry,
        runs,
        schedules,
        studies,
        values,
        workflows,
    )

    for module in (experiments, runs, artifacts, logged_models, registry, executions, workflows,
                   studies, deployments, metric_series, execution_actions, values, monitors,
                   schedules):
        router.include_router(module.router)
