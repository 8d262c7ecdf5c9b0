"""`ss.sklearn.autolog()`: scikit-learn's `fit`, `fit_transform` and `fit_predict` log to the
active run (sklearn_logging.py says what is logged).

Patching: every estimator class `sklearn.utils.all_estimators()` lists, plus Pipeline,
GridSearchCV and RandomizedSearchCV, is walked once (on the first `autolog()` call, never at
import); each training method is wrapped where it is defined (the class in the MRO whose
`__dict__` holds it), so a method inherited by many classes is wrapped once, and subclasses
(yours too) that inherit a patched method are covered. Pipeline's `available_if` methods are
wrapped inside their descriptor. `autolog(disable=True)` puts every original back.

Which fits log: the outermost one only. A fit called while another autologged fit runs in the
same context (a Pipeline's steps, a search's candidates, `fit_transform` calling `fit`) runs
unlogged; so does one on a helper thread (joblib's threading backend) with no run and no task
of its own while another thread is inside an autologged fit. Preprocessing estimators
(sklearn.preprocessing, impute, feature_extraction, feature_selection, ColumnTransformer,
FeatureUnion) do not log on their own, as in MLflow.

Where it logs: the active run; else, inside a task, the task's run; else a new run named after
the estimator class, ended when the fit ends (FAILED if it raises). With `exclusive=True` it
never logs into a run it did not start: with a run active, fits are not logged.

A failure while logging never breaks the fit: it is reported once as a warning (none when
`silent=True`). Processes: a forked worker inherits the patches; a process started afresh (the
process executor's forkserver workers) has them when the task's code calls `autolog()`
itself, in its body or at the top of its module.
"""

from __future__ import annotations

import contextvars
import copy
import functools
import os
import threading
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slipstream._core.context import current_context
from slipstream._core.errors import InvalidInputError

TRAINING_METHODS = ("fit", "fit_transform", "fit_predict")
AUTOLOGGING_TAG = "mlflow.autologging"
_UNLOGGED_MODULES = ("sklearn.preprocessing", "sklearn.impute", "sklearn.feature_extraction",
                     "sklearn.feature_selection")
_UNLOGGED_CLASSES = ("sklearn.compose._column_transformer.ColumnTransformer",
                     "sklearn.pipeline.FeatureUnion")


@dataclass(frozen=True)
class AutologConfig:
    log_models: bool
    log_input_examples: bool
    max_tuning_runs: int | None
    exclusive: bool
    silent: bool


_lock = threading.RLock()
_config: AutologConfig | None = None  # None: autologging is off
_patches: list[tuple[type, str, Any]] = []  # (owner class, method name, original attribute)
_inside: contextvars.ContextVar[bool] = contextvars.ContextVar("slipstream_autolog_fit",
                                                               default=False)
_outer_threads: dict[int, int] = {}  # thread id -> depth of autologged fits running on it
_warned: set[str] = set()


def autolog(log_models: bool = True, log_input_examples: bool = False,
            max_tuning_runs: int | None = 5, disable: bool = False, exclusive: bool = False,
            silent: bool = False) -> None:
    """Log params, training metrics and the fitted model of every scikit-learn fit.

    `max_tuning_runs`: child runs for the best candidates of a parameter search (None: all).
    `log_input_examples`: save the first rows of the training data with the model.
    `disable=True` turns autologging off and restores scikit-learn's methods."""
    global _config
    if max_tuning_runs is not None and (isinstance(max_tuning_runs, bool)
                                        or not isinstance(max_tuning_runs, int)
                                        or max_tuning_runs < 0):
        raise InvalidInputError(f"autolog: max_tuning_runs must be None or an integer >= 0, "
                                f"not {max_tuning_runs!r}")
    with _lock:
        if disable:
            _config = None
            _unpatch()
            return
        _config = AutologConfig(bool(log_models), bool(log_input_examples), max_tuning_runs,
                                bool(exclusive), bool(silent))
        _warned.clear()
        if not _patches:
            _patch()


def autolog_config() -> AutologConfig | None:
    """The settings autologging runs with, or None when it is off."""
    return _config


# -- patching ---------------------------------------------------------------------------------

def _estimator_classes() -> set[type]:
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.utils import all_estimators

    return {cls for _, cls in all_estimators()} | {GridSearchCV, RandomizedSearchCV, Pipeline}


def _patch() -> None:
    done: set[tuple[type, str]] = set()
    for cls in sorted(_estimator_classes(), key=lambda c: (c.__module__, c.__qualname__)):
        for name in TRAINING_METHODS:
            owner = next((k for k in cls.__mro__ if name in k.__dict__), None)
            if owner is None or (owner, name) in done:
                continue
            done.add((owner, name))
            raw = owner.__dict__[name]
            wrapped = _wrap_attribute(raw)
            if wrapped is not None:
                setattr(owner, name, wrapped)
                _patches.append((owner, name, raw))


def _unpatch() -> None:
    while _patches:
        owner, name, raw = _patches.pop()
        setattr(owner, name, raw)


