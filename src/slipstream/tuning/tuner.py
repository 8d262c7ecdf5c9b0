"""The tuner: drives one study's trials through the engine, ask/tell against an in-memory Optuna
study that mirrors the study store.

Each trial is a node execution ("trial-<number>") of the study's one execution (workflow
"tune:<study name>"), run through the engine's Executor seam (`submit` / `run_now`, as the
runner does) and recorded by the engine's Recorder; its outcome is told to Optuna and written
to the store. With a `TrackedTrialStore` on the tracking store's database, a trial's row and its
run are written together: one transaction when it starts (the RUNNING trial, its run with params
and tags), one when it ends (the run's metrics, state tag and end, the trial's outcome).

At most `parallel_trials` trials are in flight; the sampler is asked for the
next one as each finishes. A study stops when `max_trials` trials have finished (COMPLETED),
when `max_failed_trials` have failed (FAILED, StudyFailedError), or on Ctrl-C (INTERRUPTED:
trials in flight stay RUNNING in the store, and `resume_study` re-runs them with their own
numbers and parameters).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
from collections import deque
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any

from slipstream._core.errors import UserError
from slipstream._core.ids import hostname, now
from slipstream.entities import (
    TERMINAL_STATUSES,
    ErrorInfo,
    ExecutionRecord,
    NodeExecutionRecord,
    Status,
    WorkflowRecord,
)
from slipstream.entities.studies import FINISHED_TRIAL_STATES, Study, StudyStatus, Trial, TrialState
from slipstream.execution.calls import CallItem, ItemOutcome, TaskCall, lost_call_outcomes
from slipstream.execution.executor import Executor
from slipstream.execution.recorder import Recorder
from slipstream.execution.values import Value, literal_map, make_value, offload
from slipstream.execution.worker import WorkerEnv, worker_name
from slipstream.metadata.studies import StudyStore
from slipstream.tuning.algorithms import GridOrder, make_pruner, make_sampler, quiet_optuna
from slipstream.tuning.link import TunerLink
from slipstream.tuning.runs import TrialRuns
from slipstream.tuning.trial import RUN_INPUT, TrialTask, node_id_of, run_input

#: Seconds between the recorder's writes of trial nodes. The store's trial rows, written as
#: each trial starts and ends, are the study's record (resume restores the nodes of finished
#: trials a killed tuner never wrote); node states only need to follow within a moment, and a
#: trial's commit that runs into a write of the recorder's waits for SQLite's write lock (1 ms
#: or more).
NODE_INTERVAL = 0.5


class StudyFailedError(UserError):
    """A study stopped because `max_failed_trials` trials failed."""

    def __init__(self, message: str, *, study_id: str) -> None:
        super().__init__(message)
        self.study_id = study_id


@dataclasses.dataclass
class _InFlight:
    number: int
    call: TaskCall
    started: float
    live: Any  # the Optuna trial
    run_id: str = ""  # the trial's run, when the tuner wrote it with the trial


class Tuner(TunerLink):
    """Runs one study (new or resumed) to its end. Create one per `tune` / `resume_study`."""

    def __init__(self, *, study: Study, store: StudyStore, client: Any, task: TrialTask,
                 space: Mapping[str, Any], executor: Executor, budget: int) -> None:
        self.study = study
        self.store = store
        self.client = client  # slipstream.execution.api.Client: execution store, engine, ctx
        self.task = task
        self.space = dict(space)
        self.executor = executor
        self.budget = budget
        self.recorder = Recorder(client.store, interval=NODE_INTERVAL)
        self.grid = GridOrder(self.space, study.seed) if study.algorithm == "grid" else None
        self._lock = threading.Lock()  # the Optuna study is shared with link threads
        self._live: dict[int, Any] = {}
        self._run_ids: dict[int, str] = {}
        self._reruns: deque[tuple[int, Any, dict[str, Any]]] = deque()
        self._running: dict[Future[list[ItemOutcome]], _InFlight] = {}
        self._finished = 0
        self._failed = 0
        self._first_errors: list[str] = []
        self._optuna = self._optuna_study()
        self._asked = 0  # trials in the Optuna study (`len(study.trials)` deep-copies them all)
        self.execution: ExecutionRecord | None = None
        #: Writes each trial's run with the trial (None: the trial's task writes its run).
        self._runs = TrialRuns.for_study(study, store, client.settings)

    # -- the Optuna mirror -------------------------------------------------------------------

    def _optuna_study(self) -> Any:
        import optuna

        with quiet_optuna():
            return optuna.create_study(
                study_name=self.study.name, direction=self.study.direction,
                sampler=make_sampler(self.study.algorithm, self.study.seed,
                                     self.study.settings.get("algorithm_settings")),
                pruner=make_pruner(self.study.early_stopping))

    def replay(self, trials: list[Trial]) -> None:
        """Put a resumed study's trials into the Optuna study, in number order: finished ones
        as they ended, RUNNING ones (their tuner died) queued to run again as themselves."""
        import optuna
        from optuna.trial import TrialState as OptunaState

        states = {TrialState.COMPLETE: OptunaState.COMPLETE,
                  TrialState.PRUNED: OptunaState.PRUNED, TrialState.FAIL: OptunaState.FAIL}
        self._restore_nodes(trials)
        for trial in sorted(trials, key=lambda t: t.number):
            if trial.state in FINISHED_TRIAL_STATES:
                intermediate = dict(trial.intermediate)
                value = trial.value
                if trial.state == TrialState.PRUNED and intermediate:
                    value = intermediate[max(intermediate)]
                self._optuna.add_trial(optuna.trial.create_trial(
                    state=states[TrialState(trial.state)], value=value, params=trial.params,
                    distributions=self.space, intermediate_values=intermediate))
                self._asked += 1
                self._finished += 1
                if trial.state == TrialState.FAIL:
                    self._failed += 1
                    if len(self._first_errors) < 3:
                        self._first_errors.append(f"trial {trial.number}: {trial.error}")
            else:
                with quiet_optuna():
                    self._optuna.enqueue_trial(trial.params)
                    live = self._optuna.ask(self.space)
                self._asked += 1
                self._reruns.append((trial.number, live, trial.params))

    def _restore_nodes(self, trials: list[Trial]) -> None:
        """Record the nodes of finished trials whose final node state a killed tuner never
        wrote (the Recorder writes behind; the study store is written per trial)."""
        nodes = {n.node_id: n for n in self.client.store.list_nodes(self.study.execution_id)}
        for trial in trials:
            node = nodes.get(node_id_of(trial.number))
            if trial.state not in FINISHED_TRIAL_STATES or (
                    node is not None and node.status in TERMINAL_STATUSES):
                continue
            failed = trial.state == TrialState.FAIL
            self.recorder.node(NodeExecutionRecord(
                execution_id=self.study.execution_id, node_id=node_id_of(trial.number),
                name=self.task.name, kind="task",
                status=Status.FAILED if failed else Status.SUCCEEDED,
                task_version=self.task.version, started_at=trial.started_at,
                ended_at=trial.ended_at, inputs=dict(trial.params),
                outputs=None if failed else {"metrics": dict(trial.metrics),
                                             "run_id": trial.run_id, "state": trial.state},
                error=ErrorInfo("user", "TrialFailed", trial.error) if failed else None,
                detail={"trial": trial.number, "state": trial.state, "restored": True}))

    # -- TunerLink: what trials tell us --------------------------------------------------------

    def started(self, number: int, run_id: str) -> None:
        self._run_ids[number] = run_id

    def report(self, number: int, step: int, value: float) -> bool:
        self.store.report_intermediate(self.study.study_id, number, step, value)
        with self._lock:
            live = self._live.get(number)
            if live is None:
                return False
            live.report(value, step)
            return bool(live.should_prune())

    # -- the loop ------------------------------------------------------------------------------

    def run(self, execution: ExecutionRecord | None = None) -> Study:
        """Run trials until the study ends; the study as stored at the end."""
        self._start_execution(execution)
        env = WorkerEnv(self.client.engine, self.client.ctx, worker_name())
        try:
            with quiet_optuna():
                self.executor.start(env, self.client.settings.artifact_uri)
                try:
                    self._loop()
                finally:
                    self.executor.shutdown()
        except BaseException as exc:
            self._stop(exc)
            raise
        return self._end()

    def _loop(self) -> None:
        while True:
            while self._can_start():
                self._start_next()
            if not self._running:
                return
            done, _ = wait(list(self._running), return_when=FIRST_COMPLETED)
            for future in done:
                flight = self._running.pop(future)
                self._done(flight, lost_call_outcomes(future, flight.call)[0])

    def _can_start(self) -> bool:
        if self._failed_out() or len(self._running) >= self.study.parallel_trials:
            return False
        if self._finished + len(self._running) >= self.budget:
            return False
        if self._reruns:
            return True
        return self.grid is None or self._asked < len(self.grid)

    def _failed_out(self) -> bool:
        limit = self.study.max_failed_trials
        return limit > 0 and self._failed >= limit

    def _start_next(self) -> None:
        started = now()
        study_id = self.study.study_id
        rerun = self._reruns.popleft() if self._reruns else None
        if rerun is not None:
            number, live, params = rerun
        else:
            with self._lock:
                if self.grid is not None:
                    self._optuna.enqueue_trial(self.grid.point(self._asked))
                live = self._optuna.ask(self.space)
                self._asked += 1
            number, params = live.number, live.params
        node_id = node_id_of(number)
        bound = None
        run_id = ""
        if self._runs is not None:
            trial, run = self._runs.start(number, params, started, node_id, self._execution_id,
                                          rerun=rerun is not None)
            bound, run_id = {RUN_INPUT: run_input(run)}, run.info.run_id
        else:
            trial = self.store.start_trial(study_id, params, started_at=started,
                                           number=number if rerun else None, node_id=node_id)
        if trial.number != number:
            node_id = node_id_of(trial.number)
        number = trial.number
        self._live[number] = live
        inputs = {name: make_value(self.client.engine, params[name], self.task.interface
                                   .inputs[name].tp, self.client.ctx) for name in params}
        call = TaskCall(self._execution_id, self.task, [CallItem(node_id, inputs)], bound)
        self.recorder.node_later(self._execution_id, node_id,
                                 lambda: self._node(node_id, Status.RUNNING, started, inputs))
        flight = _InFlight(number, call, started, live, run_id)
        if self.executor.synchronous:
            self._done(flight, self.executor.run_now(call)[0])
        else:
            self._running[self.executor.submit(call)] = flight

    def _done(self, flight: _InFlight, outcome: ItemOutcome) -> None:
        """Tell Optuna and the store how a trial ended; record its node."""
        from optuna.trial import TrialState as OptunaState

        number, study_id = flight.number, self.study.study_id
        outputs: dict[str, Any] = {}
        if outcome.status is Status.SUCCEEDED and outcome.outputs is not None:
            outputs = {name: value.get(self.client.engine, self.client.ctx)
                       for name, value in outcome.outputs.items()}
        state = outputs.get("state", TrialState.FAIL.value)
        run_id = outputs.get("run_id") or self._run_ids.get(number, "")
        metrics = outputs.get("metrics") or {}
        value = metrics.get(self.study.objective) if state == TrialState.COMPLETE else None
        error = ""
        with self._lock:
            if state == TrialState.COMPLETE:
                self._optuna.tell(flight.live, value)
            else:
                self._optuna.tell(flight.live, state=OptunaState.PRUNED if
                                  state == TrialState.PRUNED else OptunaState.FAIL)
            self._live.pop(number, None)
        if state == TrialState.FAIL:
            info = outcome.error or ErrorInfo("system", "Unknown", "the trial failed")
            error = f"{info.type}: {info.message}"
            self._failed += 1
            if len(self._first_errors) < 3:
                self._first_errors.append(f"trial {number}: {error}")
        if flight.run_id and self._runs is not None:
            self._runs.finish(number, state, flight.run_id, metrics=metrics,
                              step=outputs.get("step") or 0, ended=outcome.ended_at,
                              value=value, error=error, node_id=node_id_of(number))
        else:
            self.store.finish_trial(study_id, number, state, ended_at=outcome.ended_at,
                                    value=value, metrics=metrics, error=error,
                                    node_id=node_id_of(number), run_id=run_id)
        self._run_ids.pop(number, None)
        self._finished += 1
        node_id = node_id_of(number)
        self.recorder.node_later(self._execution_id, node_id, lambda: self._node(
            node_id, outcome.status, flight.started, flight.call.items[0].inputs,
            ended=outcome.ended_at, outputs=outcome.outputs, error=outcome.error,
            attempts=outcome.attempts, detail={"trial": number, "state": state}))

    # -- records -------------------------------------------------------------------------------

    @property
    def _execution_id(self) -> str:
        assert self.execution is not None
        return self.execution.id

    def _node(self, node_id: str, status: Status, started: float, inputs: dict[str, Value], *,
              ended: float | None = None, outputs: dict[str, Value] | None = None,
              error: ErrorInfo | None = None, attempts: tuple[Any, ...] = (),
              detail: dict[str, Any] | None = None) -> NodeExecutionRecord:
        ctx = self.client.ctx
        return NodeExecutionRecord(
            execution_id=self._execution_id, node_id=node_id, name=self.task.name, kind="task",
            status=status, task_version=self.task.version, started_at=started, ended_at=ended,
            inputs=offload(literal_map(inputs), ctx),
            outputs=offload(literal_map(outputs), ctx) if outputs else None, error=error,
            attempts=attempts, detail=detail or {})

    def _start_execution(self, execution: ExecutionRecord | None) -> None:
        started = now()
        name = f"tune:{self.study.name}"
        version = hashlib.sha256(json.dumps(
            [self.task.version, self.study.space], sort_keys=True).encode()).hexdigest()[:16]
        if execution is None:
            execution = ExecutionRecord(
                id=self.study.execution_id, workflow_name=name, workflow_version=version,
                status=Status.RUNNING, inputs={}, created_at=started,
                source_ref=self.study.task_ref, started_at=started)
            spec = {"name": name, "ref": self.study.task_ref, "inputs": {}, "outputs": {},
                    "nodes": [], "output_bindings": {},
                    "study": {"study_id": self.study.study_id, "space": self.study.space}}
            self.recorder.workflow(WorkflowRecord(name, version, spec, self.study.task_ref,
                                                  started))
        self.execution = dataclasses.replace(
            execution, status=Status.RUNNING, ended_at=None, error=None,
            executor=self.executor.name, host=hostname(), pid=os.getpid())
        self.recorder.execution(self.execution)
        self.recorder.flush()

    def _end(self) -> Study:
        failed = self._failed_out()
        status = StudyStatus.FAILED if failed else StudyStatus.COMPLETED
        error = None
        message = ""
        if failed:
            message = (f"study {self.study.name!r} stopped: {self._failed} trials failed "
                       f"(max_failed_trials={self.study.max_failed_trials}); first: "
                       + "; ".join(self._first_errors)
                       + ". Every trial and its error is in study.trials_dataframe(); fix the "
                       "objective and run the study again.")
            error = ErrorInfo("user", "StudyFailed", message)
        self._close_execution(Status.FAILED if failed else Status.SUCCEEDED, error)
        record = self.store.update_study(self.study.study_id, status=status.value,
                                         ended_at=now())
        if failed:
            raise StudyFailedError(message, study_id=self.study.study_id)
        return record

    def _stop(self, exc: BaseException) -> None:
        """Ctrl-C or an internal error: keep what finished, leave the rest RUNNING (resume
        re-runs them), and mark the study INTERRUPTED."""
        import contextlib

        for future, flight in list(self._running.items()):
            outcome = None
            if future.done() and future.exception() is None:
                outcome = future.result()[0]
            if outcome is not None and outcome.status is Status.SUCCEEDED:
                with contextlib.suppress(Exception):
                    self._done(flight, outcome)
                    continue
            self.recorder.node(self._node(
                node_id_of(flight.number), Status.ABORTED, flight.started,
                flight.call.items[0].inputs, ended=now(),
                error=ErrorInfo("user", type(exc).__name__, "the study was interrupted; "
                                "resume_study re-runs this trial")))
        interrupted = isinstance(exc, KeyboardInterrupt)
        error = ErrorInfo("user" if interrupted else "system", type(exc).__name__,
                          str(exc) or "interrupted")
        with contextlib.suppress(Exception):
            self._close_execution(Status.ABORTED, error)
        with contextlib.suppress(Exception):
            self.store.update_study(self.study.study_id, status=StudyStatus.INTERRUPTED.value,
                                    ended_at=now())

    def _close_execution(self, status: Status, error: ErrorInfo | None) -> None:
        assert self.execution is not None
        self.execution = dataclasses.replace(self.execution, status=status, ended_at=now(),
                                             error=error)
        self.recorder.execution(self.execution)
        self.recorder.close()
