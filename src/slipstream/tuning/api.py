"""`ss.tune`, `ss.resume_study` and `ss.suggest`: hyperparameter studies on Optuna's samplers and
pruners, every trial a node execution and a tracked run, every study in the metadata store.

The objective `fn` is a @task or a plain function. It takes the space's parameters by name
(parameters with defaults may be left out of the space), or one parameter `params` (a dict of
them); this is checked before anything runs. It returns the objective (a number) or a dict of
metrics holding it (`objective=` names it; other numbers are logged too).

`algorithm_settings` are the sampler's options (algorithms.SETTINGS, e.g. {"n_startup_trials":
20} for tpe), checked before anything runs and kept with the study (a resumed study uses them
again); without them the sampler runs with Optuna's defaults.

Defaults: `executor=None` runs trials in this process when `parallel_trials` is 1 and on a
process pool of `parallel_trials` workers otherwise ("inline", "process", "process:N" or an
Executor choose for you). `max_failed_trials=None` (stored as 0) never stops a study for
failures. A study's parent run is the running task's run when `tune` is called inside a
workflow task (or the active run, when one is); otherwise a new run named after the study.
Bad input (the space, the names, the objective's signature, a grid larger than max_trials)
raises one InvalidInputError before anything is written.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from typing import Any

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream._core.ids import new_id, now
from slipstream._core.settings import Settings
from slipstream.entities.studies import Study, StudyStatus
from slipstream.execution.executor import Executor, make_executor
from slipstream.metadata.studies import StudyExistsError, StudyStore, check_study_name
from slipstream.tuning import space as spaces
from slipstream.tuning.algorithms import (
    ALGORITHMS,
    EARLY_STOPPING,
    GOALS,
    GridOrder,
    check_choice,
    check_settings,
)
from slipstream.tuning.study import StudyHandle
from slipstream.tuning.trial import STUDY_TAG, TrialTask, params_style

_stores: dict[Settings, StudyStore] = {}
_stores_lock = threading.Lock()


def study_store(settings: Settings | None = None) -> StudyStore:
    """The study store of `settings` (default: the current ones), opened once."""
    settings = settings or Settings.load()
    with _stores_lock:
        store = _stores.get(settings)
        if store is None:
            from slipstream.metadata.factory import open_study_store

            store = _stores[settings] = open_study_store(settings.store_url)
    return store


def close_study_stores() -> None:
    with _stores_lock:
        stores = list(_stores.values())
        _stores.clear()
    for store in stores:
        close = getattr(store, "close", None)
        if close is not None:
            close()


def tune(fn: Any, space: Mapping[str, Any], *, objective: str = "objective",
         goal: str = "minimize", algorithm: str = "tpe", early_stopping: str = "none",
         max_trials: int = 100, parallel_trials: int = 1, max_failed_trials: int | None = 5,
         name: str | None = None, seed: int | None = None,
         executor: str | Executor | None = None,
         algorithm_settings: Mapping[str, Any] | None = None) -> StudyHandle:
    """Run a study of `fn` over `space` and return it (see the module docstring); raises
    StudyFailedError (with `.study`) when `max_failed_trials` trials failed."""
    from slipstream.execution.api import default_client

    distributions = spaces.check_space(space)
    if not isinstance(objective, str) or not objective:
        raise InvalidInputError(f"objective must be the name of a metric, not {objective!r}")
    check_choice("goal", goal, GOALS)
    check_choice("algorithm", algorithm, ALGORITHMS)
    sampler_settings = check_settings(algorithm, algorithm_settings)
    check_choice("early_stopping", early_stopping, EARLY_STOPPING)
    max_trials = _count("max_trials", max_trials, 1)
    parallel_trials = _count("parallel_trials", parallel_trials, 1)
    max_failed = 0 if max_failed_trials is None else _count("max_failed_trials",
                                                            max_failed_trials, 1)
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise InvalidInputError(f"seed must be an integer or None, not {seed!r}")
    if algorithm == "grid":
        size = spaces.grid_size(distributions)
        if size > max_trials:
            raise InvalidInputError(
                f"the grid has {size} points but max_trials is {max_trials}: a grid search "
                f"tries every point, so give max_trials={size} (or more), or use "
                "algorithm='random'")
    params_style(fn, list(distributions))
    task_name = _name_of(fn)
    if name is None:
        name = default_study_name(fn)
    check_study_name(name)
    chosen = _executor(executor, parallel_trials)
    client = default_client()
    store = study_store(client.settings)
    with contextlib.suppress(NotFoundError):
        store.get_study(name)
        raise StudyExistsError(f"a study named {name!r} exists already: continue it with "
                               f"ss.resume_study({name!r}), or choose another name")
    study_id = new_id()
    parent, owned = _parent_run(name, study_id)
    record = Study(
        study_id=study_id, name=name, objective=objective, direction=goal,
        space=spaces.space_to_json(distributions), algorithm=algorithm,
        early_stopping=early_stopping, max_trials=max_trials, parallel_trials=parallel_trials,
        max_failed_trials=max_failed, status=StudyStatus.RUNNING.value, created_at=now(),
        task_name=task_name, task_ref=_ref_of(fn), seed=seed, execution_id=new_id(),
        parent_run_id=parent.run_id, experiment_id=str(parent.info.experiment_id),
        settings={"executor": executor if isinstance(executor, str) else None,
                  "owns_parent_run": owned, "algorithm_settings": sampler_settings})
    try:
        store.create_study(record)
    except BaseException:
        if owned:
            parent.__exit__(None, None, None)
        raise
    return _drive(record, distributions, fn, store, client, chosen, parent if owned else None,
                  budget=max_trials)


def resume_study(name_or_id: str, *, max_trials: int | None = None) -> StudyHandle:
    """Continue a stored study (after Ctrl-C, a crash, or to raise `max_trials`): trials left
    RUNNING run again with their own numbers and parameters, then new ones until
    `max_trials` trials have finished. The objective is loaded again from `task_ref`."""
    from slipstream.execution.api import default_client, runner_alive
    from slipstream.execution.loading import load_entity

    client = default_client()
    store = study_store(client.settings)
    record = store.get_study(name_or_id)
    execution = None
    with contextlib.suppress(NotFoundError):
        execution = client.store.get_execution(record.execution_id)
    if record.status == StudyStatus.RUNNING and execution is not None \
            and runner_alive(execution):
        raise InvalidInputError(f"study {record.name!r} is still running (pid {execution.pid} "
                                f"on {execution.host})")
    budget = int(record.settings.get("max_trials") or record.max_trials)
    if max_trials is not None:
        budget = _count("max_trials", max_trials, 1)
    try:
        fn = load_entity(record.task_ref)
    except (InvalidInputError, NotFoundError) as exc:
        raise InvalidInputError(f"study {record.name!r}: its objective {record.task_ref!r} "
                                f"cannot be loaded again: {exc}") from None
    distributions = spaces.space_from_json(record.space)
    params_style(fn, list(distributions))
    chosen = _executor(record.settings.get("executor"), record.parallel_trials)
    parent = None
    if record.settings.get("owns_parent_run") and record.parent_run_id:
        from slipstream.tracking import fluent

        parent = fluent.start_run(run_id=record.parent_run_id, nested=True)
    settings = {**record.settings, "max_trials": budget}
    record = store.update_study(record.study_id, status=StudyStatus.RUNNING.value,
                                settings=settings)
    return _drive(record, distributions, fn, store, client, chosen, parent, budget=budget,
                  trials=store.list_trials(record.study_id), execution=execution)


def suggest(space: Mapping[str, Any], n: int, *, algorithm: str = "random",
            seed: int | None = None,
            algorithm_settings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """`n` parameter sets drawn from `space` by an Optuna sampler (with `algorithm_settings`,
    as `tune` takes them), with no feedback (for a @dynamic fan-out: one task per set).
    Samplers that learn from results (tpe, gp, cmaes) act as their random start-up; `grid`
    gives the first `n` grid points in order."""
    import optuna

    from slipstream.tuning.algorithms import make_sampler, quiet_optuna

    distributions = spaces.check_space(space)
    check_choice("algorithm", algorithm, ALGORITHMS)
    sampler_settings = check_settings(algorithm, algorithm_settings)
    n = _count("n", n, 1)
    if algorithm == "grid":
        grid = GridOrder(distributions, seed)
        if n > len(grid):
            raise InvalidInputError(f"the grid has {len(grid)} points; cannot suggest {n}")
        return [grid.point(i) for i in range(n)]
    with quiet_optuna():
        study = optuna.create_study(sampler=make_sampler(algorithm, seed, sampler_settings))
        return [dict(study.ask(distributions).params) for _ in range(n)]


# -- internals --------------------------------------------------------------------------------

def _drive(record: Study, distributions: dict[str, Any], fn: Any, store: StudyStore,
           client: Any, executor: Executor, parent: Any, *, budget: int,
           trials: list[Any] | None = None, execution: Any = None) -> StudyHandle:
    """Run a created or resumed study with a Tuner; end the parent run we own."""
    from slipstream.tuning import link as links
    from slipstream.tuning.tuner import StudyFailedError, Tuner

    token = new_id()
    task = TrialTask(fn, types={n: spaces.python_type(d) for n, d in distributions.items()},
                     objective=record.objective, study_id=record.study_id,
                     experiment_id=record.experiment_id, parent_run_id=record.parent_run_id,
                     link_token=token)
    tuner = Tuner(study=record, store=store, client=client, task=task, space=distributions,
                  executor=executor, budget=budget)
    handle = StudyHandle(store, record.study_id)
    server = None
    if not executor.shares_memory:
        server = links.LinkServer(tuner, executor.callback_host())
        task.link_address, task.link_key = server.address, server.key
    links.register(token, tuner)
    try:
        with parent if parent is not None else contextlib.nullcontext():
            if trials:
                tuner.replay(trials)
            try:
                tuner.run(execution)
            except StudyFailedError as exc:
                exc.study = handle  # type: ignore[attr-defined]
                raise
            best = handle.best_value
            if best is not None and parent is not None:
                parent.client.log_metric(parent.run_id, record.objective, best)
    finally:
        links.unregister(token)
        if server is not None:
            server.close()
    return handle


def _parent_run(name: str, study_id: str) -> tuple[Any, bool]:
    """(the study's parent run, whether the study owns it): the running task's (or active)
    run, else a new run named after the study."""
    from slipstream._core.context import current_context
    from slipstream.tracking import fluent

    ctx = current_context()
    if (ctx is not None and ctx.execution_id) or fluent.active_run() is not None:
        return fluent.run_for_logging(), False
    return fluent.start_run(run_name=name, tags={STUDY_TAG: study_id}), True


#: What a trial imports in a pool worker: preloaded by the forkserver (when it is first
#: started), so each worker of each study forks with them instead of importing them itself.
_WORKER_PRELOAD = ["slipstream.tuning.trial", "slipstream.tracking.fluent",
                   "slipstream.metadata.sql.tracking", "slipstream.metadata.sql.tracking_runs",
                   "slipstream.execution.process", "slipstream.artifacts", "slipstream.types"]


def _executor(spec: Any, parallel_trials: int) -> Executor:
    if spec is None:
        spec = "inline" if parallel_trials == 1 else f"process:{parallel_trials}"
    if isinstance(spec, str):
        executor = make_executor(spec)
    elif isinstance(spec, Executor):
        executor = spec
    else:
        raise InvalidInputError(f"executor must be 'inline', 'process', 'process:N' or an "
                                f"Executor, not {spec!r:.80}")
    if not executor.shares_memory:
        import multiprocessing

        from slipstream.execution.process import ProcessExecutor

        if isinstance(executor, ProcessExecutor):  # its pools fork from the forkserver
            multiprocessing.get_context("forkserver").set_forkserver_preload(_WORKER_PRELOAD)
    return executor


def _count(label: str, value: Any, least: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise InvalidInputError(f"{label} must be an integer >= {least}, not {value!r}")
    return value


def default_study_name(fn: Any) -> str:
    """The name a study of `fn` gets when none is given: the task's name and a short id."""
    return f"{_name_of(fn)}-{new_id()[:8]}"


def _name_of(fn: Any) -> str:
    return str(getattr(fn, "name", None) or getattr(fn, "__name__", None) or "objective")


def _ref_of(fn: Any) -> str:
    """Where `resume_study` finds the objective again (as the engine records workflows)."""
    from types import SimpleNamespace

    from slipstream.execution.loading import source_ref_of

    inner = getattr(fn, "fn", fn)
    if not hasattr(inner, "__module__") or not hasattr(inner, "__qualname__"):
        return ""
    return source_ref_of(SimpleNamespace(fn=inner))