def _wrap_attribute(raw: Any) -> Any:
    if isinstance(raw, types.FunctionType):
        return _wrap(raw)
    if callable(getattr(raw, "fn", None)) and hasattr(raw, "check"):  # sklearn's available_if
        descriptor = copy.copy(raw)
        descriptor.fn = _wrap(raw.fn)
        return descriptor
    return None


def _wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def fit_with_autolog(self: Any, *args: Any, **kwargs: Any) -> Any:
        config = _config
        if config is None or _inside.get() or _nested_on_helper_thread():
            return original(self, *args, **kwargs)
        token = _inside.set(True)
        ident = threading.get_ident()
        with _lock:
            _outer_threads[ident] = _outer_threads.get(ident, 0) + 1
        try:
            return _fit_and_log(config, original, self, args, kwargs)
        finally:
            _inside.reset(token)
            with _lock:
                depth = _outer_threads.pop(ident, 1) - 1
                if depth:
                    _outer_threads[ident] = depth

    fit_with_autolog.__slipstream_autolog__ = True  # type: ignore[attr-defined]
    return fit_with_autolog


def _nested_on_helper_thread() -> bool:
    """A fit on a helper thread (no run, no task, not the main thread) while another thread
    is inside an autologged fit: a worker of that fit (joblib threads copy no context)."""
    if not _outer_threads or threading.current_thread() is threading.main_thread():
        return False
    ctx = current_context()
    if ctx is not None and ctx.execution_id:
        return False
    from slipstream.tracking.fluent import active_run

    return active_run() is None


# -- one autologged fit -----------------------------------------------------------------------

def _fit_and_log(config: AutologConfig, original: Callable[..., Any], estimator: Any,
                 args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if not _logs_on_its_own(type(estimator)):
        return original(estimator, *args, **kwargs)
    try:
        active, owned = _target_run(config, type(estimator).__name__)
    except Exception as exc:
        _warn(config, f"no run to log {type(estimator).__name__}.fit to: "
                      f"{type(exc).__name__}: {exc}")
        return original(estimator, *args, **kwargs)
    if active is None:
        return original(estimator, *args, **kwargs)
    from slipstream.models.autolog import sklearn_logging as logged

    try:
        active.client.log_params(active.run_id, logged.estimator_params(estimator))
        active.client.set_tags(active.run_id, logged.estimator_tags(estimator))
    except Exception as exc:
        _warn(config, f"params of {type(estimator).__name__} were not logged: "
                      f"{type(exc).__name__}: {exc}")
    try:
        result = original(estimator, *args, **kwargs)
    except BaseException as exc:
        if owned:
            _end_owned(config, active, "KILLED" if isinstance(exc, KeyboardInterrupt)
                       else "FAILED")
        raise
    try:
        _log_fitted(config, active, original, estimator, args, kwargs)
    except Exception as exc:
        _warn(config, f"{type(estimator).__name__}.fit was only partly logged: "
                      f"{type(exc).__name__}: {exc}")
    if owned:
        _end_owned(config, active, "FINISHED")
    return result


def _log_fitted(config: AutologConfig, active: Any, original: Callable[..., Any],
                estimator: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    from slipstream.models.autolog import sklearn_logging as logged

    client, run_id = active.client, active.run_id
    x, y, weight = logged.fit_arguments(original, estimator, args, kwargs)
    metrics = logged.training_metrics(estimator, x, y, weight,
                                      lambda message: _warn(config, message))
    if metrics:
        client.log_metrics(run_id, metrics)
    if config.log_models:
        logged.log_model(client, run_id, estimator, "model",
                         x if config.log_input_examples else None)
    if logged.is_search(estimator):
        logged.log_search(client, active, estimator, config.max_tuning_runs, config.log_models,
                          lambda message: _warn(config, message))


def _target_run(config: AutologConfig, estimator_name: str) -> tuple[Any, bool]:
    """(the run to log to, whether autologging started it and must end it); (None, False)
    when an exclusive autolog finds a run it did not start."""
    from slipstream.tracking import fluent

    current = fluent.active_run()
    if current is not None:
        return (None, False) if config.exclusive else (current, False)
    ctx = current_context()
    if ctx is not None and ctx.execution_id and not config.exclusive:
        return fluent.run_for_logging(), False
    return fluent.start_run(run_name=estimator_name, tags={AUTOLOGGING_TAG: "sklearn"}), True


def _end_owned(config: AutologConfig, active: Any, status: str) -> None:
    from slipstream.tracking.fluent import end_run

    try:
        end_run(status)
    except Exception as exc:
        _warn(config, f"ending run {active.run_id}: {type(exc).__name__}: {exc}")


def _logs_on_its_own(cls: type) -> bool:
    name = f"{cls.__module__}.{cls.__qualname__}"
    return not (cls.__module__.startswith(_UNLOGGED_MODULES) or name in _UNLOGGED_CLASSES)


def _warn(config: AutologConfig, message: str) -> None:
    if config.silent:
        return
    with _lock:
        if message in _warned:
            return
        _warned.add(message)
    warnings.warn(f"slipstream autolog: {message}", stacklevel=4)


def _reset_after_fork() -> None:
    global _lock
    _lock = threading.RLock()
    _outer_threads.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
