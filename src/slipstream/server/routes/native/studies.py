"""/api/v1/studies: hyperparameter studies (read, and delete), their trials, and the
importance of each parameter as Optuna computes it from the complete trials.

A study is named in the path by its id or its name. The study store is the server's store
(`settings.store_url`), opened on the first request that needs it (`deps.StoreSlot`). Optuna
is imported only by the importance route (the `tuning` extra).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from slipstream._core.errors import InvalidInputError
from slipstream.entities.studies import Study, StudyStatus, Trial, TrialState
from slipstream.metadata.studies import StudyStore
from slipstream.server.routes.native.deps import slot_store
from slipstream.server.routes.native.schemas import ERRORS

router = APIRouter(prefix="/studies", tags=["studies"], responses=ERRORS)
_NO_CONTENT: dict[str, Any] = {"status_code": 204, "response_class": Response}


def study_store(request: Request) -> StudyStore:
    """The app's study store (opened on the first request that needs it)."""
    store: StudyStore = slot_store(request, "study_store", "open_study_store")
    return store


Studies = Annotated[StudyStore, Depends(study_store)]


# -- response models --------------------------------------------------------------------------

class StudyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    study_id: str
    name: str = Field(description="Unique.")
    objective: str = Field(description="The metric the trials optimise.")
    direction: str = Field(description="maximize | minimize")
    space: dict[str, Any] = Field(description="Each parameter's distribution, as Optuna's "
                                              "distribution_to_json writes it.")
    algorithm: str = Field(description="The sampler.")
    early_stopping: str = Field(description="The pruner.")
    max_trials: int
    parallel_trials: int
    max_failed_trials: int
    status: StudyStatus
    created_at: float = Field(description="Epoch seconds.")
    ended_at: float | None = None
    task_name: str = ""
    task_ref: str = Field("", description="Where the objective is loaded from on resume.")
    seed: int | None = None
    execution_id: str = Field("", description="The execution the trials run in.")
    parent_run_id: str = Field("", description="The tracking run each trial's run is under.")
    experiment_id: str = ""
    settings: dict[str, Any] = {}


class StepValue(BaseModel):
    step: int
    value: float


class TrialOut(BaseModel):
    study_id: str
    number: int = Field(description="From 0, in the order trials started.")
    state: TrialState
    params: dict[str, Any]
    value: float | None = Field(None, description="The objective (COMPLETE trials only).")
    metrics: dict[str, float] = {}
    intermediate: list[StepValue] = Field([], description="Reported values, in step order.")
    started_at: float
    ended_at: float | None = None
    node_id: str = Field("", description="The trial's node execution.")
    run_id: str = Field("", description="The trial's tracking run.")
    error: str = ""


class StudyList(BaseModel):
    studies: list[StudyOut]


class StudyDetail(BaseModel):
    study: StudyOut
    trial_counts: dict[str, int] = Field(description="Trials by state (every state listed).")
    best_trial: TrialOut | None = Field(None, description="The best COMPLETE trial (the first "
                                                          "of equals), without its "
                                                          "intermediate values.")


class TrialList(BaseModel):
    trials: list[TrialOut]


class ParamImportance(BaseModel):
    study_id: str
    trials: int = Field(description="How many COMPLETE trials it was computed from.")
    evaluator: str = Field(description="The Optuna importance evaluator used (PED-ANOVA).")
    importances: dict[str, float] = Field(description="Parameter -> importance, most "
                                                      "important first, summing to 1.")


def _trial_out(trial: Trial) -> TrialOut:
    return TrialOut(study_id=trial.study_id, number=trial.number, state=trial.state,
                    params=trial.params, value=trial.value, metrics=trial.metrics,
                    intermediate=[StepValue(step=s, value=v) for s, v in trial.intermediate],
                    started_at=trial.started_at, ended_at=trial.ended_at,
                    node_id=trial.node_id, run_id=trial.run_id, error=trial.error)


# -- routes -----------------------------------------------------------------------------------

