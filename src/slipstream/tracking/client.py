"""`TrackingClient`: the tracking API on an explicit store (tests, the server, the fluent API).

Metrics, params and tags are checked on the calling thread and queued in a `LogBuffer`; they reach
the store in batches from a background thread, and at `end_run` / `flush`. Reads (`get_run`,
`get_metric_history`, `search_runs`) flush first, so a client reads its own writes. A param keeps
its first value: logging another value for a key this client already logged raises at the call;
a conflict with a value logged by another process is refused by the store at flush and reported
by `end_run`. Run artifacts go through the repository the run's `artifact_uri` names (a folder,
s3://..., or the tracking server's proxy): `tracking.artifacts`.
"""

from __future__ import annotations

import numbers
import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import InvalidInputError
from slipstream.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    Metric,
    Param,
    Run,
    RunStatus,
    RunTag,
    ViewType,
)
from slipstream.metadata.tracking import SEARCH_MAX_RESULTS_THRESHOLD, TrackingStore
from slipstream.metadata.validation import check_name, check_param, check_tag
from slipstream.tracking.artifacts import RunArtifacts
from slipstream.tracking.buffer import FLUSH_INTERVAL, LogBuffer
from slipstream.tracking.system_tags import system_tags, user_name

if TYPE_CHECKING:
    import pandas as pd

    from slipstream._core.settings import Settings
    from slipstream.artifacts.run_files import FileInfo

#: How many runs `search_runs` returns at most by default (MLflow's pandas default).
SEARCH_MAX_RESULTS_PANDAS = 100_000
_NOTE_TAG = "mlflow.note.content"
_BASE_COLUMNS = ("run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time")


