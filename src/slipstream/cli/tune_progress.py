"""Live progress of a study in the terminal: counts (done / running / pruned / failed), the best
value so far with its parameters, and the latest trials, refreshed as trials finish (on a TTY);
one line per finished trial otherwise (logs, CI, pipes).

The trials are read from the study store by a background thread (`StudyWatcher`), so the table
shows what is durable, whichever executor runs the trials.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from slipstream.entities.studies import Study, Trial, TrialState

STATE_STYLES = {TrialState.RUNNING: "yellow", TrialState.COMPLETE: "green",
                TrialState.PRUNED: "magenta", TrialState.FAIL: "red"}
RECENT = 8  # finished trials shown under the counts


def number_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else str(value)
    return str(value)


def params_text(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={number_text(v)}" for k, v in params.items())


def best_trial(trials: Iterable[Trial], direction: str) -> Trial | None:
    """The COMPLETE trial with the best value (the lowest number on ties)."""
    done = [t for t in trials if t.state == TrialState.COMPLETE and t.value is not None]
    if not done:
        return None
    sign = -1.0 if direction == "maximize" else 1.0
    return min(done, key=lambda t: (sign * float(t.value or 0.0), t.number))


def counts(trials: Iterable[Trial]) -> dict[str, int]:
    out = {state.value: 0 for state in TrialState}
    for trial in trials:
        out[trial.state] = out.get(trial.state, 0) + 1
    return out


def summary_text(trials: list[Trial]) -> str:
    """`N trials: a complete, b pruned, c failed` (and running ones, if any)."""
    n = counts(trials)
    text = (f"{len(trials)} trials: {n['COMPLETE']} complete, {n['PRUNED']} pruned, "
            f"{n['FAIL']} failed")
    return text + (f", {n['RUNNING']} running" if n["RUNNING"] else "")


def best_text(study: Study, trials: list[Trial]) -> str:
    best = best_trial(trials, study.direction)
    if best is None:
        return f"no complete trial yet ({study.direction} {study.objective})"
    return (f"best {study.objective} {number_text(best.value)} ({study.direction}) at trial "
            f"{best.number}: {params_text(best.params)}")


class StudyProgress:
    """What the terminal shows while a study runs; `update` takes the study and its trials
    (the study is unknown until the tuner has stored it)."""

    def __init__(self, console: Console, name: str, *, finished: Iterable[int] = ()) -> None:
        self.console = console
        self.name = name
        self.study: Study | None = None
        self.trials: dict[int, Trial] = {}
        self.printed: set[int] = set(finished)  # trials that had ended before: no line
        self.interactive = console.is_terminal
        self.lock = threading.Lock()

    def update(self, study: Study, trials: Iterable[Trial]) -> None:
        with self.lock:
            self.study = study
            for trial in trials:
                self.trials[trial.number] = trial
            finished = [t for t in sorted(self.trials.values(), key=lambda t: t.number)
                        if t.state != TrialState.RUNNING and t.number not in self.printed]
            self.printed.update(t.number for t in finished)
        if not self.interactive:
            for trial in finished:
                self.console.print(self.line(study, trial), highlight=False, markup=False)

    def line(self, study: Study, trial: Trial) -> str:
        """One finished trial, with the best value among the trials up to it."""
        value = f" {study.objective}={number_text(trial.value)}" if trial.value is not None \
            else ""
        error = f"  {trial.error.splitlines()[0][:160]}" if trial.error else ""
        with self.lock:
            trials = [t for t in self.trials.values() if t.number <= trial.number]
        best = best_trial(trials, study.direction)
        best_note = f"  (best {number_text(best.value)} at trial {best.number})" if best else ""
        return (f"  trial {trial.number:<5} {trial.state:<8}{value}  {params_text(trial.params)}"
                f"{error}{best_note}")

    def render(self) -> Group | Text:
        with self.lock:
            study = self.study
            trials = sorted(self.trials.values(), key=lambda t: t.number)
        if study is None:
            return Text(f"{self.name}  starting ...")
        n = counts(trials)
        head = Text.assemble(
            (f"{study.name}", "bold"), "  ",
            (f"{n['COMPLETE'] + n['PRUNED'] + n['FAIL']}/{study.max_trials} done", "bold"),
            "  ", (f"{n['RUNNING']} running", STATE_STYLES[TrialState.RUNNING]),
            "  ", (f"{n['PRUNED']} pruned", STATE_STYLES[TrialState.PRUNED]),
            "  ", (f"{n['FAIL']} failed", STATE_STYLES[TrialState.FAIL]))
        table = Table(box=None, pad_edge=False, show_edge=False)
        for column in ("trial", "state", study.objective, "params", "time"):
            table.add_column(column)
        now = time.time()
        running = [t for t in trials if t.state == TrialState.RUNNING]
        finished = [t for t in trials if t.state != TrialState.RUNNING][-RECENT:]
        for trial in [*finished, *running]:
            seconds = (trial.ended_at or now) - trial.started_at
            style = STATE_STYLES.get(TrialState(trial.state), "white")
            table.add_row(str(trial.number), f"[{style}]{trial.state}[/]",
                          number_text(trial.value) if trial.value is not None else "",
                          Text(params_text(trial.params)), f"{seconds:.2f} s")
        return Group(head, Text(best_text(study, trials)), table)

    @contextmanager
    def live(self) -> Iterator[None]:
        if not self.interactive:
            yield
            return
        with Live(get_renderable=self.render, console=self.console, refresh_per_second=4,
                  transient=False):
            yield


class StudyWatcher:
    """Reads the study and its trials every `interval` seconds in a thread (less often when a
    read takes long: at most a tenth of the time is spent reading) and hands them to
    `on_trials`; leaving the `with` block reads once more, so the last trials are shown."""

    def __init__(self, read: Callable[[], tuple[Study, list[Trial]]],
                 on_trials: Callable[[Study, list[Trial]], None], interval: float = 0.25) -> None:
        self.read, self.on_trials, self.interval = read, on_trials, interval
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="slipstream-tune-watch",
                                       daemon=True)

    def _poll(self) -> float:
        """Read and hand over once; how long the read took."""
        start = time.perf_counter()
        try:
            study, trials = self.read()
        except Exception:  # the study may not exist yet; the tuner reports real errors
            return time.perf_counter() - start
        took = time.perf_counter() - start
        self.on_trials(study, trials)
        return took

    def _loop(self) -> None:
        wait = self.interval
        while not self.done.wait(wait):
            wait = max(self.interval, 10 * self._poll())

    def __enter__(self) -> StudyWatcher:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()
        self._poll()
