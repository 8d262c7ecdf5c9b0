"""The serving group of benchmarks/run.py (`--only serving`): `slipstream serve` against
`mlflow models serve` on the same model (a LogisticRegression on 8 numeric columns), each
logged by its own tool and served as a user starts it, on a loopback port.

Per repeat: the load generator's own ceiling (loadgen.py against a trivial server); then per
tool (mlflow first): log the model (timed), start the server (timed to the first ready answer),
check its answers against the model's in-process predictions, and drive it with loadgen.py:
single-row latency, requests/s with RATE["connections"] connections, 1,000-row batches; the
RSS of its process tree after start and after the load. For Slipstream, also its v2 infer route
and the micro-batching figure: the batch sizes its /metrics reports for the rate run, and
in-process `predict` on batches of those sizes. Stdlib only (run.py runs under any Python).
"""

from __future__ import annotations

import json
import math
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import server_group  # benchmarks/server: server_env
import servers
from serving_report import KINDS, print_section, targets, verdicts

__all__ = ["measure", "print_section", "targets", "verdicts"]

HERE = Path(__file__).resolve().parent
LOADGEN = HERE / "loadgen.py"
MODEL_SCRIPTS = {"mlflow": HERE / "mlflow_model.py", "slipstream": HERE / "slipstream_model.py"}
LATENCY = {"n": 2000, "warmup": 50, "max_s": 5.0}
RATE = {"connections": 32, "procs": 2, "seconds": 3.0, "warmup_s": 1.0}
CEILING = {**RATE, "seconds": 2.0}
BATCH = {"n": 200, "warmup": 5, "max_s": 3.0}
SETTLE_BEFORE_S = 1.0  # a pause before each server start (the previous teardown)

Log = Callable[[str], None]


class _Ctx:
    """What one invocation of measure() carries around."""

    def __init__(self, pythons: dict[str, Path], log: Log, run_json: Callable[..., dict[str, Any]],
                 run_failed: type[Exception]) -> None:
        self.pythons, self.log, self.run_json, self.run_failed = pythons, log, run_json, run_failed
        self.records: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.errors: dict[str, dict[str, str]] = {}

    def add(self, bench: str, row: str, record: dict[str, Any]) -> None:
        self.records.setdefault(bench, {}).setdefault(row, []).append(record)

    def fail(self, bench: str, row: str, why: str) -> None:
        self.errors.setdefault(bench, {}).setdefault(row, why)
        self.log(f"    FAILED {bench} {row}: {why[:300]}")

    def loadgen(self, mode: str, url: str, requests: Path | None, **opts: Any) -> dict[str, Any]:
        argv = [str(LOADGEN), mode, "--url", url]
        if requests is not None:
            argv += ["--requests", str(requests)]
        for key, value in opts.items():
            argv += [f"--{key.replace('_', '-')}", str(value)]
        return self.run_json(Path(sys.executable), argv, timeout=120)


def measure(pythons: dict[str, Path], failures: dict[str, str], repeat: int, log: Log,
            run_json: Callable[..., dict[str, Any]], median_of: Callable[..., dict[str, Any]],
            run_failed: type[Exception]) -> dict[str, Any]:
    """bench -> row -> median record (or {"error": ...})."""
    ctx = _Ctx(pythons, log, run_json, run_failed)
    for kind in KINDS:
        if kind in failures:
            ctx.fail("start", kind, failures[kind])
    for i in range(repeat):
        log(f"  serving  client ceiling run {i + 1}/{repeat}")
        try:
            ctx.add("ceiling", "client",
                    ctx.run_json(Path(sys.executable),
                                 [str(LOADGEN), "ceiling", *_flags(CEILING)], timeout=120))
        except run_failed as exc:
            ctx.fail("ceiling", "client", str(exc))
        if "slipstream" in pythons:
            _floor(ctx)
        for kind in KINDS:
            if kind in ctx.errors.get("start", {}):
                continue
            log(f"  serving  {kind:<10} run {i + 1}/{repeat}")
            time.sleep(SETTLE_BEFORE_S)
            with tempfile.TemporaryDirectory(prefix=f"{kind}-serving-bench-") as folder:
                _one_tool(ctx, kind, Path(folder))
    out: dict[str, Any] = {}
    benches = {*ctx.records, *ctx.errors}
    for bench in sorted(benches):
        out[bench] = {}
        for row in sorted({*ctx.records.get(bench, {}), *ctx.errors.get(bench, {})}):
            if row in ctx.errors.get(bench, {}):
                out[bench][row] = {"error": ctx.errors[bench][row]}
                continue
            recs = ctx.records[bench][row]
            keys = [k for k, v in recs[0].items() if isinstance(v, int | float)
                    and not isinstance(v, bool)]
            out[bench][row] = median_of(recs, keys)
            out[bench][row]["each"] = {k: [r.get(k) for r in recs] for k in keys}
            for key in [k for k, v in recs[0].items() if isinstance(v, bool)]:
                out[bench][row][key] = all(r.get(key) for r in recs)
    return out


