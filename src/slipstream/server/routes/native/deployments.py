"""/api/v1/deployments: model deployments and their canary rollouts, as the `slipstream deploy`
commands manage them: create, list, get, delete; start a canary, set its traffic, promote,
roll back (each change optionally conditional on `expected_revision`); the audit history; the
per-version request figures the servers report; the sampled prediction log.

The deployment store is the server's store (`settings.store_url`), opened on the first request
that needs it (`deps.StoreSlot`). `user_id` in a change's body is kept in the history (the
server has no users of its own yet).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from slipstream.entities.deployments import Deployment, DeploymentEvent, VersionStats
from slipstream.metadata.deployments import MAX_PREDICTIONS_PAGE, DeploymentStore, initial_targets
from slipstream.server.routes.native.deps import slot_store
from slipstream.server.routes.native.schemas import ERRORS, INT64_MAX, Millis

router = APIRouter(prefix="/deployments", tags=["deployments"], responses=ERRORS)
_NO_CONTENT: dict[str, Any] = {"status_code": 204, "response_class": Response}


def deployment_store(request: Request) -> DeploymentStore:
    """The app's deployment store (opened on the first request that needs it)."""
    store: DeploymentStore = slot_store(request, "deployment_store", "open_deployment_store")
    return store


Deployments = Annotated[DeploymentStore, Depends(deployment_store)]


# -- shapes -----------------------------------------------------------------------------------

class TargetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    label: str = Field(description="primary | canary")
    model_uri: str
    traffic_percent: float


class DeploymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    targets: list[TargetOut] = Field(description="The primary first; percentages add to 100.")
    revision: int = Field(description="Bumped by exactly one on every change.")
    status: str
    creation_timestamp: int = Field(description="Epoch milliseconds.")
    last_updated_timestamp: int
    description: str = ""
    created_by: str = ""


class DeploymentList(BaseModel):
    deployments: list[DeploymentOut]


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    revision: int
    kind: str
    user_id: str
    timestamp: int
    before: list[TargetOut]
    after: list[TargetOut]


class History(BaseModel):
    events: list[EventOut] = Field(description="Oldest first.")


class VersionFigures(BaseModel):
    label: str
    model_version: str
    requests: int
    errors: int
    error_rate: float = Field(description="errors / requests (0 without requests).")
    latency_ms_mean: float
    latency_ms_max: float
    since_ms: int
    until_ms: int


class StatsOut(BaseModel):
    versions: list[VersionFigures] = Field(description="Per (route label, model version), "
                                                       "primary first.")


class PredictionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    label: str
    model_version: str
    request_id: str
    timestamp_ms: int
    inputs: Any
    outputs: Any
    latency_ms: float
    status: int


class Predictions(BaseModel):
    predictions: list[PredictionOut] = Field(description="Newest first.")


class CreateBody(BaseModel):
    name: str
    model_uri: str = Field(description="The primary: models:/NAME/N, models:/NAME@ALIAS, "
                                       "models:/m-ID or runs:/RUN_ID/PATH.")
    canary_uri: str | None = None
    canary_percent: float | None = Field(None, description="The canary's share, with "
                                                           "canary_uri.")
    description: str = ""
    user_id: str = ""


class Change(BaseModel):
    user_id: str = ""
    expected_revision: int | None = Field(None, ge=0, le=INT64_MAX,
                                          description="Refuse (400) if another change "
                                                            "came first.")


class CanaryBody(Change):
    model_uri: str
    traffic_percent: float


class TrafficBody(Change):
    canary_percent: float


def _out(deployment: Deployment) -> DeploymentOut:
    return DeploymentOut.model_validate(deployment)


def _figures(stats: VersionStats) -> VersionFigures:
    return VersionFigures(label=stats.label, model_version=stats.model_version,
                          requests=stats.requests, errors=stats.errors,
                          error_rate=stats.error_rate, latency_ms_mean=stats.latency_ms_mean,
                          latency_ms_max=stats.latency_ms_max, since_ms=stats.since_ms,
                          until_ms=stats.until_ms)


def _event(event: DeploymentEvent) -> EventOut:
    return EventOut.model_validate(event)


# -- routes -----------------------------------------------------------------------------------

