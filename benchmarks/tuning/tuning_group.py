"""The tuning group of benchmarks/run.py (`--only tuning`): `ss.tune` against plain Optuna on
the same objectives, each tool in its own venv, one fresh process per measurement.

Per repeat, round-robin over the tools (so a burst of load from elsewhere lands on both):
- tpe: 200 TPE trials of the trivial objective: Optuna in memory, Optuna on its SQLite
  RDBStorage, Slipstream with every trial persisted in its SQLite metadata store
  (sequential: parallel_trials=1, inline).
- grid: grids of 250, 500, 1,000 and 2,000 points: Optuna's GridSampler in memory and
  Slipstream's grid; time per trial at each size.
- parallel: the CPU-bound objective with 1 and 2 trials at a time (Slipstream: parallel_trials on
  its process pool; Optuna: n_jobs threads), and the floor: the same trials with no tuner (in
  this process, or a plain pool of 2), what the machine gives at the moment.
Once per invocation, after the repeats (its figures are accuracies, the same in every repeat):
- quality: TPE with 50 trials against random search with 200 on the fixed logistic-regression
  objective (_logreg.py), seeds 0 .. 9, one process per tool and algorithm (2-3 minutes).
Stdlib only (run.py runs under any Python).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _common as c
from tuning_report import KINDS, print_section, targets, verdicts

__all__ = ["measure", "print_section", "targets", "verdicts"]

HERE = Path(__file__).resolve().parent
SCRIPTS = {"optuna": HERE / "optuna_tuning.py", "slipstream": HERE / "slipstream_tuning.py",
           "floor": HERE / "floor.py"}
QUALITY_SCRIPTS = {"optuna": HERE / "optuna_quality.py",
                   "slipstream": HERE / "slipstream_quality.py"}
PARALLEL = (1, 2)
TIMEOUT_S = 600
QUALITY_TIMEOUT_S = 1200

Log = Callable[[str], None]


def plan() -> list[tuple[str, str, str, list[str]]]:
    """(bench, row, tool, argv after the script) of every measurement in one repeat."""
    out: list[tuple[str, str, str, list[str]]] = [
        ("tpe", "optuna_memory", "optuna", ["--bench", "tpe", "--storage", "memory"]),
        ("tpe", "optuna_sqlite", "optuna", ["--bench", "tpe", "--storage", "sqlite"]),
        ("tpe", "slipstream", "slipstream", ["--bench", "tpe"]),
    ]
    for n in c.GRID_SIZES:
        for tool in KINDS:
            out.append(("grid", f"{tool}_{n}", tool, ["--bench", "grid", "--n", str(n)]))
    for n_parallel in PARALLEL:
        for tool in (*KINDS, "floor"):
            out.append(("parallel", f"{tool}_{n_parallel}", tool,
                        ["--bench", "parallel", "--parallel", str(n_parallel)]))
    return out


def measure(pythons: dict[str, Path], failures: dict[str, str], repeat: int, log: Log,
            run_json: Callable[..., dict[str, Any]], median_of: Callable[..., dict[str, Any]],
            run_failed: type[Exception]) -> dict[str, Any]:
    """bench -> row -> median record (with `each`: every repeat's figures) or {"error": ...}."""
    records: dict[tuple[str, str], list[dict[str, Any]]] = {}
    errors: dict[tuple[str, str], str] = {}
    steps = plan()
    for bench, row, tool, _ in steps:
        if tool in failures:
            errors[(bench, row)] = failures[tool]
    for i in range(repeat):
        for bench, row, tool, argv in steps:
            if (bench, row) in errors:
                continue
            log(f"  tuning   {bench:<8} {row:<18} run {i + 1}/{repeat}")
            try:
                python = Path(sys.executable) if tool == "floor" else pythons[tool]
                record = run_json(python, [str(SCRIPTS[tool]), *argv, "--json"],
                                  timeout=TIMEOUT_S)
            except run_failed as exc:
                errors[(bench, row)] = str(exc)
                log(f"    FAILED: {str(exc)[:300]}")
                continue
            records.setdefault((bench, row), []).append(record)
    out: dict[str, Any] = {"quality": quality(pythons, failures, log, run_json, run_failed)}
    for bench, row, _, _ in steps:
        if (bench, row) in errors:
            out.setdefault(bench, {})[row] = {"error": errors[(bench, row)]}
            continue
        recs = records.get((bench, row), [])
        keys = [k for k, v in recs[0].items() if isinstance(v, int | float)
                and not isinstance(v, bool)]
        med = median_of(recs, keys)
        med["each"] = {k: [r.get(k) for r in recs] for k in keys}
        med["load_averages"] = [r.get("load_average") for r in recs]
        out.setdefault(bench, {})[row] = med
    return out


def quality(pythons: dict[str, Path], failures: dict[str, str], log: Log,
            run_json: Callable[..., dict[str, Any]],
            run_failed: type[Exception]) -> dict[str, Any]:
    """row (`<tool>_<algorithm>`) -> the one record of the quality benchmark, or {"error": ...}."""
    out: dict[str, Any] = {}
    for algorithm in c.QUALITY_TRIALS:
        for tool in KINDS:
            row = f"{tool}_{algorithm}"
            if tool in failures:
                out[row] = {"error": failures[tool]}
                continue
            log(f"  tuning   quality  {row:<18} (once: {c.QUALITY_SEEDS} seeds)")
            try:
                out[row] = run_json(pythons[tool], [str(QUALITY_SCRIPTS[tool]), "--algorithm",
                                                    algorithm, "--json"],
                                    timeout=QUALITY_TIMEOUT_S)
            except run_failed as exc:
                out[row] = {"error": str(exc)}
                log(f"    FAILED: {str(exc)[:300]}")
    return out