def _floor(ctx: _Ctx) -> None:
    """The HTTP stack's own cost: the rate run against noop_app.py (a no-op handler on
    `slipstream serve`'s HTTP layer and event loop), from Slipstream's venv."""
    python = ctx.pythons["slipstream"]
    with tempfile.TemporaryDirectory(prefix="http-floor-bench-") as folder:
        requests = Path(folder) / "requests.json"
        body = json.dumps({"dataframe_split": {"columns": ["f0"], "data": [[0.5]]}})
        requests.write_text(json.dumps({"path": "/invocations", "bodies": [body]}))
        try:
            served = servers.start("floor", python.parent, "", Path(folder),
                                   server_group.server_env(folder))
        except (servers.ServerFailed, OSError) as exc:
            ctx.fail("floor", "http", str(exc))
            return
        try:
            ctx.add("floor", "http", _rate_with_cpu(ctx, python, served, requests))
        except (servers.ServerFailed, OSError, ctx.run_failed) as exc:
            ctx.fail("floor", "http", str(exc))
        finally:
            servers.serve.stop(served)


def _rate_with_cpu(ctx: _Ctx, python: Path, served: Any, requests: Path) -> dict[str, Any]:
    """The rate run, plus the server tree's CPU per answered request and its CPU use."""
    cpu0, wall0 = servers.tree_cpu_s(python, served.proc.pid), time.perf_counter()
    rate = ctx.loadgen("rate", served.url, requests, **RATE)
    cpu = servers.tree_cpu_s(python, served.proc.pid) - cpu0
    wall = time.perf_counter() - wall0
    answered = rate["answered_all"]  # warm-up and window: all the CPU sample covers
    rate["server_cpu_us_per_request"] = round(cpu / answered * 1e6, 1) if answered else None
    rate["server_cpu_share"] = round(cpu / wall, 3)  # of one core, over the load generator's run
    return rate


def _flags(opts: dict[str, Any]) -> list[str]:
    return [x for key, value in opts.items() for x in (f"--{key.replace('_', '-')}", str(value))]


def _one_tool(ctx: _Ctx, kind: str, folder: Path) -> None:
    python = ctx.pythons[kind]
    record_path = folder / "model.json"
    argv = [str(MODEL_SCRIPTS[kind])]
    argv += (["--out", str(record_path), "--store", str(folder / "mlflow")] if kind == "mlflow"
             else ["log", "--out", str(record_path)])
    try:
        logged = ctx.run_json(python, argv, home=str(folder))
    except ctx.run_failed as exc:
        ctx.fail("start", kind, f"log_model: {exc}")
        return
    ctx.add("log_model", kind, {"log_model_s": logged["log_model_s"]})
    model = json.loads(record_path.read_text())
    files = _request_files(folder, model, servers.MODEL_NAME)
    env = server_group.server_env(str(folder))
    if kind == "mlflow":
        env["MLFLOW_TRACKING_URI"] = model["tracking_uri"]
    try:
        served = servers.start(kind, python.parent, model["uri"], folder, env)
    except (servers.ServerFailed, OSError) as exc:
        ctx.fail("start", kind, str(exc))
        return
    try:
        _drive(ctx, kind, served, model, files, folder)
    except (servers.ServerFailed, OSError, ctx.run_failed) as exc:
        ctx.fail("start", kind, f"{type(exc).__name__}: {exc}")
    finally:
        servers.serve.stop(served)


def _request_files(folder: Path, model: dict[str, Any], name: str) -> dict[str, Path]:
    """The load generator's request files: single rows and the 1,000-row batch as MLflow's
    dataframe_split, and single rows as v2 infer (one FP64 input per column)."""
    cols = model["columns"]

    def split(rows: list[list[float]]) -> str:
        return json.dumps({"dataframe_split": {"columns": cols, "data": rows}})

    specs = {
        "single": {"path": "/invocations", "bodies": [split([r]) for r in model["rows"]]},
        "batch": {"path": "/invocations", "bodies": [split(model["batch"])]},
        "v2": {"path": f"/v2/models/{name}/infer", "bodies": [json.dumps(v2_body(cols, [r]))
                                                            for r in model["rows"]]},
    }
    out = {}
    for name, spec in specs.items():
        out[name] = folder / f"requests-{name}.json"
        out[name].write_text(json.dumps(spec))
    return out


def v2_body(columns: list[str], rows: list[list[float]]) -> dict[str, Any]:
    return {"inputs": [{"name": c, "shape": [len(rows)], "datatype": "FP64",
                        "data": [r[j] for r in rows]} for j, c in enumerate(columns)]}


