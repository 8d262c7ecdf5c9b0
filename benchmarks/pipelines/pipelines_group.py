"""The pipelines group of benchmarks/run.py (`--only pipelines`): the retraining workload of
shared/PAPER.md, its three variants, with plain Python, Slipstream, flytekit and kfp.

Each run is a fresh process (sampled.py: process-tree memory and CPU sampled every 20 ms), `runs`
of them per tool and variant, round-robin over the tools. A failed run is counted (success rate)
and the others go on. Per tool and variant it keeps the medians of the successful runs (the
group's targets in run.py read those) and the paper's metrics as mean and standard deviation.
Stdlib only (run.py runs under any Python).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sampled

HERE = Path(__file__).resolve().parent
VARIANTS = ["base", "scaling", "tuning"]
TOOLS = ["plain", "slipstream", "flytekit", "kfp"]
SCRIPTS = {
    "plain": HERE / "plain_retraining.py",
    "slipstream": HERE / "slipstream_retraining.py",
    "flytekit": HERE / "flyte_retraining.py",
    "kfp": HERE / "kfp_retraining.py",
}
RUNS = 10  # the paper's success rate is over 10 runs
QUICK_RUNS = 3
GIVE_UP_AFTER = 3  # failures in a row with no success yet: the tool is not run further there
TIMEOUT_S = 600
MEDIAN_KEYS = ["import_s", "call_s", "wall_s", "peak_rss_mb"]
PAPER_KEYS = [
    "wall_s",
    "retrain_tune_s",
    "tree_peak_mb",
    "tree_avg_mb",
    "cpu_s",
    "avg_cores",
    "peak_cores",
]

# shared/PAPER.md, "The paper's figures (Kubernetes, single node; mean ± std)": not measured here.
PAPER = {
    ("flytekit", "base"): {
        "total": (118.3, 1.79),
        "retrain": (52.7, 1.10),
        "peak_gib": 0.370,
        "avg_gib": 0.247,
        "peak_mcpu": 10.79,
        "success": 1.0,
    },
    ("kfp", "base"): {
        "total": (196.4, 3.14),
        "retrain": (16.6, 1.62),
        "peak_gib": 1.988,
        "avg_gib": 1.849,
        "peak_mcpu": 313.5,
        "success": 1.0,
    },
    ("flytekit", "scaling"): {
        "total": (120.5, 1.43),
        "retrain": (54.2, 0.87),
        "peak_gib": 0.38,
        "avg_gib": 0.25,
        "peak_mcpu": 11.05,
        "success": 1.0,
    },
    ("kfp", "scaling"): {
        "total": (190.6, 5.43),
        "retrain": (16.4, 0.49),
        "peak_gib": 2.055,
        "avg_gib": 1.897,
        "peak_mcpu": 313.8,
        "success": 1.0,
    },
    ("flytekit", "tuning"): {
        "total": (127.8, 0.87),
        "retrain": (62.6, 0.80),
        "peak_gib": 0.51,
        "avg_gib": 0.34,
        "peak_mcpu": 14.94,
        "success": 1.0,
    },
    ("kfp", "tuning"): {
        "total": (192.5, 5.18),
        "retrain": (16.2, 0.40),
        "peak_gib": 2.103,
        "avg_gib": 1.937,
        "peak_mcpu": 371.2,
        "success": 1.0,
    },
}

Log = Callable[[str], None]


def summarise(records: list[dict[str, Any]], attempted: int, errors: list[str]) -> dict[str, Any]:
    """One tool and variant: medians (MEDIAN_KEYS), mean/std (PAPER_KEYS), success rate."""
    out: dict[str, Any] = {
        "runs": attempted,
        "ok": len(records),
        "success_rate": len(records) / attempted if attempted else None,
    }
    if errors:
        out["failures"] = errors
    if not records:
        out["error"] = errors[0] if errors else "not run"
        return out
    out.update({k: v for k, v in records[0].items() if k not in MEDIAN_KEYS + PAPER_KEYS})
    for key in MEDIAN_KEYS:
        values = [r[key] for r in records if isinstance(r.get(key), int | float)]
        out[key] = round(statistics.median(values), 4) if values else None
    out["repeats"] = len(records)
    stats: dict[str, dict[str, float | None]] = {}
    for key in PAPER_KEYS:
        values = [float(r[key]) for r in records if isinstance(r.get(key), int | float)]
        stats[key] = {
            "mean": round(statistics.fmean(values), 4) if values else None,
            "std": round(statistics.stdev(values), 4) if len(values) > 1 else None,
        }
    out["stats"] = stats
    distinct = {r["result"] for r in records}
    if len(distinct) > 1:
        out["nondeterministic"] = sorted(distinct)
    return out


def measure(
    pythons: dict[str, Path], failures: dict[str, str], runs: int, quick: bool, log: Log
) -> dict[str, dict[str, Any]]:
    """variant -> tool -> summary (see summarise), or {"error": ...} for a tool not run."""
    results: dict[str, dict[str, Any]] = {}
    for variant in VARIANTS:
        records: dict[str, list[dict[str, Any]]] = {}
        errors: dict[str, list[str]] = {}
        attempted: dict[str, int] = {}
        skipped: dict[str, str] = {}
        for tool in TOOLS:
            if tool in failures:
                skipped[tool] = failures[tool]
            elif quick and tool == "kfp" and variant != "base":
                skipped[tool] = "skipped (--quick runs kfp on base only)"
            else:
                records[tool], errors[tool], attempted[tool] = [], [], 0
        # Round-robin over the tools within each run, so that a burst of load from other
        # processes on the machine lands on every tool alike rather than on one.
        for i in range(runs):
            for tool in records:
                if not records[tool] and len(errors[tool]) >= GIVE_UP_AFTER:
                    continue
                log(f"  {variant:<8} {tool:<10} run {i + 1}/{runs}")
                attempted[tool] += 1
                argv = [str(SCRIPTS[tool]), "--variant", variant, "--json"]
                try:
                    records[tool].append(sampled.run_sampled(pythons[tool], argv, TIMEOUT_S))
                except sampled.SampledRunFailed as exc:
                    errors[tool].append(f"run {i + 1}: {exc}")
                    log(f"    FAILED: {exc}")
        results[variant] = {}
        for tool in TOOLS:
            if tool in skipped:
                results[variant][tool] = {"error": skipped[tool]}
                continue
            results[variant][tool] = summarise(records[tool], attempted[tool], errors[tool])
            if tool == "kfp" and not records[tool]:
                failures["kfp"] = f"not available ({errors[tool][0]})"
    return results


# ------------------------------------------------------------------------------- report


def _pm(mean: float | None, std: float | None, digits: int) -> str:
    if mean is None:
        return "-"
    return f"{mean:.{digits}f}" + (f" ± {std:.{digits}f}" if std is not None else "")


def _ours(r: dict[str, Any], key: str, digits: int, scale: float = 1.0) -> str:
    s = (r.get("stats") or {}).get(key) or {}
    mean, std = s.get("mean"), s.get("std")
    return _pm(mean * scale if mean is not None else None, std * scale if std is not None else None, digits)


def _rows(variant: str, by_tool: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(metric, cells) in the column order of COLUMNS."""
    gib = 1 / 1024

    def paper(tool: str, what: str, digits: int = 1) -> str:
        v = PAPER.get((tool, variant), {}).get(what)
        if v is None:
            return "-"
        if isinstance(v, tuple):
            return _pm(v[0], v[1], digits)
        return f"{v:.0%}" if what == "success" else f"{v:.{digits}f}"

    def ours(tool: str, key: str, digits: int, scale: float = 1.0) -> str:
        r = by_tool.get(tool) or {}
        return "not run" if "stats" not in r else _ours(r, key, digits, scale)

    def rate(tool: str) -> str:
        r = by_tool.get(tool) or {}
        if not r.get("runs"):
            return "not run"
        return f"{r['ok']}/{r['runs']} ({r['success_rate']:.0%})"

    def row(
        label: str, key: str, digits: int, paper_key: str | None, scale: float = 1.0, paper_digits: int = 1
    ) -> tuple[str, list[str]]:
        def p(tool: str) -> str:
            return paper(tool, paper_key, paper_digits) if paper_key else "-"

        return label, [
            ours("slipstream", key, digits, scale),
            ours("flytekit", key, digits, scale),
            p("flytekit"),
            ours("kfp", key, digits, scale),
            p("kfp"),
            ours("plain", key, digits, scale),
        ]

    return [
        row("total time (s)", "wall_s", 2, "total", paper_digits=2),
        row("retrain+tune time (s)", "retrain_tune_s", 3, "retrain", paper_digits=2),
        row("peak memory (GiB)", "tree_peak_mb", 3, "peak_gib", gib, 3),
        row("average memory (GiB)", "tree_avg_mb", 3, "avg_gib", gib, 3),
        row("peak CPU (mCPU)", "peak_cores", 0, "peak_mcpu", 1000.0, 2),
        row("average CPU (mCPU)", "avg_cores", 0, None, 1000.0),
        row("CPU time (s)", "cpu_s", 2, None),
        (
            "success rate",
            [
                rate("slipstream"),
                rate("flytekit"),
                paper("flytekit", "success"),
                rate("kfp"),
                paper("kfp", "success"),
                rate("plain"),
            ],
        ),
    ]