class TrackingClient:
    """Experiments, runs and their logs on one `TrackingStore`, with buffered writes."""

    def __init__(self, store: TrackingStore, *, flush_interval: float = FLUSH_INTERVAL) -> None:
        self.store = store
        self._buffer = LogBuffer(store, flush_interval)
        self._params: dict[str, dict[str, str]] = {}
        self._params_lock = threading.Lock()
        self._checked_keys: set[str] = set()
        self.artifacts = RunArtifacts(store)

    @classmethod
    def from_settings(cls, settings: Settings) -> TrackingClient:
        """A client on the settings' tracking store (SLIPSTREAM_TRACKING_URI: a store or a
        server's URL; else the store URL), with run artifacts under its artifact root."""
        from slipstream.metadata import open_tracking_store

        return cls(open_tracking_store(settings.tracking_store_url, settings.artifact_uri))

    # -- experiments ------------------------------------------------------------------------

    def create_experiment(self, name: str, artifact_location: str | None = None,
                          tags: Mapping[str, str] | None = None) -> str:
        return self.store.create_experiment(name, artifact_location, tags)

    def get_experiment(self, experiment_id: str) -> Experiment:
        return self.store.get_experiment(experiment_id)

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        return self.store.get_experiment_by_name(name)

    def delete_experiment(self, experiment_id: str) -> None:
        self.store.delete_experiment(experiment_id)

    # -- runs -------------------------------------------------------------------------------

    def create_run(self, experiment_id: str, run_name: str | None = None,
                   tags: Mapping[str, str] | None = None, *, parent_run_id: str | None = None,
                   execution_id: str | None = None, node_id: str | None = None,
                   start_time: int | None = None, description: str | None = None) -> Run:
        """A RUNNING run with MLflow's system tags (user, source, git commit) under `tags`."""
        all_tags = {**system_tags(), **{k: str(v) for k, v in (tags or {}).items()}}
        if description is not None:
            all_tags[_NOTE_TAG] = description
        run = self.store.create_run(
            experiment_id, all_tags.get("mlflow.user") or user_name(),
            _now() if start_time is None else start_time, run_name or None, all_tags,
            parent_run_id=parent_run_id, execution_id=execution_id, node_id=node_id)
        with self._params_lock:
            self._params[run.info.run_id] = {}
        return run

    def resume_run(self, run_id: str) -> Run:
        """Mark an existing run RUNNING again (a logged param keeps its value)."""
        run = self.get_run(run_id)
        self.store.update_run_info(run_id, RunStatus.RUNNING, None)
        with self._params_lock:
            self._params[run_id] = dict(run.data.params)
        return self.store.get_run(run_id)

    def get_run(self, run_id: str) -> Run:
        self._buffer.drain()
        return self.store.get_run(run_id)

    def end_run(self, run_id: str, status: RunStatus | str = RunStatus.FINISHED,
                end_time: int | None = None) -> None:
        """Flush what is queued for the run, then set its status and end time. Raises
        InvalidInputError (after ending the run) when the store refused queued data."""
        status = run_status(status)
        stamp = _now() if end_time is None else end_time
        errors = self._buffer.end(run_id, lambda metrics, params, tags: self.store.end_run(
            run_id, status, stamp, metrics, params, tags))
        with self._params_lock:
            self._params.pop(run_id, None)
        if errors:
            details = "; ".join(str(e) for e in errors[:5])
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            raise InvalidInputError(
                f"Run {run_id} ended {status}, but the store refused {len(errors)} batch(es) "
                f"of logged data: {details}{more}")

    def delete_run(self, run_id: str) -> None:
        self.store.delete_run(run_id)

    # -- logging (buffered) -----------------------------------------------------------------

    def log_metric(self, run_id: str, key: str, value: Any, step: int | None = None,
                   timestamp: int | None = None) -> None:
        """Queue one metric point; never touches the store on this thread."""
        metric = Metric(self._key("metric", key), _metric_value(key, value),
                        _now() if timestamp is None else _integer(key, "timestamp", timestamp),
                        0 if step is None else _integer(key, "step", step))
        self._buffer.add(run_id, metrics=(metric,))

    def log_metrics(self, run_id: str, metrics: Mapping[str, Any], step: int | None = None,
                    timestamp: int | None = None) -> None:
        stamp = _now() if timestamp is None else _integer("metrics", "timestamp", timestamp)
        number = 0 if step is None else _integer("metrics", "step", step)
        points = [Metric(self._key("metric", k), _metric_value(k, v), stamp, number)
                  for k, v in metrics.items()]
        self._buffer.add(run_id, metrics=points)

    def log_param(self, run_id: str, key: str, value: Any) -> str:
        """Queue one param; its value is kept as a string and returned."""
        return self.log_params(run_id, {key: value})[key]

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> dict[str, str]:
        """Queue params; InvalidInputError now if one was already logged with another value."""
        items = [check_param(Param(str(k), _param_text(v))) for k, v in params.items()]
        with self._params_lock:
            logged = self._params.setdefault(run_id, {})
            for param in items:
                old = logged.get(param.key)
                if old is not None and old != param.value:
                    raise InvalidInputError(
                        f"Changing param values is not allowed. Param with key={param.key!r} "
                        f"was already logged with value={old!r:.200} for run ID={run_id!r}. "
                        f"Attempted logging new value {param.value!r:.200}.")
            fresh = [p for p in items if logged.get(p.key) is None]
            for param in fresh:
                logged[param.key] = param.value
        self._buffer.add(run_id, params=fresh)
        return {p.key: p.value for p in items}

    def set_tag(self, run_id: str, key: str, value: Any) -> None:
        self.set_tags(run_id, {key: value})

    def set_tags(self, run_id: str, tags: Mapping[str, Any]) -> None:
        items = [check_tag(RunTag(str(k), str(v))) for k, v in tags.items()]
        self._buffer.add(run_id, tags=items)

    def delete_tag(self, run_id: str, key: str) -> None:
        self._buffer.drain()
        self.store.delete_tag(run_id, key)

    def flush(self, run_id: str | None = None) -> None:
        """Write everything queued now; raise InvalidInputError for refused batches."""
        errors = self._buffer.flush(run_id)
        if errors:
            raise InvalidInputError("; ".join(str(e) for e in errors))

    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        """Every point of metric `key`, by step then timestamp."""
        self._buffer.drain()
        points: list[Metric] = []
        token: str | None = None
        while True:
            page, token = self.store.get_metric_history(run_id, key, page_token=token)
            points.extend(page)
            if not token:
                return points

    # -- inputs -----------------------------------------------------------------------------

    def log_input(self, run_id: str, dataset: Any, context: str | None = None,
                  tags: Mapping[str, str] | None = None, *, name: str | None = None,
                  source: str | None = None) -> Dataset:
        """Record a dataset (a Dataset, pandas DataFrame or numpy array) as an input of the run,
        with `context` ("training", ...) as input tag mlflow.data.context; written now."""
        from slipstream.tracking.datasets import CONTEXT_TAG, to_dataset

        record = to_dataset(dataset, name=name, source=source)
        input_tags = {str(k): str(v) for k, v in (tags or {}).items()}
        if context is not None:
            input_tags[CONTEXT_TAG] = context
        self.store.log_inputs(run_id, [DatasetInput(record, input_tags)])
        return record

    # -- artifacts (`tracking.artifacts`) -------------------------------------------------------

    def log_artifact(self, run_id: str, local_path: str | os.PathLike[str],
                     artifact_path: str | None = None) -> None:
        """Upload a file as `<artifact_path>/<file name>` among the run's artifacts."""
        self.artifacts.log_artifact(run_id, local_path, artifact_path)

    def log_artifacts(self, run_id: str, local_dir: str | os.PathLike[str],
                      artifact_path: str | None = None) -> None:
        """Upload every file under a folder to `<artifact_path>/`, keeping relative paths."""
        self.artifacts.log_artifacts(run_id, local_dir, artifact_path)

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        """Write `text` as the artifact file `artifact_file` (a path inside the run)."""
        self.artifacts.log_text(run_id, text, artifact_file)

    def log_dict(self, run_id: str, dictionary: Any, artifact_file: str) -> None:
        """Write a dict as JSON (or YAML for .yaml/.yml names) as the artifact `artifact_file`."""
        self.artifacts.log_dict(run_id, dictionary, artifact_file)

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[FileInfo]:
        """The run's files and folders directly under `path` (default: its root)."""
        return self.artifacts.list_artifacts(run_id, path)

    def download_artifacts(self, run_id: str, path: str = "",
                           dst_path: str | os.PathLike[str] | None = None) -> str:
        """Copy an artifact file or folder (default: all) locally; returns the local path."""
        return self.artifacts.download_artifacts(run_id, path, dst_path)

    def artifact_uri(self, run_id: str, artifact_path: str | None = None) -> str:
        base = self.store.get_run(run_id).info.artifact_uri
        return base if not artifact_path else f"{base.rstrip('/')}/{artifact_path}"

    # -- search -----------------------------------------------------------------------------

    def search_run_records(self, experiment_ids: Sequence[str], filter_string: str = "",
                           run_view_type: ViewType = ViewType.ACTIVE_ONLY,
                           max_results: int = SEARCH_MAX_RESULTS_PANDAS,
                           order_by: Sequence[str] = ()) -> list[Run]:
        """Up to `max_results` runs matching the filter, in order, across pages."""
        self._buffer.drain()
        runs: list[Run] = []
        token: str | None = None
        while len(runs) < max_results:
            page_size = min(max_results - len(runs), SEARCH_MAX_RESULTS_THRESHOLD)
            page, token = self.store.search_runs(list(experiment_ids), filter_string,
                                                 run_view_type, page_size, list(order_by), token)
            runs.extend(page)
            if not token:
                break
        return runs

    def search_runs(self, experiment_ids: Sequence[str], filter_string: str = "",
                    run_view_type: ViewType = ViewType.ACTIVE_ONLY,
                    max_results: int = SEARCH_MAX_RESULTS_PANDAS,
                    order_by: Sequence[str] = ()) -> pd.DataFrame:
        """`search_run_records` as a pandas DataFrame with MLflow's columns."""
        return runs_to_frame(self.search_run_records(experiment_ids, filter_string,
                                                     run_view_type, max_results, order_by))

    def close(self) -> None:
        """Flush, stop the background writer and close the store."""
        self._buffer.close()
        self.store.close()

    def _key(self, kind: str, key: str) -> str:
        if key not in self._checked_keys:
            check_name(kind, key)
            self._checked_keys.add(key)
        return key


