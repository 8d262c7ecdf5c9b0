"""Slipstream's benchmark report: the retraining workload of shared/PAPER.md, orchestration
micro-benchmarks, experiment tracking, the server, serving and tuning, against anchors (plain
Python, flytekit, kfp, mlflow, optuna) measured in the same invocation.

    python benchmarks/run.py [--repeat N] [--runs N]
                             [--only pipelines|micro|tracking|server|serving|tuning|ray|console] [--quick]

Every measurement is a fresh process (median of N repeats; the pipelines group: --runs, default
10, and the paper's metrics as mean ± std). A tool that cannot be installed or
fails to run is reported and skipped; nothing here is a pass/fail test. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import envs  # noqa: E402

sys.path.insert(0, str(BENCH / "server"))
import server_group  # noqa: E402

sys.path.insert(0, str(BENCH / "serving"))
import serving_group  # noqa: E402

sys.path.insert(0, str(BENCH / "tuning"))
import tuning_group  # noqa: E402

sys.path.insert(0, str(BENCH / "ray"))
import ray_group  # noqa: E402

sys.path.insert(0, str(BENCH / "console"))
import console_group  # noqa: E402

sys.path.insert(0, str(BENCH / "pipelines"))
import pipelines_group  # noqa: E402

RESULTS = BENCH / "results"
MICRO = BENCH / "micro"
TRACKING = BENCH / "tracking"
VARIANTS = ["base", "scaling", "tuning"]
TOOLS = pipelines_group.TOOLS  # the pipelines' tools
TRACKING_TOOLS = ["slipstream", "mlflow"]
ALL_TOOLS = [*TOOLS, "mlflow", "optuna"]
SECTION_TOOLS = {"pipelines": TOOLS, "micro": TOOLS, "tracking": TRACKING_TOOLS,
                 "server": TRACKING_TOOLS, "serving": TRACKING_TOOLS,
                 "tuning": ["slipstream", "optuna"],
                 "ray": [],  # the ray group runs in the repository's .venv (ray_group.py)
                 "console": []}  # so does the console group (console_group.py)
TRACKING_SCRIPTS = {
    "slipstream": TRACKING / "slipstream_tracking.py",
    "mlflow": TRACKING / "mlflow_tracking.py",
}
SEARCH_RUNS = 10_000
SEARCH_BUDGET_S = 100  # mlflow's untimed creation of the search runs is capped near this
SCRIPTS = pipelines_group.SCRIPTS  # the micro group's cached re-run uses them too
IMPORTS = {
    "plain": "import numpy, pandas, sklearn",
    "slipstream": "import slipstream",
    "flytekit": "import flytekit",
    "kfp": "import kfp",
    "mlflow": "import mlflow",
}
RUN_TIMEOUT_S = 600
MAP_CAP_S = 300  # a map run slower than this is re-measured on fewer items

# Targets: (label, value key, comparison, threshold)
PASS, MISS, NA = "PASS", "MISS", "n/a"


class RunFailed(RuntimeError):
    pass


# ------------------------------------------------------------------------------- running


def run_json(
    python: Path,
    argv: list[str],
    env_extra: dict[str, str] | None = None,
    timeout: float = RUN_TIMEOUT_S,
    home: str | None = None,
) -> dict[str, Any]:
    """Run one measurement in a fresh process; return its JSON line plus the parent's wall_s.

    Unless `home` is given, the process gets a fresh temporary HOME (flytekit's local cache lives
    in ~/.flyte) and SLIPSTREAM_HOME, so nothing is cached from an earlier run."""
    with tempfile.TemporaryDirectory(prefix="slipstream-bench-") as tmp:
        base = home or tmp
        env = {
            **os.environ,
            "HOME": base,
            "SLIPSTREAM_HOME": str(Path(base) / "slipstream"),
            "PYTHONHASHSEED": "0",
            # one BLAS thread everywhere: on a shared 2-core machine spinning BLAS threads make
            # the few milliseconds of learning swing by 10x; every tool gets the same setting
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            **(env_extra or {}),
        }
        env.pop("PYTHONPATH", None)
        # as on a user's machine: bytecode is cached. (Some shells set this; pip precompiles
        # installed packages, so without this only the editable Slipstream would recompile.)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("VIRTUAL_ENV", None)
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                [str(python), *argv],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
                cwd=tmp,
            )
        except subprocess.TimeoutExpired as exc:
            raise RunFailed(f"timed out after {timeout:.0f} s") from exc
        wall = time.perf_counter() - start
    # The record is the last line holding `{"tool": ...}`; a tool's own logging can share stdout
    # and leave escape codes in front of it, so look for it anywhere in the line.
    lines = [ln[ln.index('{"tool":') :] for ln in proc.stdout.splitlines() if '{"tool":' in ln]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-4:]
        what = f"exit {proc.returncode}" if proc.returncode else "exit 0 but no result line"
        raise RunFailed(f"{what}: " + " | ".join(t.strip() for t in tail))
    record = json.loads(lines[-1])
    record["wall_s"] = round(wall, 4)
    return record


def median_of(records: list[dict[str, Any]], keys: list[str]) -> dict[str, Any]:
    out = dict(records[0])
    for key in keys:
        values = [r[key] for r in records if isinstance(r.get(key), int | float)]
        out[key] = round(statistics.median(values), 4) if values else None
    out["repeats"] = len(records)
    return out


def wall_of_noop(python: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([str(python), "-c", "pass"], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ------------------------------------------------------------------------------- measurements


def measure_micro(
    pythons: dict[str, Path], failures: dict[str, str], repeat: int, log: Any
) -> dict[str, Any]:
    micro: dict[str, Any] = {"orchestration": {}, "cached": {}, "imports": {}}
    script = str(MICRO / "orchestration.py")
    pair = ("slipstream", "flytekit")
    for bench in ("chain", "map"):
        full = 1000 if bench == "chain" else 10_000
        n_items = {tool: full for tool in pair}
        notes: dict[str, str] = {}
        records: dict[str, list[dict[str, Any]]] = {tool: [] for tool in pair}
        errors = {tool: failures[tool] for tool in pair if tool in failures}
        for i in range(repeat):  # round-robin, as for the pipelines
            for tool in pair:
                if tool in errors:
                    continue
                log(f"  {bench:<8} {tool:<10} run {i + 1}/{repeat} (n={n_items[tool]})")

                def argv(n: int, tool: str = tool, bench: str = bench) -> list[str]:
                    return [script, "--tool", tool, "--bench", bench, "--n", str(n), "--json"]

                try:
                    try:
                        records[tool].append(
                            run_json(
                                pythons[tool],
                                argv(n_items[tool]),
                                timeout=MAP_CAP_S if bench == "map" else RUN_TIMEOUT_S,
                            )
                        )
                    except RunFailed as exc:
                        if bench != "map" or "timed out" not in str(exc) or n_items[tool] <= 1000:
                            raise
                        notes[tool] = (
                            f"capped at 1000 items: {n_items[tool]} items took more than {MAP_CAP_S} s"
                        )
                        n_items[tool] = 1000
                        records[tool].clear()
                        records[tool].append(run_json(pythons[tool], argv(1000)))
                except RunFailed as exc:
                    errors[tool] = str(exc)
                    log(f"    FAILED: {exc}")
        micro["orchestration"][bench] = {}
        for tool in pair:
            if tool in errors:
                micro["orchestration"][bench][tool] = {"error": errors[tool]}
                continue
            med = median_of(records[tool], ["define_s", "call_s", "us_per_task", "peak_rss_mb", "wall_s"])
            if tool in notes:
                med["note"] = notes[tool]
            micro["orchestration"][bench][tool] = med

    # Fully cached re-run: every task cache=True; run once in a fresh home, then time a second
    # process on the same home (its call time and its whole-process wall time).
    cached: dict[str, list[dict[str, Any]]] = {tool: [] for tool in pair}
    cache_errors = {tool: failures[tool] for tool in pair if tool in failures}
    for i in range(repeat):
        for tool in pair:
            if tool in cache_errors:
                continue
            log(f"  cached   {tool:<10} run {i + 1}/{repeat}")
            try:
                with tempfile.TemporaryDirectory(prefix="slipstream-bench-cache-") as home:
                    argv = [str(SCRIPTS[tool]), "--variant", "base", "--json", "--cache-all"]
                    first = run_json(pythons[tool], argv, home=home)
                    second = run_json(pythons[tool], argv, home=home)
            except RunFailed as exc:
                cache_errors[tool] = str(exc)
                log(f"    FAILED: {exc}")
                continue
            second["first_call_s"] = first["call_s"]
            if second["result"] != first["result"]:
                second["cache_mismatch"] = [first["result"], second["result"]]
            cached[tool].append(second)
    for tool in pair:
        if tool in cache_errors:
            micro["cached"][tool] = {"error": cache_errors[tool]}
        else:
            micro["cached"][tool] = median_of(
                cached[tool], ["call_s", "wall_s", "first_call_s", "import_s", "peak_rss_mb"]
            )
            bad = [r["cache_mismatch"] for r in cached[tool] if "cache_mismatch" in r]
            if bad:
                micro["cached"][tool]["cache_mismatch"] = bad[0]

    for tool in TOOLS:
        if tool in failures:
            micro["imports"][tool] = {"error": failures[tool]}
            continue
        log(f"  import   {tool}")
        micro["imports"][tool] = measure_import(pythons[tool], IMPORTS[tool])
    return micro


def measure_import(python: Path, statement: str, n: int = 5) -> dict[str, Any]:
    """Import time: median wall of `python -c statement` minus `python -c "pass"`, n processes."""
    try:
        subprocess.run(
            [str(python), "-c", statement], check=True, capture_output=True, timeout=120
        )  # warm the bytecode cache once, untimed
        noop = wall_of_noop(python, n)
        times = []
        for _ in range(n):
            start = time.perf_counter()
            subprocess.run([str(python), "-c", statement], check=True, capture_output=True, timeout=120)
            times.append(time.perf_counter() - start)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        return {"error": f"{statement!r} failed: {exc}"}
    return {
        "statement": statement,
        "import_s": round(statistics.median(times) - noop, 4),
        "python_start_s": round(noop, 4),
    }


TRACKING_KEYS = {
    "latency": ["call_median_us", "call_p99_us", "call_mean_us", "calls_total_s", "flush_s",
                "per_metric_us", "peak_rss_mb", "wall_s"],
    "bulk": ["wall_s", "metrics_per_s", "peak_rss_mb"],
    "runs": ["wall_s", "ms_per_run", "peak_rss_mb"],
    "search": ["search_s", "setup_s", "peak_rss_mb", "wall_s"],
}
TRACKING_IMPORTS = {
    "import": {"slipstream": "import slipstream", "mlflow": "import mlflow"},
    "import_api": {
        "slipstream": "import slipstream; slipstream.log_metric; slipstream.search_runs",
        "mlflow": "import mlflow; mlflow.log_metric; mlflow.search_runs",
    },
}


def measure_tracking(
    pythons: dict[str, Path], failures: dict[str, str], repeat: int, log: Any
) -> dict[str, Any]:
    """bench -> tool -> median record (or {"error": ...}); each run a fresh process and store.

    search: mlflow creates its runs first, capped near SEARCH_BUDGET_S (a multiple of 1,000
    runs); Slipstream then searches the same number of runs (the compared figure) and, when
    that is fewer than 10,000, also 10,000 runs ("search_full")."""
    out: dict[str, Any] = {}
    for bench in ("latency", "bulk", "runs", "search"):
        records: dict[str, list[dict[str, Any]]] = {t: [] for t in TRACKING_TOOLS}
        full: list[dict[str, Any]] = []
        errors = {t: failures[t] for t in TRACKING_TOOLS if t in failures}
        n_search: int | None = None
        full_error: str | None = None
        for i in range(repeat):
            for tool in ("mlflow", "slipstream"):  # mlflow first: search needs its run count
                if tool in errors:
                    continue
                argv = [str(TRACKING_SCRIPTS[tool]), "--bench", bench, "--json"]
                if bench == "search":
                    if tool == "mlflow":
                        argv += ["--n", str(n_search or SEARCH_RUNS)]
                        if n_search is None:
                            argv += ["--budget-s", str(SEARCH_BUDGET_S)]
                    else:
                        argv += ["--n", str(n_search or SEARCH_RUNS)]
                log(f"  {bench:<8} {tool:<10} run {i + 1}/{repeat}")
                try:
                    record = run_json(pythons[tool], argv)
                except RunFailed as exc:
                    errors[tool] = str(exc)
                    log(f"    FAILED: {exc}")
                    continue
                records[tool].append(record)
                if bench == "search" and tool == "mlflow" and n_search is None:
                    n_search = int(record["n_runs"])
            if (
                bench == "search"
                and "slipstream" not in errors
                and n_search is not None
                and n_search < SEARCH_RUNS
                and full_error is None
            ):
                log(f"  search   slipstream run {i + 1}/{repeat} (n={SEARCH_RUNS})")
                argv = [str(TRACKING_SCRIPTS["slipstream"]), "--bench", "search", "--json",
                        "--n", str(SEARCH_RUNS)]
                try:
                    full.append(run_json(pythons["slipstream"], argv))
                except RunFailed as exc:
                    full_error = str(exc)
                    log(f"    FAILED: {exc}")
        out[bench] = {}
        for tool in TRACKING_TOOLS:
            if tool in errors:
                out[bench][tool] = {"error": errors[tool]}
            elif records[tool]:
                out[bench][tool] = median_of(records[tool], TRACKING_KEYS[bench])
        if bench == "search" and (full or full_error):
            out["search_full"] = {"slipstream": {"error": full_error} if full_error
                                  else median_of(full, TRACKING_KEYS["search"])}
    for what, statements in TRACKING_IMPORTS.items():
        out[what] = {}
        for tool in TRACKING_TOOLS:
            if tool in failures:
                out[what][tool] = {"error": failures[tool]}
                continue
            log(f"  {what:<10} {tool}")
            out[what][tool] = measure_import(pythons[tool], statements[tool])
    return out


# ------------------------------------------------------------------------------- report


def _get(d: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def verdict(value: float | None, op: str, threshold: float) -> str:
    if value is None:
        return NA
    ok = value <= threshold if op == "<=" else value >= threshold if op == ">=" else value < threshold
    return PASS if ok else MISS


def fmt(value: Any, unit: str = "", digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}{unit}"
    return f"{value}{unit}"


def pipeline_targets(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per variant: the three ratios and their verdicts; plus the cross-tool accuracy check."""
    out: dict[str, Any] = {}
    for variant, by_tool in results.items():
        plain, slip, flyte = (by_tool.get(t, {}) for t in ("plain", "slipstream", "flytekit"))
        wall_ratio = orch = rss_ratio = None
        if "wall_s" in slip and "wall_s" in plain:
            wall_ratio = slip["wall_s"] / plain["wall_s"]
        if "call_s" in slip and "call_s" in plain and "call_s" in flyte:
            flyte_overhead = flyte["call_s"] - plain["call_s"]
            if flyte_overhead > 0:
                orch = (slip["call_s"] - plain["call_s"]) / flyte_overhead
        if "peak_rss_mb" in slip and "peak_rss_mb" in flyte:
            rss_ratio = slip["peak_rss_mb"] / flyte["peak_rss_mb"]
        accuracies = {t: r["result"] for t, r in by_tool.items() if "result" in r}
        out[variant] = {
            "slipstream_wall_over_plain": wall_ratio,
            "wall_verdict": verdict(wall_ratio, "<=", 1.10),
            "orchestration_slipstream_over_flytekit": orch,
            "orchestration_verdict": verdict(orch, "<=", 0.10),
            "slipstream_rss_over_flytekit": rss_ratio,
            "rss_verdict": verdict(rss_ratio, "<=", 1.0),
            "accuracies": accuracies,
            "accuracy_match": len(set(accuracies.values())) <= 1,
        }
    return out


