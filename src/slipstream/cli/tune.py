"""`slipstream tune …`: hyperparameter studies from the shell.

    slipstream tune PATH.py:TASK --space space.yaml --trials 50 --parallel 2   # (= tune run …)
    slipstream tune resume STUDY        # continue after a crash or Ctrl-C
    slipstream tune list | show STUDY | delete STUDY

The objective is loaded as `slipstream run` loads a workflow (`execution.loading`); the space
file's format is `slipstream.tuning.space`'s. A study is named by its name or its id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from slipstream._core.errors import UserError
from slipstream.cli.main import State, console, err_console
from slipstream.entities.studies import TrialState

if TYPE_CHECKING:
    from slipstream.entities.studies import Study, Trial
    from slipstream.metadata.studies import StudyStore


class _TuneGroup(TyperGroup):
    """`slipstream tune PATH.py:TASK …` is `slipstream tune run PATH.py:TASK …` (a target
    names its object after a colon; anything else is a subcommand, or a "did you mean")."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and ":" in args[0] and args[0] not in self.commands:
            args = ["run", *args]
        return super().parse_args(ctx, args)


tune_app = typer.Typer(
    cls=_TuneGroup, no_args_is_help=True,
    help="Hyperparameter studies: `slipstream tune PATH.py:TASK --space space.yaml --trials 50 "
         "--parallel 2` runs one (the same as `tune run …`); resume, list, show, delete.")

StudyArg = Annotated[str, typer.Argument(help="Study name or id")]


def register(app: typer.Typer) -> None:
    app.add_typer(tune_app, name="tune")


@contextmanager
def _store() -> Iterator[StudyStore]:
    from slipstream._core.settings import Settings
    from slipstream.metadata.factory import open_study_store

    settings = Settings.load(**State.overrides)
    store = open_study_store(settings.store_url)
    try:
        yield store
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()


def _settings_env() -> None:
    """Apply the global options (--home, --store, --artifacts) to what `ss.tune` reads."""
    import os

    names = {"home": "SLIPSTREAM_HOME", "store_url": "SLIPSTREAM_STORE_URL",
             "artifact_uri": "SLIPSTREAM_ARTIFACT_URI"}
    for key, value in State.overrides.items():
        if value is not None:
            os.environ[names[key]] = str(value)


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False)


def _when(seconds: float | None) -> str:
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S") if seconds else ""


# -- running ----------------------------------------------------------------------------------

