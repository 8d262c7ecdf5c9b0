"""The server group of benchmarks/run.py (`--only server`): `slipstream server` against
`mlflow server`, both started fresh over a new SQLite store on a loopback port.

Per repeat and per server (mlflow first, round-robin): start -> first answered request; idle RSS
of the whole process tree IDLE_SETTLE_S after that; then, each in a fresh client process, the
real mlflow client's `log_metric` latency and `log_batch` bulk throughput against it; against
the Slipstream server also Slipstream's own Python API over HTTP (its REST store) when the tree
has one. Stdlib only (run.py runs under any Python).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import report_values as rv
import serve

HERE = Path(__file__).resolve().parent
SERVERS = ("mlflow", "slipstream")
IDLE_SETTLE_S = 5.0  # mlflow's workers keep growing for a few seconds after the first answer
SETTLE_BEFORE_S = 2.0  # a pause before each start
START_TARGET_S = 1.0
RSS_TARGET_MB = 150.0
BULK_TARGET = 10.0
REST_MODULE = "slipstream.metadata.rest"
KEYS = {
    "start": ["start_s", "rss_mb", "processes", "rss_after_mb"],
    "latency": ["call_median_us", "call_p99_us", "per_metric_us", "flush_s", "wall_s"],
    "bulk": ["metrics_per_s", "wall_s"],
}

Log = Callable[[str], None]


def server_env(folder: str) -> dict[str, str]:
    """The servers' environment: a fresh HOME and nothing inherited that points elsewhere."""
    env = {**os.environ, "HOME": folder, "SLIPSTREAM_HOME": str(Path(folder) / "slipstream"),
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    for name in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE", "SLIPSTREAM_STORE_URL",
                 "SLIPSTREAM_TRACKING_URI", "SLIPSTREAM_ARTIFACT_URI", "MLFLOW_TRACKING_URI"):
        env.pop(name, None)
    return env


def has_rest_store(python: Path) -> bool:
    """Whether the Slipstream in this venv has its REST store (SLIPSTREAM_TRACKING_URI=http)."""
    import subprocess

    probe = subprocess.run([str(python), "-c", f"import {REST_MODULE}"], capture_output=True,
                           timeout=120, check=False)
    return probe.returncode == 0


def measure(pythons: dict[str, Path], failures: dict[str, str], repeat: int, log: Log,
            run_json: Callable[..., dict[str, Any]], median_of: Callable[..., dict[str, Any]],
            run_failed: type[Exception]) -> dict[str, Any]:
    """bench -> row -> median record (or {"error": ...}). Rows: "mlflow" / "slipstream" (the
    server, driven by the mlflow client) and "slipstream-api" (Slipstream's API over HTTP)."""
    records: dict[str, dict[str, list[dict[str, Any]]]] = {b: {} for b in KEYS}
    errors: dict[str, dict[str, str]] = {b: {} for b in KEYS}
    for tool in [t for t in SERVERS if t in failures]:  # the mlflow client drives both servers
        for bench in KEYS:
            errors[bench][tool] = failures[tool]
    if "mlflow" in failures:
        for bench in ("latency", "bulk"):
            errors[bench].setdefault("slipstream", f"no mlflow client: {failures['mlflow']}")
    rest = "slipstream" in pythons and has_rest_store(pythons["slipstream"])
    if not rest:
        errors["bulk"]["slipstream-api"] = (f"not measured: Slipstream's REST store ({REST_MODULE})"
                                            " is not in this tree yet")
        errors["latency"]["slipstream-api"] = errors["bulk"]["slipstream-api"]
    bindir = {t: p.parent for t, p in pythons.items()}
    psutil_python = pythons.get("slipstream") or pythons.get("mlflow")  # both venvs have psutil
    for i in range(repeat):
        for kind in SERVERS:
            if kind in errors["start"]:
                continue
            log(f"  server   {kind:<10} run {i + 1}/{repeat}: start")
            time.sleep(SETTLE_BEFORE_S)  # the previous server's teardown, not this start
            with tempfile.TemporaryDirectory(prefix=f"{kind}-server-bench-") as folder:
                try:
                    served = serve.start(kind, bindir[kind], Path(folder), server_env(folder))
                except (serve.ServerFailed, OSError) as exc:
                    errors["start"][kind] = str(exc)
                    log(f"    FAILED: {exc}")
                    continue
                try:
                    time.sleep(IDLE_SETTLE_S)
                    record = {"start_s": round(served.start_s, 4),
                              **serve.tree_rss_mb(psutil_python, served.proc.pid)}
                    _clients(kind, served.url, pythons, records, errors, rest, i, repeat, log,
                             run_json, run_failed)
                    record["rss_after_mb"] = serve.tree_rss_mb(psutil_python,
                                                               served.proc.pid)["rss_mb"]
                    records["start"].setdefault(kind, []).append(record)
                except serve.ServerFailed as exc:
                    errors["start"][kind] = str(exc)
                finally:
                    serve.stop(served)
    out: dict[str, Any] = {}
    for bench in KEYS:
        out[bench] = {}
        for row in [*SERVERS, "slipstream-api"]:
            if row in errors[bench]:
                out[bench][row] = {"error": errors[bench][row]}
            elif records[bench].get(row):
                out[bench][row] = median_of(records[bench][row], KEYS[bench])
                out[bench][row]["each"] = {key: [r.get(key) for r in records[bench][row]]
                                           for key in KEYS[bench]}
    return out


