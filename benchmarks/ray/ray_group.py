"""The Ray group of benchmarks/run.py (`--only ray`): the Ray executor on a local instance of
2 CPUs against the process pool (`process:2`) and in-process runs, one fresh process per
measurement (ray_bench.py). The issue sets no targets: the figures and ratios are a report.

- map: a 10,000-item map of a trivial task, items/s (ray, process, inline).
- cpu: 200 items of ~20 ms of pure-Python work, wall time against the ideal of 2 s (ray, process).
- overhead: a chain of 50 trivial tasks, ms per task (ray, process, inline).
- large: a 3-task chain passing 50 MB arrays through the artifact store (ray, process).
- cluster: the local instance's start time and the RSS of its processes after a 1,000-item map.

Ray's runs use the repository's .venv (the bench venv has no Ray: installing it there would
rebuild that venv for every group). Stdlib only (run.py runs under any Python).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import report_values as rv

__all__ = ["measure", "print_section", "targets", "verdicts"]

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "ray_bench.py"
TIMEOUT_S = 600
PLAN: list[tuple[str, str]] = [
    ("map", "ray"), ("map", "process"), ("map", "inline"),
    ("cpu", "ray"), ("cpu", "process"),
    ("overhead", "ray"), ("overhead", "process"), ("overhead", "inline"),
    ("large", "ray"), ("large", "process"),
    ("cluster", "ray"),
]

Log = Callable[[str], None]


def measure(pythons: dict[str, Path], failures: dict[str, str], repeat: int, log: Log,
            run_json: Callable[..., dict[str, Any]], median_of: Callable[..., dict[str, Any]],
            run_failed: type[Exception]) -> dict[str, Any]:
    """bench -> executor -> median record (with `each`: every repeat's figures) or {"error"}."""
    python, why = rv.repo_python("ray, psutil, slipstream")
    out: dict[str, Any] = {}
    records: dict[tuple[str, str], list[dict[str, Any]]] = {}
    errors: dict[tuple[str, str], str] = {}
    for i in range(repeat):
        for bench, executor in PLAN:
            if python is None:
                errors[(bench, executor)] = f"ray not available: {why}"
                continue
            if (bench, executor) in errors:
                continue
            log(f"  ray      {bench:<9} {executor:<8} run {i + 1}/{repeat}")
            try:
                record = run_json(python, [str(SCRIPT), "--bench", bench, "--executor",
                                           executor, "--json"], timeout=TIMEOUT_S)
            except run_failed as exc:
                errors[(bench, executor)] = str(exc)
                log(f"    FAILED: {str(exc)[:300]}")
                continue
            records.setdefault((bench, executor), []).append(record)
    for bench, executor in PLAN:
        if (bench, executor) in errors:
            out.setdefault(bench, {})[executor] = {"error": errors[(bench, executor)]}
            continue
        recs = records[(bench, executor)]
        keys = [k for k, v in recs[0].items() if isinstance(v, int | float)
                and not isinstance(v, bool)]
        med = median_of(recs, keys)
        med["each"] = {k: [r.get(k) for r in recs] for k in keys}
        out.setdefault(bench, {})[executor] = med
    return out


def targets(res: dict[str, Any]) -> dict[str, Any]:
    """The ratios the report prints (no goals: every verdict is "info")."""
    def info(value: float | None) -> dict[str, Any]:
        return {"value": value, "goal": "", "verdict": "info"}

    return {
        "map_ray_vs_process": info(rv.ratio(rv.get(res, "map", "ray", "items_per_s"),
                                            rv.get(res, "map", "process", "items_per_s"))),
        "cpu_ray_vs_process": info(rv.ratio(rv.get(res, "cpu", "process", "run_s"),
                                            rv.get(res, "cpu", "ray", "run_s"))),
        "overhead_ray_vs_process": info(rv.ratio(rv.get(res, "overhead", "ray", "ms_per_task"),
                                                 rv.get(res, "overhead", "process",
                                                        "ms_per_task"))),
        "overhead_ray_vs_inline": info(rv.ratio(rv.get(res, "overhead", "ray", "ms_per_task"),
                                                rv.get(res, "overhead", "inline",
                                                       "ms_per_task"))),
        "large_ray_vs_process": info(rv.ratio(rv.get(res, "large", "process", "run_s"),
                                              rv.get(res, "large", "ray", "run_s"))),
    }


def verdicts(tgt: dict[str, Any]) -> list[str]:
    """None: the group only reports."""
    return []


def print_section(res: dict[str, Any], tgt: dict[str, Any], p: Callable[..., None]) -> None:
    p("RAY (a local Ray instance of 2 CPUs vs the process pool process:2 and in-process runs)")
    p(f"{'measurement':<46}{'ray':>11}{'process':>11}{'inline':>11}{'ratio':>9}")

    def val(bench: str, executor: str, key: str, digits: int = 1) -> str:
        r = rv.get(res, bench, executor) or {}
        if "error" in r:
            return "FAILED"
        v = r.get(key)
        return f"{v:,.{digits}f}" if isinstance(v, int | float) else "-"

    def ratio(name: str, label: str) -> str:
        v = (tgt.get(name) or {}).get("value")
        return f"{v:.2f}x {label}" if isinstance(v, float) else "-"

    p(f"{'10,000-item trivial map, items/s':<46}{val('map', 'ray', 'items_per_s', 0):>11}"
      f"{val('map', 'process', 'items_per_s', 0):>11}{val('map', 'inline', 'items_per_s', 0):>11}"
      f"  {ratio('map_ray_vs_process', '(ray/process)')}")
    p(f"{'200 x 20 ms CPU-bound map, wall s (ideal 2)':<46}{val('cpu', 'ray', 'run_s', 2):>11}"
      f"{val('cpu', 'process', 'run_s', 2):>11}{'':>11}"
      f"  {ratio('cpu_ray_vs_process', '(speed ray/process)')}")
    p(f"{'chain of 50 trivial tasks, ms/task':<46}{val('overhead', 'ray', 'ms_per_task', 2):>11}"
      f"{val('overhead', 'process', 'ms_per_task', 2):>11}"
      f"{val('overhead', 'inline', 'ms_per_task', 2):>11}"
      f"  {ratio('overhead_ray_vs_process', '(ray/process)')},"
      f" {ratio('overhead_ray_vs_inline', '(ray/inline)')}")
    p(f"{'3-task chain of 50 MB arrays, wall s':<46}{val('large', 'ray', 'run_s', 2):>11}"
      f"{val('large', 'process', 'run_s', 2):>11}{'':>11}"
      f"  {ratio('large_ray_vs_process', '(speed ray/process)')}")
    p(f"{'Ray instance start (ray.init), s':<46}{val('cluster', 'ray', 'start_s', 2):>11}")
    p(f"{'  its processes at start, RSS / USS MB':<46}{val('cluster', 'ray', 'rss_start_mb'):>11}"
      f"{val('cluster', 'ray', 'uss_start_mb'):>11}"
      f"   ({val('cluster', 'ray', 'processes_start', 0)} processes)")
    p(f"{'  after a 1,000-item map, RSS / USS MB':<46}"
      f"{val('cluster', 'ray', 'rss_after_map_mb'):>11}{val('cluster', 'ray', 'uss_after_map_mb'):>11}"
      f"   ({val('cluster', 'ray', 'processes_after_map', 0)} processes)")
    p(f"{'  first (warm-up) execution on it, s':<46}{val('cluster', 'ray', 'first_run_s', 2):>11}")