@tune_app.command("run")
def run(
    target: Annotated[str, typer.Argument(help="The objective: path/to/file.py:task or "
                                          "module:task (a @task or a function)")],
    space: Annotated[Path, typer.Option(help="Search space file (YAML or JSON), e.g. "
                                        "`C: {loguniform: [1e-4, 100]}`")],
    trials: Annotated[int | None, typer.Option(help="How many trials in all (max_trials)")] = None,
    parallel: Annotated[int | None, typer.Option(help="Trials at a time (parallel_trials)")
                        ] = None,
    objective: Annotated[str | None, typer.Option(help="The metric to optimise, when the task "
                                                  "returns a dict of metrics")] = None,
    goal: Annotated[str | None, typer.Option(help="maximize or minimize")] = None,
    algorithm: Annotated[str | None, typer.Option(help="random, grid, tpe, cmaes, gp or qmc")
                         ] = None,
    early_stopping: Annotated[str | None, typer.Option(
        help="none, median, successive_halving or hyperband")] = None,
    max_failed: Annotated[int | None, typer.Option(help="Stop after this many failed trials "
                                                   "(max_failed_trials)")] = None,
    name: Annotated[str | None, typer.Option(help="Study name (unique; default: the task's name "
                                             "and a short id)")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the search algorithm")] = None,
    executor: Annotated[str | None, typer.Option(help="inline or process[:N] (default: what "
                                                 "the tuner picks for --parallel)")] = None,
) -> None:
    """Run a study: each trial calls the task with one point of the space."""
    import slipstream as ss
    from slipstream.execution.loading import load_entity
    from slipstream.tuning.api import default_study_name
    from slipstream.tuning.space import load_space

    distributions = load_space(space)  # a bad space file fails before anything is loaded
    fn = load_entity(target)
    study_name = name or default_study_name(fn)
    options = {"objective": objective, "goal": goal, "algorithm": algorithm,
               "early_stopping": early_stopping, "max_trials": trials,
               "parallel_trials": parallel, "max_failed_trials": max_failed, "seed": seed,
               "executor": executor}
    _settings_env()
    _print(f"Tuning {target} as study {study_name}")
    _drive(study_name, lambda: ss.tune(fn, space=distributions, name=study_name,
                                       **{k: v for k, v in options.items() if v is not None}))


@tune_app.command("resume")
def resume(
    study: StudyArg,
    trials: Annotated[int | None, typer.Option(help="A new budget: trials in all")] = None,
) -> None:
    """Continue a stopped study (crash, kill, Ctrl-C): no trial lost or repeated."""
    import slipstream as ss

    with _store() as store:
        found = store.get_study(study)
        recorded = store.list_trials(found.study_id, intermediate=False)
    _settings_env()
    _print(f"Resuming study {found.name} ({found.study_id}, {found.status}, {len(recorded)} "
           "trials recorded)")
    finished = [t.number for t in recorded if t.state != TrialState.RUNNING]
    _drive(found.name, lambda: ss.resume_study(found.study_id, max_trials=trials),
           finished=finished)


def _drive(name: str, start: Any, *, finished: list[int] | None = None) -> None:
    """Run the study with the progress display (a line for each trial that ends, not for those
    `finished` before), then print its outcome."""
    from slipstream.cli.tune_progress import StudyProgress, StudyWatcher

    progress = StudyProgress(console, name, finished=finished or ())
    with _store() as store:
        def read() -> tuple[Study, list[Trial]]:
            found = store.get_study(name)
            return found, store.list_trials(found.study_id, intermediate=False)

        try:
            with progress.live(), StudyWatcher(read, progress.update):
                start()
        except KeyboardInterrupt:
            err_console.print(f"Study {name} stopped: `slipstream tune resume {name}` "
                              "continues it", highlight=False, markup=False)
            raise
        except UserError as exc:
            if getattr(exc, "study_id", None):  # StudyFailedError: say what was recorded
                _outcome(*read())
            raise
        _outcome(*read())


def _outcome(study: Study, trials: list[Trial]) -> None:
    from slipstream.cli.tune_progress import best_text, summary_text

    best = best_text(study, trials)
    _print(f"Study {study.name} ({study.study_id}) {study.status}: {summary_text(trials)}")
    _print(best[0].upper() + best[1:])
    _print(f"See `slipstream tune show {study.name}`")


# -- inspecting -------------------------------------------------------------------------------

@tune_app.command("list")
def list_studies() -> None:
    """Every study, newest first, with its progress and best value."""
    from slipstream.cli.tune_progress import best_trial, number_text

    with _store() as store:
        studies = [(s, store.list_trials(s.study_id, intermediate=False))
                   for s in store.list_studies()]
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("name", "id", "status", "trials", "best", "objective", "algorithm",
                   "created"):
        table.add_column(column)
    for study, trials in studies:
        best = best_trial(trials, study.direction)
        table.add_row(study.name, study.study_id, study.status,
                      f"{len(trials)}/{study.max_trials}",
                      number_text(best.value) if best else "-",
                      f"{study.objective} ({study.direction})",
                      f"{study.algorithm}/{study.early_stopping}", _when(study.created_at))
    if not studies:
        _print("No studies")
        return
    console.print(table, highlight=False)


@tune_app.command("show")
def show(study: StudyArg) -> None:
    """A study's set-up, its trials and the best one."""
    from slipstream.cli.tune_progress import best_text, number_text, summary_text

    with _store() as store:
        found = store.get_study(study)
        trials = store.list_trials(found.study_id, intermediate=True)
    _print(f"{found.name}  {found.study_id}  {found.status}  created {_when(found.created_at)}"
           + (f", ended {_when(found.ended_at)}" if found.ended_at else ""))
    _print(f"objective: {found.objective} ({found.direction}); algorithm {found.algorithm}, "
           f"early stopping {found.early_stopping}; up to {found.max_trials} trials, "
           f"{found.parallel_trials} at a time, {found.max_failed_trials} failures allowed"
           + (f"; seed {found.seed}" if found.seed is not None else ""))
    if found.task_ref:
        _print(f"task: {found.task_ref}")
    _print("space: " + ", ".join(f"{k}={_dist_text(v)}" for k, v in found.space.items()))
    if found.execution_id or found.parent_run_id:
        _print(f"execution {found.execution_id or '-'}, parent run {found.parent_run_id or '-'}")
    _print(f"{summary_text(trials)}; {best_text(found, trials)}")
    names = list(found.space)
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("trial", "state", found.objective, *names, "steps", "time", "run", "error"):
        table.add_column(column)
    for t in trials:
        seconds = f"{t.ended_at - t.started_at:.2f} s" if t.ended_at else ""
        table.add_row(str(t.number), t.state, number_text(t.value) if t.value is not None else "",
                      *(number_text(t.params.get(n, "")) for n in names), str(len(t.intermediate))
                      if t.intermediate else "", seconds, t.run_id,
                      t.error.splitlines()[0][:80] if t.error else "")
    if trials:
        console.print(table, highlight=False)


def _dist_text(dist: dict[str, Any]) -> str:
    """A stored distribution (Optuna's JSON) as the space file would write it."""
    kind, attrs = dist.get("name", ""), dist.get("attributes", {})
    if kind == "CategoricalDistribution":
        return f"choice({list(attrs.get('choices', []))})"
    low, high = attrs.get("low"), attrs.get("high")
    if kind == "IntDistribution":
        extra = (", log" if attrs.get("log") else "") + (
            f", step={attrs['step']}" if attrs.get("step", 1) != 1 else "")
        return f"intrange({low}, {high}{extra})"
    if kind == "FloatDistribution":
        if attrs.get("log"):
            return f"loguniform({low}, {high})"
        step = attrs.get("step")
        return f"uniform({low}, {high}" + (f", step={step})" if step else ")")
    return str(dist)


@tune_app.command("delete")
def delete(study: StudyArg) -> None:
    """Delete a study and its trials (their runs and node executions stay)."""
    with _store() as store:
        found = store.get_study(study)
        store.delete_study(found.study_id)
    _print(f"Deleted study {found.name} ({found.study_id})")
