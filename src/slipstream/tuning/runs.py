"""`TrialRuns`: the tracked runs a tuner writes together with its trials, when its study store
is in the tracking store's database (`TrackedTrialStore`, and the settings track to the store
URL), made as the tracking client makes a task's nested run: the same name, tags (MLflow's
system tags, read once per study), params, parent, execution and node.

A trial's run starts RUNNING with its trial and ends with it: FINISHED for COMPLETE and PRUNED
trials (the objective metrics at the last reported step, the trial state tag), FAILED for
failed ones. A run deleted while its trial ran cannot be ended: the trial's outcome is then
written alone (with a warning), not lost.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream._core.settings import Settings
from slipstream.entities import DEFAULT_EXPERIMENT_ID, Metric, Param, Run, RunStatus, RunTag
from slipstream.entities.studies import Study, Trial, TrialState
from slipstream.metadata.studies import StudyStore, TrackedTrialStore, TrialRun, TrialRunEnd
from slipstream.tuning.trial import STATE_TAG, STUDY_TAG, TRIAL_TAG


class TrialRuns:
    """Starts and ends one study's trials with their runs, in `store`."""

    def __init__(self, study: Study, store: TrackedTrialStore, artifact_root: str,
                 tags: Mapping[str, str]) -> None:
        from slipstream.tracking.fluent import EXECUTION_ID_TAG
        from slipstream.tracking.system_tags import USER_TAG, user_name

        self.study = study
        self.store = store
        self.artifact_root = artifact_root
        self.tags = {**tags, STUDY_TAG: study.study_id,
                     EXECUTION_ID_TAG: study.execution_id}
        self.user = self.tags.get(USER_TAG) or user_name()

    @classmethod
    def for_study(cls, study: Study, store: StudyStore, settings: Settings) -> TrialRuns | None:
        """The study's TrialRuns, or None when its runs are tracked elsewhere (a tracking
        server): then each trial's task starts and ends its own run."""
        if not isinstance(store, TrackedTrialStore) \
                or settings.tracking_store_url != settings.store_url:
            return None
        from slipstream.tracking.fluent import default_tracking_client
        from slipstream.tracking.system_tags import system_tags

        root = getattr(default_tracking_client().store, "artifact_root", None)
        if not isinstance(root, str):
            return None
        return cls(study, store, root, system_tags())

    def start(self, number: int, params: Mapping[str, Any], started: float, node_id: str,
              execution_id: str, *, rerun: bool) -> tuple[Trial, Run]:
        """Start trial `number` (a new one, or a RUNNING one again) with a new run."""
        return self.store.start_tracked_trial(
            self.study.study_id, params,
            self.new_run(number, node_id, params, started, execution_id),
            started_at=started, number=number if rerun else None, node_id=node_id)

    def finish(self, number: int, state: str, run_id: str, *, metrics: Mapping[str, float],
               step: int, ended: float, value: float | None, error: str, node_id: str) -> None:
        """End trial `number` and its run `run_id` together."""
        end = self.run_end(run_id, state, metrics, step, ended)
        try:
            self.store.finish_tracked_trial(self.study.study_id, number, state, end,
                                            ended_at=ended, value=value, metrics=metrics,
                                            error=error, node_id=node_id)
        except (InvalidInputError, NotFoundError) as exc:
            self._finish_alone(number, state, run_id, exc, metrics=metrics, ended=ended,
                             value=value, error=error, node_id=node_id)

    def _finish_alone(self, number: int, state: str, run_id: str, exc: Exception, *,
                    metrics: Mapping[str, float], ended: float, value: float | None,
                    error: str, node_id: str) -> None:
        """The trial's outcome without its run's end (the run was deleted meanwhile); the
        store's refusal of the trial itself propagates."""
        if not isinstance(self.store, StudyStore):
            raise exc
        self.store.finish_trial(self.study.study_id, number, state, ended_at=ended,
                                value=value, metrics=metrics, error=error, node_id=node_id,
                                run_id=run_id)
        logging.getLogger(__name__).warning(
            "study %r, trial %d: its run %s could not be ended (%s); the trial's outcome is "
            "stored without it", self.study.name, number, run_id, exc)

    def new_run(self, number: int, node_id: str, params: Mapping[str, Any], started: float,
                execution_id: str) -> TrialRun:
        """Trial `number`'s run, starting at `started` (epoch seconds)."""
        from slipstream.tracking.fluent import EXECUTION_ID_TAG, NODE_ID_TAG

        tags = {**self.tags, TRIAL_TAG: str(number), EXECUTION_ID_TAG: execution_id,
                NODE_ID_TAG: node_id}
        return TrialRun(
            experiment_id=self.study.experiment_id or DEFAULT_EXPERIMENT_ID,
            artifact_root=self.artifact_root, run_name=f"trial-{number}", user_id=self.user,
            start_time=int(started * 1000), tags=tags,
            params=[Param(str(k), v if isinstance(v, str) else str(v))
                    for k, v in params.items()],
            parent_run_id=self.study.parent_run_id or None, execution_id=execution_id,
            node_id=node_id)

    def run_end(self, run_id: str, state: str, metrics: Mapping[str, float], step: int,
                ended: float) -> TrialRunEnd:
        """How the run of a trial that ended in `state` at `ended` (epoch seconds) ends."""
        stamp = int(ended * 1000)
        if state == TrialState.FAIL:
            return TrialRunEnd(run_id, RunStatus.FAILED.value, stamp)
        return TrialRunEnd(run_id, RunStatus.FINISHED.value, stamp,
                           [Metric(k, float(v), stamp, int(step)) for k, v in metrics.items()],
                           [RunTag(STATE_TAG, str(state))])