def _clients(kind: str, url: str, pythons: dict[str, Path],
             records: dict[str, dict[str, list[dict[str, Any]]]],
             errors: dict[str, dict[str, str]], rest: bool, i: int, repeat: int, log: Log,
             run_json: Callable[..., dict[str, Any]], run_failed: type[Exception]) -> None:
    """Run the client measurements against the server at `url` (one fresh process each)."""
    jobs: list[tuple[str, str, str, Path]] = []
    for bench in ("latency", "bulk"):
        if kind not in errors[bench]:
            jobs.append((bench, kind, "mlflow", HERE / "mlflow_client.py"))
        if kind == "slipstream" and rest and "slipstream-api" not in errors[bench]:
            jobs.append((bench, "slipstream-api", "slipstream", HERE / "slipstream_client.py"))
    for bench, row, venv, script in jobs:
        log(f"  server   {row:<14} {bench:<8} run {i + 1}/{repeat}")
        try:
            record = run_json(pythons[venv], [str(script), "--url", url, "--bench", bench,
                                              "--server", kind, "--json"])
        except run_failed as exc:
            errors[bench][row] = str(exc)
            log(f"    FAILED: {exc}")
            continue
        records[bench].setdefault(row, []).append(record)


# ------------------------------------------------------------------------------- report




def targets(server: dict[str, Any]) -> dict[str, Any]:
    """Advantages over mlflow (how many times better) and verdicts against the issue's targets."""
    out: dict[str, Any] = {}
    s, m = rv.get(server, "start", "slipstream", "start_s"), rv.get(server, "start", "mlflow", "start_s")
    out["start"] = {"ratio": rv.ratio(m, s), "goal": f"< {START_TARGET_S:.0f} s",
                    "verdict": rv.verdict(None if s is None else s < START_TARGET_S)}
    s, m = rv.get(server, "start", "slipstream", "rss_mb"), rv.get(server, "start", "mlflow", "rss_mb")
    out["idle_rss"] = {"ratio": rv.ratio(m, s), "goal": f"< {RSS_TARGET_MB:.0f} MB",
                       "verdict": rv.verdict(None if s is None else s < RSS_TARGET_MB)}
    m = rv.get(server, "latency", "mlflow", "call_median_us")
    s = rv.get(server, "latency", "slipstream", "call_median_us")
    out["latency"] = {"ratio": rv.ratio(m, s), "goal": "(no target)", "verdict": "info"}
    m = rv.get(server, "bulk", "mlflow", "metrics_per_s")
    for row in ("slipstream", "slipstream-api"):
        s = rv.get(server, "bulk", row, "metrics_per_s")
        ratio = rv.ratio(s, m)
        out[f"bulk:{row}"] = {"ratio": ratio, "goal": f">= {BULK_TARGET:.0f}x",
                              "verdict": rv.verdict(None if ratio is None else ratio >= BULK_TARGET)}
    return out


