"""Inside a trial: the task the engine runs for each trial, `ss.report` and `ss.TrialPruned`.

`TrialTask` wraps the objective (a @task or a plain function) as the trial node's task: its
inputs are the space's parameters, its outputs the trial's metrics, run id, state and last
reported step. Run by the engine's worker (`run_item`, which sets the RunContext), it makes
the trial's tracked run (a child of the study's run, linked to the node) the active run, calls
the objective, and turns what it returned into metrics: a number is the objective; a dict must
hold the objective. None, NaN, infinity or a missing objective fail the trial (the node FAILS
with the reason).

When the tuner's study store holds the tracking tables too (`TrackedTrialStore`), the tuner
writes the run with the trial: created with its params and tags when the trial starts, its
objective metrics, state tag and end when the trial ends (one transaction each), and hands it
to the task as the bound input `RUN_INPUT`; the task only attaches to it (what the objective
itself logs is written when it returns). Otherwise the task starts, fills and ends the run
itself.

`ss.report(step, value)` records an intermediate objective value: a metric step on the trial's
run, a durable value in the study store, and a question to the study's pruner, asked in the
tuner's process through a `TunerLink` (a direct call when the trial runs there, a local socket
from a process-pool worker; see `link.py`). When the pruner says so it raises TrialPruned;
the trial ends PRUNED (its node succeeds: it did what was asked).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import math
import numbers
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slipstream._core.context import RunContext
from slipstream._core.errors import InvalidInputError, UserError, did_you_mean
from slipstream.entities import Run, RunData, RunInfo
from slipstream.entities.studies import TrialState
from slipstream.graph.spec import Interface, Param
from slipstream.metadata.studies import check_intermediate
from slipstream.sdk.resources import as_retry
from slipstream.sdk.task import code_version
from slipstream.tuning.link import TunerLink, link_for

STUDY_TAG = "slipstream.study_id"
TRIAL_TAG = "slipstream.trial_number"
STATE_TAG = "slipstream.trial_state"
OUTPUTS = {"metrics": dict[str, float], "run_id": str, "state": str, "step": int}
#: The bound input carrying a trial's run, written by the tuner with the trial (not a param).
RUN_INPUT = "slipstream.trial_run"


class TrialPruned(Exception):
    """Raised by `ss.report` when the pruner stops the trial; raise it yourself to stop a
    trial early. The trial is recorded PRUNED."""


class TrialFailedError(UserError):
    """The objective returned no usable value (None, NaN, infinity, no objective metric)."""


@dataclass
class _Scope:
    study_id: str
    number: int
    objective: str
    run_id: str
    client: Any
    link: TunerLink
    last_step: int | None = None


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "slipstream_trial", default=None)


def report(step: int, value: float) -> None:
    """Inside a trial: record the objective's value at `step` (a metric step on the trial's
    run, and in the study); raises TrialPruned when the study's pruner stops the trial.
    Outside a trial (the objective called as plain Python) it only checks its arguments."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = float(value)
    check_intermediate(step, value)
    scope = _scope.get()
    if scope is None:
        return
    scope.client.log_metric(scope.run_id, scope.objective, value, step=step)
    scope.last_step = step if scope.last_step is None else max(scope.last_step, step)
    if scope.link.report(scope.number, step, value):
        raise TrialPruned(f"trial {scope.number} was pruned at step {step}")


