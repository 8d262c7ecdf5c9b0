"""`StudyHandle`: what `ss.tune` and `ss.resume_study` return — a study as the store has it
now (every property reads the store, so a handle follows a study another process drives)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slipstream.entities.studies import Study, Trial, TrialState
from slipstream.metadata.studies import StudyStore

if TYPE_CHECKING:
    import pandas as pd


class StudyHandle:
    """A stored study: its record, trials and best trial."""

    def __init__(self, store: StudyStore, study_id: str) -> None:
        self._store = store
        self.study_id = study_id

    @property
    def record(self) -> Study:
        """The study's record as stored now."""
        return self._store.get_study(self.study_id)

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def status(self) -> str:
        """RUNNING, INTERRUPTED, COMPLETED or FAILED."""
        return self.record.status

    @property
    def execution_id(self) -> str:
        return self.record.execution_id

    @property
    def parent_run_id(self) -> str:
        return self.record.parent_run_id

    @property
    def trials(self) -> list[Trial]:
        """Every trial, in number order, with its intermediate values."""
        return self._store.list_trials(self.study_id)

    @property
    def best_trial(self) -> Trial | None:
        """The COMPLETE trial with the best objective (the lowest number on ties); None
        before any trial completed."""
        trials = self._store.list_trials(self.study_id, states=[TrialState.COMPLETE],
                                         intermediate=False)
        if not trials:
            return None
        sign = 1.0 if self.record.direction == "minimize" else -1.0
        return min(trials, key=lambda t: (sign * float(t.value or 0.0), t.number))

    @property
    def best_params(self) -> dict[str, Any] | None:
        best = self.best_trial
        return dict(best.params) if best is not None else None

    @property
    def best_value(self) -> float | None:
        best = self.best_trial
        return best.value if best is not None else None

    def trials_dataframe(self) -> pd.DataFrame:
        """One row per trial, as Optuna's: number, value, state, datetime_start,
        datetime_complete, duration, params_<name>..., then metrics_<name>..., run_id,
        node_id and error."""
        import pandas as pd

        trials = self._store.list_trials(self.study_id, intermediate=False)
        param_names = list(self.record.space)
        metric_names = sorted({key for t in trials for key in t.metrics})
        rows = []
        for t in trials:
            row: dict[str, Any] = {"number": t.number, "value": t.value, "state": t.state,
                                   "datetime_start": t.started_at,
                                   "datetime_complete": t.ended_at}
            row.update({f"params_{name}": t.params.get(name) for name in param_names})
            row.update({f"metrics_{name}": t.metrics.get(name) for name in metric_names})
            row.update({"run_id": t.run_id, "node_id": t.node_id, "error": t.error})
            rows.append(row)
        columns = ["number", "value", "state", "datetime_start", "datetime_complete",
                   *(f"params_{n}" for n in param_names),
                   *(f"metrics_{n}" for n in metric_names), "run_id", "node_id", "error"]
        frame = pd.DataFrame(rows, columns=columns)
        for column in ("datetime_start", "datetime_complete"):
            frame[column] = pd.to_datetime(frame[column], unit="s", utc=True)
        frame.insert(5, "duration", frame["datetime_complete"] - frame["datetime_start"])
        return frame

    def __repr__(self) -> str:
        return f"<StudyHandle {self.study_id} {self.name!r}>"