def print_section(server: dict[str, Any], tgt: dict[str, Any], p: Callable[..., None]) -> None:
    p("SERVER (each server started fresh over a new SQLite store on a loopback port)")
    p(f"{'measurement':<44}{'slipstream':>13}{'mlflow':>13}{'advantage':>11}  target")

    def val(bench: str, row: str, key: str, scale: float, unit: str, digits: int) -> str:
        r = rv.get(server, bench, row) or {}
        if "error" in r:
            skipped = r["error"].startswith("not measured") or "not selected" in r["error"]
            return "n/a" if skipped else "FAILED"
        v = r.get(key)
        return f"{v * scale:.{digits}f}{unit}" if isinstance(v, int | float) else "-"

    def line(label: str, bench: str, key: str, target: str, slip_row: str = "slipstream",
             scale: float = 1.0, unit: str = "", digits: int = 1) -> None:
        t = tgt[target]
        adv = f"{t['ratio']:.1f}x" if isinstance(t["ratio"], float) else "-"
        goal = t["goal"] if t["verdict"] == "info" else f"{t['goal']} {t['verdict']}"
        p(f"{label:<44}{val(bench, slip_row, key, scale, unit, digits):>13}"
          f"{val(bench, 'mlflow', key, scale, unit, digits):>13}{adv:>11}  {goal}")

    line("start -> first answered request", "start", "start_s", "start", unit=" s", digits=2)
    each = [rv.get(server, "start", t, "each", "start_s") or [] for t in ("slipstream", "mlflow")]
    if any(len(e) > 1 for e in each):
        slip, mlf = (" ".join(f"{v:.2f}" for v in e) for e in each)
        p(f"{'  each start (s): slipstream / mlflow':<44}{slip} / {mlf}")
    line(f"idle RSS, process tree ({IDLE_SETTLE_S:.0f} s after start)", "start", "rss_mb",
         "idle_rss", unit=" MB", digits=0)
    procs = [rv.get(server, "start", t, "processes") for t in ("slipstream", "mlflow")]
    after = [rv.get(server, "start", t, "rss_after_mb") for t in ("slipstream", "mlflow")]
    p(f"{'  processes in the tree':<44}{fmt(procs[0]):>13}{fmt(procs[1]):>13}")
    p(f"{'  RSS after the client runs':<44}{fmt(after[0], ' MB'):>13}{fmt(after[1], ' MB'):>13}")
    line("mlflow client log_metric over HTTP, median", "latency", "call_median_us", "latency",
         scale=0.001, unit=" ms", digits=2)
    line("bulk, mlflow client log_batch(1,000)", "bulk", "metrics_per_s", "bulk:slipstream",
         unit="/s", digits=0)
    line("bulk, Slipstream API over HTTP", "bulk", "metrics_per_s", "bulk:slipstream-api",
         slip_row="slipstream-api", unit="/s", digits=0)
    r = rv.get(server, "latency", "slipstream-api") or {}
    if "call_median_us" in r:
        p(f"{'  Slipstream API log_metric call (buffered)':<44}{r['call_median_us']:>10.1f} us"
          f"   (+ flush at end_run {r.get('flush_s', 0) * 1000:.0f} ms for 300 calls)")
    for bench in KEYS:
        for row in [*SERVERS, "slipstream-api"]:
            rec = rv.get(server, bench, row) or {}
            if "error" in rec:
                p(f"    {bench} {row}: {rec['error'][:200]}")
            expected = {"bulk": 50_000, "latency": 300}.get(bench)
            if expected and "stored" in rec and rec["stored"] != expected:
                p(f"    !!!!! {bench} {row}: {rec['stored']} stored, {expected} expected !!!!!")
    p("  (advantage = mlflow figure / Slipstream figure for times and memory; Slipstream")
    p("   metrics/s / mlflow server's metrics/s for bulk; the rows marked 'slipstream' use the")
    p("   real mlflow client against `slipstream server`. Shared, noisy machine: indicative.)")


def fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.0f}{unit}"
    return f"{value}{unit}"


def verdicts(tgt: dict[str, Any]) -> list[str]:
    return [t["verdict"] for t in tgt.values() if t["verdict"] in (rv.PASS, rv.MISS, rv.NA)]