def micro_targets(micro: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for bench in ("chain", "map"):
        slip = _get(micro, "orchestration", bench, "slipstream", "us_per_task")
        flyte = _get(micro, "orchestration", bench, "flytekit", "us_per_task")
        ratio = flyte / slip if slip and flyte else None
        out[bench] = {
            "flytekit_over_slipstream": ratio,
            "ratio_verdict": verdict(ratio, ">=", 20.0),
            "absolute_verdict": verdict(slip, "<", 1000.0),
        }
    cached = _get(micro, "cached", "slipstream", "call_s")
    out["cached"] = {"call_verdict": verdict(cached * 1000 if cached is not None else None, "<", 20.0)}
    imp = _get(micro, "imports", "slipstream", "import_s")
    out["import"] = {"verdict": verdict(imp, "<", 0.3)}
    return out


def _ratio(num: Any, den: Any) -> float | None:
    if isinstance(num, int | float) and isinstance(den, int | float) and den > 0:
        return num / den
    return None


def tracking_targets(tracking: dict[str, Any]) -> dict[str, Any]:
    """Slipstream's advantage per figure (how many times better than mlflow) and verdicts."""

    def both(bench: str, key: str) -> tuple[Any, Any]:
        return _get(tracking, bench, "slipstream", key), _get(tracking, bench, "mlflow", key)

    out: dict[str, Any] = {}
    s, m = both("latency", "call_median_us")
    out["call_median"] = {"ratio": _ratio(m, s), "target": 20.0}
    s, m = both("latency", "call_p99_us")
    out["call_p99"] = {"ratio": _ratio(m, s), "target": None}
    s, m = both("latency", "per_metric_us")
    out["per_metric"] = {"ratio": _ratio(m, s), "target": 20.0}
    s, m = both("bulk", "metrics_per_s")
    out["bulk"] = {"ratio": _ratio(s, m), "target": 10.0}
    s, m = both("runs", "wall_s")
    out["runs"] = {"ratio": _ratio(m, s), "target": None}
    s, m = both("search", "search_s")
    out["search"] = {"ratio": _ratio(m, s), "target": 5.0}
    for what in TRACKING_IMPORTS:
        s, m = both(what, "import_s")
        out[what] = {"ratio": _ratio(m, s), "target": None}
    for t in out.values():
        t["verdict"] = verdict(t["ratio"], ">=", t["target"]) if t["target"] else "info"
    sm, mm = _get(tracking, "search", "slipstream"), _get(tracking, "search", "mlflow")
    if sm and mm and "n_results" in sm and "n_results" in mm:
        out["search_results_match"] = (
            sm["n_runs"] == mm["n_runs"]
            and sm["n_results"] == mm["n_results"]
            and sm.get("top_acc") == mm.get("top_acc")
        )
    return out


def print_tracking(tracking: dict[str, Any], targets: dict[str, Any], p: Any) -> None:
    p("TRACKING (SQLite store, fresh store and process per measurement)")
    p(f"{'measurement':<44}{'slipstream':>13}{'mlflow':>13}{'advantage':>11}  target")

    def val(bench: str, tool: str, key: str, scale: float, unit: str, digits: int) -> str:
        r = _get(tracking, bench, tool) or {}
        if "error" in r:
            return "FAILED"
        v = r.get(key)
        return f"{v * scale:.{digits}f}{unit}" if isinstance(v, int | float) else "-"

    def row(label: str, bench: str, key: str, target: str | None, scale: float = 1.0,
            unit: str = "", digits: int = 1) -> None:
        t = targets.get(target) if target else None
        adv = fmt(t["ratio"], "x", 1) if t else ""
        goal = (f">= {t['target']:.0f}x {t['verdict']}" if t and t["target"]
                else "(no target)" if t else "")
        p(
            f"{label:<44}{val(bench, 'slipstream', key, scale, unit, digits):>13}"
            f"{val(bench, 'mlflow', key, scale, unit, digits):>13}{adv:>11}  {goal}".rstrip()
        )

    row("log_metric call, median (2,000 calls)", "latency", "call_median_us", "call_median",
        unit=" us")
    row("log_metric call, p99", "latency", "call_p99_us", "call_p99", unit=" us")
    row("  end_run (flush) after the 2,000 calls", "latency", "flush_s", None, 1000, " ms", 1)
    row("  per metric: (calls + flush) / 2,000", "latency", "per_metric_us", "per_metric",
        unit=" us")
    row("bulk: 50,000 metrics until durable", "bulk", "metrics_per_s", "bulk", unit="/s", digits=0)
    row("100 runs x (10 params + 10 metrics), wall", "runs", "wall_s", "runs", unit=" s", digits=2)
    sm = _get(tracking, "search", "mlflow") or {}
    n = sm.get("n_runs", SEARCH_RUNS)
    row(f"search_runs over {n:,} runs, median of 3", "search", "search_s", "search", unit=" s",
        digits=3)
    full = _get(tracking, "search_full", "slipstream")
    if full:
        v = f"{full['search_s']:.3f} s" if "search_s" in full else "FAILED"
        p(f"{f'  slipstream over {SEARCH_RUNS:,} runs':<44}{v:>13}")
    if sm.get("note"):
        p(f"    mlflow: {sm['note']}")
    for tool in TRACKING_TOOLS:
        r = _get(tracking, "search", tool) or {}
        if "setup_s" in r:
            p(f"    {tool}: untimed setup of {r['n_runs']:,} runs took {r['setup_s']:.1f} s;"
              f" {r['n_results']} rows, top acc {r.get('top_acc')}")
    if targets.get("search_results_match") is False:
        p("    !!!!! SEARCH RESULTS DIFFER between the tools !!!!!")
    row("import time: `import x`", "import", "import_s", "import", unit=" s", digits=3)
    row("  + `x.log_metric; x.search_runs`", "import_api", "import_s", "import_api", unit=" s",
        digits=3)
    for bench in ("latency", "bulk", "runs", "search", "import"):
        for tool in TRACKING_TOOLS:
            r = _get(tracking, bench, tool) or {}
            if "error" in r:
                p(f"    {bench} {tool}: {r['error'][:160]}")
            expected = {"latency": 2000, "bulk": 50_000, "runs": 100}.get(bench)
            if expected and "stored" in r and r["stored"] != expected:
                p(f"    !!!!! {bench} {tool}: {r['stored']} stored, {expected} expected !!!!!")
    p("  (advantage = how many times better Slipstream is: mlflow time / Slipstream time, or")
    p("   Slipstream metrics/s / mlflow metrics/s)")


def print_report(report: dict[str, Any]) -> None:
    p = print
    p()
    p("=" * 100)
    p(
        "Slipstream benchmark report   "
        + report["meta"]["when"]
        + "   repeats: "
        + str(report["meta"]["repeat"])
        + " (medians)   "
        + report["meta"]["machine"]
    )
    p("versions: " + ", ".join(f"{k} {v}" for k, v in report["meta"]["versions"].items()))
    load = report["meta"]["load_average_at_start"], report["meta"].get("load_average_at_end")
    p(
        f"load average (1/5/15 min) at start {load[0]}, at end {load[1]}"
        + (
            "   <- machine busy: absolute times are inflated, ratios less so"
            if max(load[0][0], (load[1] or [0])[0]) > 1.0
            else ""
        )
    )
    for tool, reason in report["unavailable"].items():
        p(
            f"{tool}: not available ({reason})"
            if not reason.startswith("not available")
            else f"{tool}: {reason}"
        )
    p("=" * 100)

    pipelines = report.get("pipelines")
    if pipelines:
        targets = report["pipeline_targets"]
        p(
            "\nRETRAINING PIPELINE (shared/PAPER.md): fresh process per run, medians of the "
            f"successful runs of {report['meta'].get('pipeline_runs')}"
        )
        p(
            f"{'variant':<9}{'tool':<12}{'wall_s':>9}{'call_s':>9}{'import_s':>10}"
            f"{'peak RSS MB':>13}  {'accuracy':<20}"
        )
        for variant, by_tool in pipelines.items():
            for tool in TOOLS:
                r = by_tool.get(tool, {})
                if "error" in r:
                    p(f"{variant:<9}{tool:<12}  FAILED/not run: {r['error'][:140]}")
                    continue
                p(
                    f"{variant:<9}{tool:<12}{fmt(r.get('wall_s')):>9}{fmt(r.get('call_s')):>9}"
                    f"{fmt(r.get('import_s')):>10}{fmt(r.get('peak_rss_mb'), digits=1):>13}  "
                    f"{fmt(r.get('result'), digits=4):<20}"
                    + (
                        "  NONDETERMINISTIC " + str(r["nondeterministic"])
                        if r.get("nondeterministic")
                        else ""
                    )
                )
            t = targets[variant]
            if not t["accuracy_match"]:
                p(f"  !!!!! ACCURACY MISMATCH in {variant}: {t['accuracies']} !!!!!")
            else:
                same = next(iter(t["accuracies"].values()), None)
                p(f"  accuracy identical across tools: {fmt(same, digits=4)}")
            p(
                f"  slipstream wall / plain wall            = "
                f"{fmt(t['slipstream_wall_over_plain'])}  (target <= 1.10)  "
                f"{t['wall_verdict']}"
            )
            p(
                f"  orchestration (slip-plain)/(flyte-plain) = "
                f"{fmt(t['orchestration_slipstream_over_flytekit'])}  (target <= 0.10)  "
                f"{t['orchestration_verdict']}"
            )
            p(
                f"  slipstream peak RSS / flytekit peak RSS  = "
                f"{fmt(t['slipstream_rss_over_flytekit'])}  (target <= 1.00)  "
                f"{t['rss_verdict']}"
            )
            p()
        pipelines_group.print_paper_table(pipelines, report["meta"].get("pipeline_runs"), p)
        p()

    micro = report.get("micro")
    if micro:
        mt = report["micro_targets"]
        p("MICRO-BENCHMARKS")
        p(f"{'benchmark':<28}{'slipstream':>14}{'flytekit':>14}{'flyte/slip':>12}  targets")
        for bench, label in (("chain", "chain of 1000 tasks"), ("map", "map_task over 10000")):
            s = _get(micro, "orchestration", bench, "slipstream") or {}
            f = _get(micro, "orchestration", bench, "flytekit") or {}
            sv = f"{s['us_per_task']:.1f} us" if "us_per_task" in s else "FAILED"
            fv = f"{f['us_per_task']:.1f} us" if "us_per_task" in f else "FAILED"
            t = mt[bench]
            p(
                f"{label + ' (per task)':<28}{sv:>14}{fv:>14}"
                f"{fmt(t['flytekit_over_slipstream'], 'x', 1):>12}  ratio >= 20x "
                f"{t['ratio_verdict']}, slipstream < 1000 us {t['absolute_verdict']}"
            )
            for tool, r in (("slipstream", s), ("flytekit", f)):
                if "error" in r:
                    p(f"    {tool}: {r['error'][:160]}")
                if r.get("note"):
                    p(f"    {tool}: {r['note']}")
                if "n" in r and r["n"] != (1000 if bench == "chain" else 10_000):
                    p(f"    {tool}: measured on n={r['n']}")
        cs = _get(micro, "cached", "slipstream") or {}
        cf = _get(micro, "cached", "flytekit") or {}

        def ms(r: dict[str, Any], key: str) -> str:
            return f"{r[key] * 1000:.1f} ms" if isinstance(r.get(key), int | float) else "FAILED"

        p(
            f"{'cached re-run: call':<28}{ms(cs, 'call_s'):>14}{ms(cf, 'call_s'):>14}"
            f"{'':>12}  slipstream < 20 ms {mt['cached']['call_verdict']}"
        )
        p(f"{'cached re-run: wall':<28}{ms(cs, 'wall_s'):>14}{ms(cf, 'wall_s'):>14}")
        p(f"{'  (first, uncached call)':<28}{ms(cs, 'first_call_s'):>14}{ms(cf, 'first_call_s'):>14}")
        for tool, r in (("slipstream", cs), ("flytekit", cf)):
            if "error" in r:
                p(f"    {tool}: {r['error'][:160]}")
            if r.get("cache_mismatch"):
                p(f"    !!!!! {tool}: cached result differs: {r['cache_mismatch']}")
        imports = micro["imports"]

        def imp(tool: str) -> str:
            r = imports.get(tool, {})
            return f"{r['import_s']:.3f} s" if "import_s" in r else "FAILED"

        p(
            f"{'import time':<28}{imp('slipstream'):>14}{imp('flytekit'):>14}{'':>12}  "
            f"slipstream < 0.3 s {mt['import']['verdict']}"
        )
        p(
            f"{'  (also) plain deps / kfp':<28}{imp('plain'):>14}{imp('kfp'):>14}"
            "   ('import numpy, pandas, sklearn' / 'import kfp')"
        )
        for tool, r in imports.items():
            if "error" in r:
                p(f"    {tool}: {r['error'][:160]}")

    tracking = report.get("tracking")
    if tracking:
        p()
        print_tracking(tracking, report["tracking_targets"], p)

    if report.get("server"):
        p()
        server_group.print_section(report["server"], report["server_targets"], p)

    if report.get("serving"):
        p()
        serving_group.print_section(report["serving"], report["serving_targets"], p)

    if report.get("tuning"):
        p()
        tuning_group.print_section(report["tuning"], report["tuning_targets"], p)

    if report.get("ray"):
        p()
        ray_group.print_section(report["ray"], report["ray_targets"], p)

    if report.get("console"):
        p()
        console_group.print_section(report["console"], report["console_targets"], p)

    p()
    p("SUMMARY: " + "  ".join(f"{k}={v}" for k, v in report["summary"].items()))
    p("=" * 100)


def summarize(report: dict[str, Any]) -> dict[str, str]:
    verdicts: list[str] = []
    for t in (report.get("pipeline_targets") or {}).values():
        verdicts += [t["wall_verdict"], t["orchestration_verdict"], t["rss_verdict"]]
    mt = report.get("micro_targets") or {}
    for bench in ("chain", "map"):
        if bench in mt:
            verdicts += [mt[bench]["ratio_verdict"], mt[bench]["absolute_verdict"]]
    if mt:
        verdicts += [mt["cached"]["call_verdict"], mt["import"]["verdict"]]
    for t in (report.get("tracking_targets") or {}).values():
        if isinstance(t, dict) and t["verdict"] in (PASS, MISS, NA):
            verdicts.append(t["verdict"])
    verdicts += server_group.verdicts(report.get("server_targets") or {})
    verdicts += serving_group.verdicts(report.get("serving_targets") or {})
    verdicts += tuning_group.verdicts(report.get("tuning_targets") or {})
    verdicts += ray_group.verdicts(report.get("ray_targets") or {})
    verdicts += console_group.verdicts(report.get("console_targets") or {})
    mismatches = [v for v, t in (report.get("pipeline_targets") or {}).items() if not t["accuracy_match"]]
    return {
        "PASS": str(verdicts.count(PASS)),
        "MISS": str(verdicts.count(MISS)),
        "n/a": str(verdicts.count(NA)),
        "accuracy_mismatch": ",".join(mismatches) or "none",
    }


def versions(pythons: dict[str, Path]) -> dict[str, str]:
    wanted = {
        "slipstream": "slipstream",
        "flytekit": "flytekit",
        "kfp": "kfp",
        "plain": "numpy pandas scikit-learn",
        "mlflow": "mlflow",
        "optuna": "optuna",
    }
    out = {}
    for tool, python in pythons.items():
        code = (
            "import importlib.metadata as m, sys\n"
            f"for n in {wanted[tool].split()!r}:\n"
            "    try: print(n, m.version(n))\n"
            "    except Exception: print(n, '?')"
        )
        try:
            got = subprocess.run(
                [str(python), "-c", code], capture_output=True, text=True, timeout=60
            ).stdout.split("\n")
            out.update(dict(line.split(" ", 1) for line in got if " " in line))
        except subprocess.TimeoutExpired:
            pass
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="repeats per measurement (median)")
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help=f"runs per tool and variant in the pipelines group (default {pipelines_group.RUNS}, "
        f"--quick {pipelines_group.QUICK_RUNS})",
    )
    parser.add_argument("--only", choices=list(SECTION_TOOLS), default=None)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"one repeat ({pipelines_group.QUICK_RUNS} pipeline runs), and kfp (about 15 s a run) "
        "on the base variant only",
    )
    parser.add_argument(
        "--tools",
        default=",".join(ALL_TOOLS),
        help="comma-separated subset of " + ",".join(ALL_TOOLS),
    )
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else max(1, args.repeat)
    runs = args.runs if args.runs is not None else (
        pipelines_group.QUICK_RUNS if args.quick else pipelines_group.RUNS
    )
    if runs < 1:
        parser.error(f"--runs must be at least 1, got {runs}")
    selected = [t for t in args.tools.split(",") if t]
    sections = [args.only] if args.only else list(SECTION_TOOLS)
    needed = {t for section in sections for t in SECTION_TOOLS[section]}
    wanted = [t for t in ALL_TOOLS if t in selected and t in needed]

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    log(f"[run] preparing venvs for {', '.join(wanted)} (first time: several minutes)")
    env_results = envs.ensure_all(wanted)
    pythons: dict[str, Path] = {}
    failures: dict[str, str] = {t: "not selected (--tools)" for t in ALL_TOOLS if t not in wanted}
    for tool, result in env_results.items():
        if isinstance(result, Exception):
            failures[tool] = f"venv: {result}"
            log(f"[run] {tool}: not available ({result})")
        else:
            pythons[tool] = result
    if "slipstream" in pythons:
        # pip precompiled every installed package; the editable Slipstream source is compiled
        # here once, so no measured run pays for it (as a user's second run would not).
        subprocess.run([str(pythons["slipstream"]), "-m", "compileall", "-q",
                        str(envs.REPO / "src" / "slipstream"), str(envs.REPO / "examples")],
                       check=False, env={k: v for k, v in os.environ.items()
                                         if k != "PYTHONDONTWRITEBYTECODE"})
    # Fail fast, per tool, on an SDK that does not import (e.g. Slipstream mid-development).
    for tool, stmt in (
        (
            "slipstream",
            "from slipstream import task, workflow, dynamic, map_task, conditional, Resources",
        ),
        ("kfp", "import kfp.local; kfp.local.SubprocessRunner"),
        ("mlflow", "import mlflow; from mlflow.tracking import MlflowClient"),
        ("optuna", "import optuna; optuna.storages.RDBStorage"),
    ):
        if tool in pythons:
            probe = subprocess.run(
                [str(pythons[tool]), "-c", stmt], capture_output=True, text=True, timeout=120
            )
            if probe.returncode != 0:
                last = (probe.stderr.strip().splitlines() or ["?"])[-1]
                failures[tool] = f"`{stmt}` fails: {last}"
                log(f"[run] {tool}: not available ({failures[tool]})")

    report: dict[str, Any] = {
        "meta": {
            "when": time.strftime("%Y-%m-%d %H:%M:%S"),
            "repeat": repeat,
            "pipeline_runs": runs,
            "quick": args.quick,
            "machine": f"{platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}",
            "versions": versions(pythons),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "unavailable": {t: r for t, r in failures.items() if not r.startswith("not selected")},
    }
    if args.only in (None, "pipelines"):
        log("[run] retraining pipelines")
        report["pipelines"] = pipelines_group.measure(pythons, failures, runs, args.quick, log)
        report["pipeline_targets"] = pipeline_targets(report["pipelines"])
        report["unavailable"] = {t: r for t, r in failures.items() if not r.startswith("not selected")}
    if args.only in (None, "micro"):
        log("[run] micro-benchmarks")
        report["micro"] = measure_micro(pythons, failures, repeat, log)
        report["micro_targets"] = micro_targets(report["micro"])
    if args.only in (None, "tracking"):
        log("[run] tracking")
        report["tracking"] = measure_tracking(pythons, failures, repeat, log)
        report["tracking_targets"] = tracking_targets(report["tracking"])
    if args.only in (None, "server"):
        log("[run] server")
        report["server"] = server_group.measure(pythons, failures, repeat, log, run_json,
                                                median_of, RunFailed)
        report["server_targets"] = server_group.targets(report["server"])
    if args.only in (None, "serving"):
        log("[run] serving")
        report["serving"] = serving_group.measure(pythons, failures, repeat, log, run_json,
                                                  median_of, RunFailed)
        report["serving_targets"] = serving_group.targets(report["serving"])
    if args.only in (None, "tuning"):
        log("[run] tuning")
        report["tuning"] = tuning_group.measure(pythons, failures, repeat, log, run_json,
                                                median_of, RunFailed)
        report["tuning_targets"] = tuning_group.targets(report["tuning"])
    if args.only in (None, "ray"):
        log("[run] ray")
        report["ray"] = ray_group.measure(pythons, failures, repeat, log, run_json,
                                          median_of, RunFailed)
        report["ray_targets"] = ray_group.targets(report["ray"])
    if args.only in (None, "console"):
        log("[run] console")
        report["console"] = console_group.measure(pythons, failures, repeat, log, run_json,
                                                  median_of, RunFailed)
        report["console_targets"] = console_group.targets(report["console"])
    report["meta"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["summary"] = summarize(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_report(report)
    print(f"(written to {(RESULTS / 'latest.json').relative_to(BENCH.parent)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