COLUMNS = ["slipstream", "flytekit", "PAPER Flyte", "kfp", "PAPER KFP", "plain"]


def print_paper_table(results: dict[str, dict[str, Any]], runs: int, p: Callable[..., None]) -> None:
    """The paper's metrics, ours next to the paper's Kubernetes figures (PAPER columns)."""
    p(
        f"\nTHE PAPER'S METRICS: mean ± std over the successful runs of {runs} per tool and variant "
        "(fresh process each)"
    )
    p(
        "PAPER columns: the paper's Kubernetes figures (single node) from shared/PAPER.md, NOT "
        "measured here; the other columns are local runs on this machine."
    )
    widths = [22, 17, 17, 15, 17, 15, 17]
    for variant, by_tool in results.items():
        p(f"{variant:<{widths[0]}}" + "".join(f"{c:>{w}}" for c, w in zip(COLUMNS, widths[1:], strict=True)))
        for label, cells in _rows(variant, by_tool):
            p(
                f"  {label:<{widths[0] - 2}}"
                + "".join(f"{c:>{w}}" for c, w in zip(cells, widths[1:], strict=True))
            )
        for tool in TOOLS:
            for err in ((by_tool.get(tool) or {}).get("failures") or [])[:3]:
                p(f"    {tool} {err[:150]}")
        p()
    p("  total = whole process (start to exit); retrain+tune = end of the `drifted` task body to")
    p("  the end of the `best` body; memory = RSS summed over the process tree, sampled every")
    p(
        f"  {sampled.INTERVAL_S * 1000:.0f} ms (peak: mean of the runs' peaks); CPU time = user+system "
        "of the tree (wait4);"
    )
    p("  average CPU = CPU time / total; peak CPU = the busiest 1-s window of the sampled tree.")