@router.get("", response_model=StudyList, summary="List studies")
def list_studies(store: Studies) -> StudyList:
    """Every study, newest first."""
    return StudyList(studies=[StudyOut.model_validate(s) for s in store.list_studies()])


@router.get("/{study}", response_model=StudyDetail, summary="Get a study")
def get_study(store: Studies, study: str) -> StudyDetail:
    """One study (by id or name), how many of its trials are in each state, and its best
    complete trial."""
    found = store.get_study(study)
    trials = store.list_trials(found.study_id, intermediate=False)
    counts = {state.value: 0 for state in TrialState}
    for trial in trials:
        counts[trial.state] += 1
    complete = [t for t in trials if t.state == TrialState.COMPLETE and t.value is not None]
    best = None
    if complete:
        sign = -1.0 if found.direction == "maximize" else 1.0
        best = _trial_out(min(complete, key=lambda t: (sign * (t.value or 0.0), t.number)))
    return StudyDetail(study=StudyOut.model_validate(found), trial_counts=counts,
                       best_trial=best)


@router.get("/{study}/trials", response_model=TrialList, summary="A study's trials")
def list_trials(
    store: Studies, study: str,
    state: Annotated[list[TrialState] | None, Query(
        description="Only trials in these states (repeat for several).")] = None,
    intermediate: Annotated[bool, Query(
        description="Include each trial's intermediate values.")] = True,
) -> TrialList:
    """The study's trials in number order, optionally only those in the given states."""
    found = store.get_study(study)
    trials = store.list_trials(found.study_id, states=state, intermediate=intermediate)
    return TrialList(trials=[_trial_out(t) for t in trials])


@router.get("/{study}/importance", response_model=ParamImportance,
            summary="Parameter importance")
def param_importance(store: Studies, study: str) -> ParamImportance:
    """How much each parameter explains the objective, by Optuna's
    `get_param_importances` (its default evaluator) over the study's COMPLETE trials; 400
    with fewer than 2 of them, or without Optuna (install slipstream[tuning])."""
    found = store.get_study(study)
    complete = store.list_trials(found.study_id, states=[TrialState.COMPLETE],
                                 intermediate=False)
    return _importance(found, complete)


@router.delete("/{study}", **_NO_CONTENT, summary="Delete a study")
def delete_study(store: Studies, study: str) -> None:
    """Delete the study (by id or name) with its trials; their runs and node executions
    stay."""
    store.delete_study(store.get_study(study).study_id)


# -- importance -------------------------------------------------------------------------------

def _importance(study: Study, complete: list[Trial]) -> ParamImportance:
    if len(complete) < 2:
        raise InvalidInputError(f"Study {study.name!r} has {len(complete)} complete trial"
                                f"{'' if len(complete) == 1 else 's'}: parameter importance "
                                "needs at least 2.")
    try:
        import optuna
    except ImportError:
        raise InvalidInputError("Parameter importance needs Optuna on the server: install "
                                "slipstream[tuning].") from None
    distributions = {}
    for name, entry in study.space.items():
        try:
            distributions[name] = optuna.distributions.json_to_distribution(json.dumps(entry))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(f"Study {study.name!r}: the space entry of {name!r} is not "
                                    f"an Optuna distribution ({exc}).") from None
    rebuilt = optuna.create_study(direction=study.direction)
    for trial in complete:
        params = {k: v for k, v in trial.params.items() if k in distributions}
        try:
            rebuilt.add_trial(optuna.trial.create_trial(
                params=params, distributions={k: distributions[k] for k in params},
                value=trial.value, intermediate_values=dict(trial.intermediate)))
        except ValueError as exc:
            raise InvalidInputError(f"Study {study.name!r}: trial {trial.number}'s params do "
                                    f"not fit its space ({exc}).") from None
    evaluator = optuna.importance.PedAnovaImportanceEvaluator()
    importances = optuna.importance.get_param_importances(rebuilt, evaluator=evaluator)
    return ParamImportance(study_id=study.study_id, trials=len(complete),
                           evaluator=type(evaluator).__name__,
                           importances={k: float(v) for k, v in importances.items()})