def runs_to_frame(runs: Sequence[Run]) -> pd.DataFrame:
    """MLflow's search_runs frame: run_id, experiment_id, status, artifact_uri, start_time,
    end_time (UTC datetimes), then metrics.<key>, params.<key>, tags.<key>, each sorted."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    metric_keys: set[str] = set()
    param_keys: set[str] = set()
    tag_keys: set[str] = set()
    for run in runs:
        info = run.info
        row: dict[str, Any] = {"run_id": info.run_id, "experiment_id": info.experiment_id,
                               "status": info.status, "artifact_uri": info.artifact_uri,
                               "start_time": info.start_time, "end_time": info.end_time}
        for metric in run.data.metrics:
            row[f"metrics.{metric.key}"] = metric.value
            metric_keys.add(metric.key)
        for key, value in run.data.params.items():
            row[f"params.{key}"] = value
            param_keys.add(key)
        for key, value in run.data.tags.items():
            row[f"tags.{key}"] = value
            tag_keys.add(key)
        rows.append(row)
    columns = [*_BASE_COLUMNS, *(f"metrics.{k}" for k in sorted(metric_keys)),
               *(f"params.{k}" for k in sorted(param_keys)),
               *(f"tags.{k}" for k in sorted(tag_keys))]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("start_time", "end_time"):
        frame[column] = pd.to_datetime(frame[column], unit="ms", utc=True)
    return frame


def _now() -> int:
    return int(time.time() * 1000)


def _metric_value(key: str, value: Any) -> float:
    if type(value) is float:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputError(
            f"Metric {key!r}: got {type(value).__name__} {value!r:.100}; a metric value must be "
            "a number (int, float or numpy scalar), not a bool or a string.")
    return float(value)


def _integer(key: str, what: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidInputError(f"Metric {key!r}: {what} must be an integer, got {value!r:.100}")
    return int(value)


def _param_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def run_status(status: RunStatus | str) -> RunStatus:
    """`status` as a RunStatus (case-insensitive); InvalidInputError naming the valid ones."""
    try:
        return RunStatus(str(status).upper())
    except ValueError:
        raise InvalidInputError(
            f"Unknown run status {status!r}; use one of {[s.value for s in RunStatus]}"
        ) from None