def params_style(fn: Any, names: list[str]) -> bool:
    """Check the objective takes the space's parameters: True when it takes them as one
    `params` dict, False when by name. InvalidInputError naming the mismatch otherwise."""
    label = f"the objective {getattr(fn, 'name', None) or getattr(fn, '__qualname__', fn)!r}"
    if not callable(fn):
        raise InvalidInputError(f"ss.tune needs a function or @task to call, not {fn!r:.80}")
    interface = getattr(fn, "interface", None)
    if isinstance(interface, Interface):
        params = {name: p.has_default for name, p in interface.inputs.items()}
        open_kwargs = False
    else:
        try:
            signature = inspect.signature(fn)
        except (TypeError, ValueError):
            raise InvalidInputError(f"{label}: its signature cannot be read") from None
        params = {name: p.default is not p.empty for name, p in signature.parameters.items()
                  if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        open_kwargs = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    if list(params) == ["params"] and "params" not in names:
        return True
    unknown = [] if open_kwargs else [n for n in names if n not in params]
    missing = [p for p, has_default in params.items() if not has_default and p not in names]
    if unknown or missing:
        problems = [f"{name!r} is in the space but is not a parameter of it."
                    f"{did_you_mean(name, params)}" for name in unknown]
        problems += [f"its parameter {name!r} has no default and is not in the space."
                     for name in missing]
        raise InvalidInputError(
            f"{label} takes ({', '.join(params)}) but the search space has "
            f"({', '.join(names)}): {' '.join(problems)} Name its parameters after the "
            "space's keys, or give it one parameter `params: dict`.")
    return False


class TrialTask:
    """The task of every trial node of one study (the engine's worker runs it like any task:
    retries and timeout come from the objective's @task, if it is one)."""

    kind = "task"
    cache = None

    def __init__(self, fn: Any, *, types: Mapping[str, Any], objective: str, study_id: str,
                 experiment_id: str, parent_run_id: str, link_token: str,
                 link_address: Any = None, link_key: bytes = b"") -> None:
        self.fn = fn
        self.objective = objective
        self.study_id = study_id
        self.experiment_id = experiment_id
        self.parent_run_id = parent_run_id
        self.link_token, self.link_address, self.link_key = link_token, link_address, link_key
        self.by_dict = params_style(fn, list(types))
        self.name: str = getattr(fn, "name", None) or getattr(fn, "__name__", "objective")
        self.retry = getattr(fn, "retry", None) or as_retry(0)
        self.timeout = getattr(fn, "timeout", None)
        self.interface = Interface({name: Param(tp) for name, tp in types.items()}, OUTPUTS,
                                   "tuple")

    @functools.cached_property
    def version(self) -> str:
        """The objective's code version (a @task's own; a hash of a function's bytecode),
        worked out once: every trial's node records it."""
        version = getattr(self.fn, "version", None)
        return version if isinstance(version, str) else code_version(self.fn)

    @property
    def ref(self) -> str:
        fn = getattr(self.fn, "fn", self.fn)
        return f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', self.name)}"

    def execute(self, inputs: dict[str, Any], context: RunContext
                ) -> tuple[Any, str, str, int]:
        """Run one trial (the engine's entry point): (metrics, run id, state, last step)."""
        from slipstream.tracking import fluent

        given = inputs.get(RUN_INPUT)
        if given is not None:
            return self._attached(given, {k: v for k, v in inputs.items() if k != RUN_INPUT},
                                  context)
        number = trial_number(context.node_id)
        run = fluent.start_run(
            experiment_id=self.experiment_id or None, run_name=f"trial-{number}", nested=True,
            parent_run_id=self.parent_run_id or None,
            tags={STUDY_TAG: self.study_id, TRIAL_TAG: str(number)})
        client, run_id = run.client, run.run_id
        link = link_for(self.link_token, self.link_address, self.link_key)
        link.started(number, run_id)
        scope = _Scope(self.study_id, number, self.objective, run_id, client, link)
        token = _scope.set(scope)
        try:
            with run:
                client.log_params(run_id, inputs)
                metrics, state = self._outcome(inputs, context)
                step = scope.last_step or 0
                if metrics:
                    client.log_metrics(run_id, metrics, step=step)
                client.set_tags(run_id, {STATE_TAG: state})
                return metrics, run_id, state, step
        finally:
            _scope.reset(token)

    def _attached(self, given: Any, inputs: dict[str, Any], context: RunContext
                  ) -> tuple[Any, str, str, int]:
        """A trial whose run the tuner wrote with it: log to it, leave its end to the tuner
        (but for Ctrl-C, which ends it KILLED as a `with` block of it would)."""
        from slipstream.tracking import fluent

        info, params, tags = given
        run = fluent.attach_run(Run(info, RunData((), params, tags)), self._client())
        link = link_for(self.link_token, self.link_address, self.link_key)
        scope = _Scope(self.study_id, trial_number(context.node_id), self.objective,
                       run.run_id, run.client, link)
        token = _scope.set(scope)
        try:
            metrics, state = self._outcome(inputs, context)
        except BaseException as exc:
            with contextlib.suppress(Exception):
                fluent.detach_run(run)
                if not isinstance(exc, Exception):
                    run.client.end_run(run.run_id, "KILLED")
            raise
        finally:
            _scope.reset(token)
        fluent.detach_run(run)
        return metrics, run.run_id, state, scope.last_step or 0

    def _client(self) -> Any:
        """The default tracking client of this process, looked up once per study."""
        from slipstream.tracking import fluent

        client = self.__dict__.get("_tracking")
        if client is None:
            client = self.__dict__["_tracking"] = fluent.default_tracking_client()
        return client

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_tracking"}

    def _outcome(self, inputs: dict[str, Any], context: RunContext
                 ) -> tuple[dict[str, float], str]:
        """Call the objective: (its metrics, COMPLETE), or ({}, PRUNED) when it was pruned."""
        try:
            result = self._call(inputs, context)
        except Exception as exc:
            if not _is_pruned(exc):
                raise
            return {}, TrialState.PRUNED.value
        return objective_metrics(result, self.objective), TrialState.COMPLETE.value

    def _call(self, inputs: dict[str, Any], context: RunContext) -> Any:
        arguments = {"params": dict(inputs)} if self.by_dict else inputs
        execute: Callable[..., Any] | None = getattr(self.fn, "execute", None)
        if execute is not None and isinstance(getattr(self.fn, "interface", None), Interface):
            return execute(arguments, context)
        return self.fn(**arguments)

    def __repr__(self) -> str:
        return f"TrialTask({self.ref})"


def run_input(run: Run) -> tuple[RunInfo, dict[str, str], dict[str, str]]:
    """`run` as the bound input `RUN_INPUT` (plain values: a process-pool worker unpickles it)."""
    return run.info, dict(run.data.params), dict(run.data.tags)


def trial_number(node_id: str) -> int:
    """`trial-7` -> 7."""
    return int(node_id.rsplit("-", 1)[1])


def node_id_of(number: int) -> str:
    return f"trial-{number}"


def objective_metrics(result: Any, objective: str) -> dict[str, float]:
    """What the objective returned, as finite metrics holding `objective`; TrialFailedError
    saying what was wrong otherwise. Other non-finite or non-numeric metrics are left out."""
    if isinstance(result, Mapping):
        if objective not in result:
            names = ", ".join(repr(k) for k in result) or "none"
            raise TrialFailedError(
                f"the objective returned metrics {names} but not {objective!r}, the study's "
                f"objective.{did_you_mean(objective, [str(k) for k in result])}")
        value = _objective_value(result[objective], objective)
        metrics = {str(k): float(v) for k, v in result.items()
                   if isinstance(v, numbers.Real) and not isinstance(v, bool)
                   and math.isfinite(v)}
        metrics[objective] = value
        return metrics
    return {objective: _objective_value(result, objective)}


def _objective_value(value: Any, objective: str) -> float:
    if value is None:
        raise TrialFailedError(f"the objective returned None; return the value of {objective!r} "
                               f"(a number) or a dict of metrics holding it")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TrialFailedError(f"the objective {objective!r} is {type(value).__name__} "
                               f"{value!r:.80}, not a number")
    if not math.isfinite(value):
        raise TrialFailedError(f"the objective {objective!r} is {value}, not a finite number")
    return float(value)


def _is_pruned(exc: BaseException) -> bool:
    if isinstance(exc, TrialPruned):
        return True
    optuna_exceptions = sys.modules.get("optuna.exceptions")
    return optuna_exceptions is not None and isinstance(exc, optuna_exceptions.TrialPruned)

