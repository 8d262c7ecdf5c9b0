"""Stdlib-only helpers shared by every benchmark script: variants, timing, peak RSS, JSON line,
and the marks that time the retrain+tune part of the pipeline.

Import this module FIRST in a benchmark script: `START` is taken when it is imported, so
`import_s` in the report covers importing the tool and its dependencies (interpreter start-up
is not included; the parent's whole-process `wall_s` covers everything).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time

START = time.perf_counter()

# Retrain+tune time, the same way for every tool: from the end of the `drifted` task's body (drift
# found) to the end of the `best` task's body (the tuned accuracy), wall clock. Each body appends
# `<name> <time.time()>` to the file named by BENCH_MARKS (the kfp components, which run in
# subprocesses, do the same inline); the environment variable is inherited by those subprocesses.
MARKS_ENV = "BENCH_MARKS"
_OWN_MARKS = MARKS_ENV not in os.environ  # run on its own: a temporary file, removed by emit()
if _OWN_MARKS:
    _fd, _path = tempfile.mkstemp(prefix="bench-marks-", suffix=".txt")
    os.close(_fd)
    os.environ[MARKS_ENV] = _path
RETRAIN_FROM, RETRAIN_TO = "drifted", "best"

# Each variant of shared/PAPER.md, as arguments of examples/retraining.py:retrain.
VARIANTS: dict[str, dict[str, int]] = {
    "base": {"n_rows": 5000, "n_c_values": 1},
    "scaling": {"n_rows": 15000, "n_c_values": 1},
    "tuning": {"n_rows": 5000, "n_c_values": 5},
}
THRESHOLD = 0.05
SEED = 7


def parse_args(description: str, extra: bool = False) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="base")
    parser.add_argument("--json", action="store_true", help="print one JSON line (for run.py)")
    parser.add_argument(
        "--cache-all",
        action="store_true",
        help="declare every task cache=True (for the cached re-run benchmark)",
    )
    return parser.parse_args()


def peak_rss_mb() -> float:
    """Peak resident set size in MiB: this process plus its largest waited-for child.

    ru_maxrss is in KiB on Linux. For tools that run tasks in subprocesses (kfp) the child part
    is the peak of the largest child, so the sum is an upper bound of the simultaneous peak."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round((own + kids) / 1024.0, 1)


def mark(name: str) -> None:
    """Record that the body of task `name` ends now (see MARKS_ENV)."""
    with open(os.environ[MARKS_ENV], "a", encoding="utf-8") as out:
        out.write(f"{name} {time.time()}\n")


def retrain_tune_s() -> float | None:
    """Seconds from the last `drifted` mark to the last `best` mark; None when either is missing
    (no drift, or cached tasks whose bodies did not run)."""
    marks: dict[str, float] = {}
    try:
        with open(os.environ[MARKS_ENV], encoding="utf-8") as lines:
            for line in lines:
                name, _, when = line.partition(" ")
                marks[name] = float(when)
    except (OSError, ValueError):
        return None
    if RETRAIN_FROM in marks and RETRAIN_TO in marks and marks[RETRAIN_TO] >= marks[RETRAIN_FROM]:
        return round(marks[RETRAIN_TO] - marks[RETRAIN_FROM], 4)
    return None


def emit(
    args: argparse.Namespace,
    tool: str,
    result: float,
    import_s: float,
    call_s: float,
    **extra: object,
) -> None:
    record = {
        "tool": tool,
        "variant": args.variant,
        "result": result,
        "import_s": round(import_s, 4),
        "call_s": round(call_s, 4),
        "wall_s": None,  # filled in by the parent (benchmarks/run.py)
        "peak_rss_mb": peak_rss_mb(),
        "retrain_tune_s": retrain_tune_s(),
        **extra,
    }
    if _OWN_MARKS:
        os.unlink(os.environ[MARKS_ENV])
    if args.json:
        print(json.dumps(record), flush=True)
    else:
        for key, value in record.items():
            print(f"{key:>12}: {value}")
    sys.stdout.flush()