def _drive(ctx: _Ctx, kind: str, served: Any, model: dict[str, Any],
           files: dict[str, Path], folder: Path) -> None:
    url = served.url
    psutil_python = ctx.pythons[kind]
    answer = servers.post_json(url + "/invocations", {"dataframe_split": {
        "columns": model["columns"], "data": model["batch"]}})
    correct = servers.predictions(answer) == model["batch_expected"]
    start = {"start_s": round(served.start_s, 4), "correct": correct,
             **servers.serve.tree_rss_mb(psutil_python, served.proc.pid)}
    if not correct:
        ctx.log(f"    !!! {kind}: answers differ from in-process predict: {str(answer)[:200]}")
    ctx.log(f"    start {served.start_s:.2f} s, {start['rss_mb']:.0f} MB")
    ctx.add("latency", kind, ctx.loadgen("latency", url, files["single"], **LATENCY))
    if kind == "slipstream":
        try:
            v2 = servers.post_json(url + f"/v2/models/{servers.MODEL_NAME}/infer",
                                   v2_body(model["columns"], model["rows"]))
            if servers.predictions(v2) != model["expected"]:
                ctx.log(f"    !!! slipstream v2 answers differ: {str(v2)[:200]}")
            ctx.add("latency_v2", kind, ctx.loadgen("latency", url, files["v2"], **LATENCY))
        except servers.ServerFailed as exc:
            ctx.fail("latency_v2", kind, str(exc))
    before = _metrics(url) if kind == "slipstream" else None
    rate = _rate_with_cpu(ctx, psutil_python, served, files["single"])
    if before is not None:
        rate.update(_micro(ctx, model["uri"], folder, before, _metrics(url), rate))
    ctx.add("rate", kind, rate)
    batch = ctx.loadgen("latency", url, files["batch"], **BATCH)
    batch["rows_per_s"] = round(len(model["batch"]) * batch["per_s"], 1) if batch["per_s"] else None
    ctx.add("batch", kind, batch)
    start["rss_after_mb"] = servers.serve.tree_rss_mb(psutil_python, served.proc.pid)["rss_mb"]
    ctx.add("start", kind, start)


# ------------------------------------------------------------------------------- micro-batching

_LINE = re.compile(r"^([A-Za-z_:][\w:]*)(\{[^}]*\})?\s+(\S+)")


def _metrics(url: str) -> dict[str, float]:
    """Batch-size histogram totals from /metrics: {"count", "sum"} summed over label sets."""
    totals = {"count": 0.0, "sum": 0.0}
    try:
        text = servers.get_text(url + "/metrics")
    except OSError:
        return totals
    for line in text.splitlines():
        m = _LINE.match(line)
        if not m or "batch_size" not in m.group(1):
            continue
        for part in ("count", "sum"):
            if m.group(1).endswith(f"_{part}"):
                totals[part] += float(m.group(3))
    return totals


def _micro(ctx: _Ctx, uri: str, folder: Path, before: dict[str, float], after: dict[str, float],
           rate: dict[str, Any]) -> dict[str, Any]:
    """The rate run's batches (from /metrics) and in-process predict on batches of that size.

    The in-process cost of a batch is affine in its size (a fixed cost per call plus a cost per
    row), so n batches of mean size m cost n x t(m): timing t at floor(m) and ceil(m) (calls back
    to back, a throughput) and interpolating gives the in-process rows/s for the same batches."""
    batches, rows = after["count"] - before["count"], after["sum"] - before["sum"]
    if batches <= 0:
        return {"micro_error": "no batch-size histogram (`*batch_size*` _count/_sum) at /metrics"}
    mean = rows / batches
    lo, hi = max(1, math.floor(mean)), max(1, math.ceil(mean))
    try:
        timed = ctx.run_json(ctx.pythons["slipstream"],
                             [str(MODEL_SCRIPTS["slipstream"]), "predict", "--uri", uri,
                              "--sizes", ",".join(str(s) for s in sorted({1, lo, hi, 1000}))],
                             home=str(folder), timeout=180)
    except ctx.run_failed as exc:
        return {"micro_error": f"in-process predict: {exc}"}
    sizes = timed["sizes"]
    frac = mean - lo

    def at(key: str) -> float:
        return float(sizes[str(lo)][key] * (1 - frac) + sizes[str(hi)][key] * frac)

    inproc_rows_per_s = mean / at("pyfunc_s")
    return {"batches": batches, "batched_rows": rows, "mean_batch": round(mean, 2),
            "inproc_rows_per_s": round(inproc_rows_per_s, 1),
            "native_rows_per_s": round(mean / at("native_s"), 1),
            "inproc_cpu_us_per_row": round(at("pyfunc_cpu_s") / mean * 1e6, 1),
            "inproc_single_ms": round(sizes["1"]["pyfunc_s"] * 1000, 4),
            "native_single_ms": round(sizes["1"]["native_s"] * 1000, 4),
            "inproc_1000_rows_per_s": round(1000 / sizes["1000"]["pyfunc_s"], 1),
            "micro_ratio": round(rate["per_s"] / inproc_rows_per_s, 4),
            "micro_native_ratio": round(rate["per_s"] * at("native_s") / mean, 4),
            "micro_cpu_ratio": round(at("pyfunc_cpu_s") / mean * 1e6
                                     / rate["server_cpu_us_per_request"], 4)
            if rate.get("server_cpu_us_per_request") else None}