@router.get("", response_model=DeploymentList, summary="List deployments")
def list_deployments(store: Deployments) -> DeploymentList:
    """Every deployment, by name."""
    return DeploymentList(deployments=[_out(d) for d in store.list_deployments()])


@router.post("", response_model=DeploymentOut, status_code=201, summary="Create a deployment")
def create_deployment(store: Deployments, body: CreateBody) -> DeploymentOut:
    """A new deployment serving `model_uri`, optionally with a canary taking
    `canary_percent` of the requests; 400 if the name is taken or an argument is bad."""
    targets = initial_targets(body.model_uri, body.canary_uri, body.canary_percent)
    return _out(store.create_deployment(body.name, targets, description=body.description,
                                        user_id=body.user_id))


@router.get("/{name}", response_model=DeploymentOut, summary="Get a deployment")
def get_deployment(store: Deployments, name: str) -> DeploymentOut:
    """One deployment: its targets and traffic shares, revision and status."""
    return _out(store.get_deployment(name))


@router.delete("/{name}", **_NO_CONTENT, summary="Delete a deployment")
def delete_deployment(store: Deployments, name: str) -> None:
    """Delete the deployment with its history, prediction log and figures."""
    store.delete_deployment(name)


@router.post("/{name}/canary", response_model=DeploymentOut, summary="Start a canary")
def start_canary(store: Deployments, name: str, body: CanaryBody) -> DeploymentOut:
    """A canary beside the primary, taking `traffic_percent` of the requests."""
    return _out(store.start_canary(name, body.model_uri, body.traffic_percent,
                                   user_id=body.user_id,
                                   expected_revision=body.expected_revision))


@router.post("/{name}/traffic", response_model=DeploymentOut, summary="Split traffic")
def set_traffic(store: Deployments, name: str, body: TrafficBody) -> DeploymentOut:
    """Give the canary `canary_percent` of the requests and the primary the rest."""
    return _out(store.set_traffic(name, body.canary_percent, user_id=body.user_id,
                                  expected_revision=body.expected_revision))


@router.post("/{name}/promote", response_model=DeploymentOut, summary="Promote the canary")
def promote(store: Deployments, name: str, body: Change | None = None) -> DeploymentOut:
    """The canary becomes the primary at 100%."""
    body = body or Change()
    return _out(store.promote(name, user_id=body.user_id,
                              expected_revision=body.expected_revision))


@router.post("/{name}/rollback", response_model=DeploymentOut, summary="Roll back")
def rollback(store: Deployments, name: str, body: Change | None = None) -> DeploymentOut:
    """Remove the canary (the primary back at 100%); without one, undo the latest promote."""
    body = body or Change()
    return _out(store.rollback(name, user_id=body.user_id,
                               expected_revision=body.expected_revision))


@router.get("/{name}/history", response_model=History, summary="A deployment's history")
def history(store: Deployments, name: str) -> History:
    """Every change, oldest first, with who made it and the targets before and after."""
    return History(events=[_event(e) for e in store.get_deployment_history(name)])


@router.get("/{name}/stats", response_model=StatsOut, summary="Per-version figures")
def stats(
    store: Deployments, name: str,
    since_ms: Annotated[Millis | None, Query(description="From the minute holding this time "
                                                         "(epoch ms); default: all.")] = None,
) -> StatsOut:
    """Requests, errors, error rate and latency per route label and model version, as the
    deployment's servers reported them."""
    return StatsOut(versions=[_figures(s) for s in store.get_version_stats(
        name, since_ms=since_ms)])


@router.get("/{name}/predictions", response_model=Predictions, summary="Sampled predictions")
def predictions(
    store: Deployments, name: str,
    since_ms: Annotated[Millis | None, Query(description="Epoch ms, inclusive.")] = None,
    until_ms: Annotated[Millis | None, Query(description="Epoch ms, exclusive.")] = None,
    label: Annotated[str | None, Query(description="Only this route (primary or canary).")]
    = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PREDICTIONS_PAGE)] = 100,
) -> Predictions:
    """The deployment's sampled request/prediction records, newest first."""
    found = store.search_predictions(name, since_ms=since_ms, until_ms=until_ms, label=label,
                                     limit=limit)
    return Predictions(predictions=[PredictionOut.model_validate(p) for p in found])
