"""The console's two speed targets (issue 7), over HTTP against a fresh `slipstream server`
(run.py's `console` group runs it in the repository's .venv; `--runs N` for a smaller check).

    python console_bench.py [--runs 100000] [--points 100000]

Seeding, in a new SQLite store: the store itself (SqlTrackingStore) creates the schema, the
experiment and a template run; the other runs are copies of that run's rows written with one
`executemany` per table in a single transaction (the same columns the store writes: runs, tags,
params, metrics, latest_metrics), since 100,000 runs through the API would take minutes. Each
run has params `lr`, `depth` and metric `acc`. The 100,000-point metric goes through the
store's bulk path (`log_batch`, 1,000 points a call).

Then, against `slipstream server` on a free loopback port, the requests the console makes:

- runs page: `POST /api/v1/runs/search` with the runs page's body (ui/src/pages/RunsPage.tsx:
  500 runs, no order = newest first, no filter); cold = the first /api/v1 request after start
  (it includes building the native API), warm = median of 5; the same sorted by
  `metrics.acc DESC` and with a filter, each warm (median of 5).
- run chart: `GET /api/v1/runs/{id}/metric-series?key=loss&max_points=2000` (the run page's
  default, ui/src/api.ts) for the 100,000-point metric: cold (first series request), warm
  (median of 5), response bytes and points returned.

One JSON line: {"tool": "slipstream", ...} with every time in ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
import serve

from slipstream.entities import Metric, Param, RunStatus
from slipstream.metadata.sql.tracking import SqlTrackingStore

PAGE = 500  # RunsPage.tsx's PAGE
MAX_POINTS = 2000  # api.ts metricSeries' default (the run page)
WARM = 5
SORT = ["metrics.acc DESC"]
FILTER = "metrics.acc > 0.5 and params.depth = '4'"
EXPERIMENT = "console-bench"


def seed(db: Path, artifacts: Path, n_runs: int, n_points: int) -> dict[str, Any]:
    """Fill a new store at `db`; the experiment id, the long run's id and how long it took."""
    began = time.perf_counter()
    store = SqlTrackingStore(f"sqlite:///{db}", str(artifacts))
    exp = store.create_experiment(EXPERIMENT)
    start = int(time.time() * 1000) - n_runs * 1000
    template = store.create_run(exp, "bench", start, "run-0")
    tid = template.info.run_id
    store.end_run(tid, RunStatus.FINISHED, start + 500,
                  metrics=[Metric("acc", 0.0, start + 400, 0)],
                  params=[Param("lr", "0.001"), Param("depth", "0")])
    with sqlite3.connect(db) as conn:
        cols = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")]
                for t in ("runs", "tags", "params", "metrics", "latest_metrics")}
        rows = {t: conn.execute(f"SELECT * FROM {t} WHERE run_id = ?", (tid,)).fetchall()
                for t in cols}

        def copies(table: str, change: Any) -> list[tuple[Any, ...]]:
            out = []
            for i in range(1, n_runs):
                rid = f"{i:032x}"
                for row in rows[table]:
                    rec = dict(zip(cols[table], row, strict=True))
                    rec["run_id"] = rid
                    change(rec, i, rid)
                    out.append(tuple(rec.values()))
            return out

        def run_row(rec: dict[str, Any], i: int, rid: str) -> None:
            rec.update(name=f"run-{i}", start_time=start + i * 1000,
                       end_time=start + i * 1000 + 500,
                       artifact_uri=rec["artifact_uri"].replace(tid, rid))

        def tag_row(rec: dict[str, Any], i: int, rid: str) -> None:
            if rec["key"] == "mlflow.runName":
                rec["value"] = f"run-{i}"

        def param_row(rec: dict[str, Any], i: int, rid: str) -> None:
            rec["value"] = {"lr": f"{10 ** -(1 + i % 4):g}", "depth": str(2 + i % 7)}[rec["key"]]

        def metric_row(rec: dict[str, Any], i: int, rid: str) -> None:
            rec.update(value=(i * 7919 % 10_000) / 10_000, timestamp=start + i * 1000 + 400)

        for table, change in (("runs", run_row), ("tags", tag_row), ("params", param_row),
                              ("metrics", metric_row), ("latest_metrics", metric_row)):
            marks = ",".join("?" * len(cols[table]))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", copies(table, change))
    long_run = store.create_run(exp, "bench", start, "long-metric").info.run_id
    for lo in range(0, n_points, 1000):
        store.log_batch(long_run, metrics=[
            Metric("loss", 1.0 / (1 + s) + (s % 97) / 10_000, start + s, s)
            for s in range(lo, min(lo + 1000, n_points))])
    store.end_run(long_run, RunStatus.FINISHED, start + n_points)
    return {"experiment_id": exp, "long_run": long_run,
            "seed_s": round(time.perf_counter() - began, 2)}


def timed(url: str, body: dict[str, Any] | None = None) -> tuple[float, bytes]:
    """One request (POST JSON when `body`), its wall time in ms and its body."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={
        "Accept": "application/json", **({"Content-Type": "application/json"} if data else {})})
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        payload = response.read()
    return (time.perf_counter() - began) * 1000, payload


def warm(url: str, body: dict[str, Any] | None = None) -> tuple[float, bytes]:
    """The median of WARM requests in ms, and the last body."""
    times, payload = [], b""
    for _ in range(WARM):
        ms, payload = timed(url, body)
        times.append(ms)
    return statistics.median(times), payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print the JSON line (always on)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="slipstream-console-bench-"))
    try:
        env = {**os.environ, "HOME": str(folder), "SLIPSTREAM_HOME": str(folder / "slipstream")}
        for name in ("SLIPSTREAM_STORE_URL", "SLIPSTREAM_TRACKING_URI",
                     "SLIPSTREAM_ARTIFACT_URI"):
            env.pop(name, None)
        os.environ.update(SLIPSTREAM_HOME=env["SLIPSTREAM_HOME"])
        seeded = seed(folder / "tracking.db", folder / "artifacts", args.runs, args.points)
        served = serve.start("slipstream", Path(sys.executable).parent, folder, env)
        try:
            api = served.url + "/api/v1"
            page = {"experiment_ids": [seeded["experiment_id"]], "filter": "",
                    "max_results": PAGE, "order_by": []}
            cold_ms, body = timed(api + "/runs/search", page)
            first = json.loads(body)
            warm_ms, _ = warm(api + "/runs/search", page)
            sorted_ms, body = warm(api + "/runs/search", {**page, "order_by": SORT})
            top = json.loads(body)["runs"][0]["data"]["metrics"]
            filtered_ms, body = warm(api + "/runs/search", {**page, "filter": FILTER,
                                                            "order_by": SORT})
            n_filtered = len(json.loads(body)["runs"])
            series = (f"{api}/runs/{seeded['long_run']}/metric-series?key=loss"
                      f"&max_points={MAX_POINTS}")
            series_cold_ms, body = timed(series)
            series_warm_ms, body = warm(series)
            got = json.loads(body)
        finally:
            serve.stop(served)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps({
        "tool": "slipstream", "runs": args.runs + 1, "points": args.points,
        "seeded": "store API for the schema, experiment and a template run; the other runs "
                  "by direct SQL executemany of its rows; the long metric by log_batch",
        "seed_s": seeded["seed_s"], "server_start_s": round(served.start_s, 3),
        "page_size": PAGE, "page_rows": len(first["runs"]),
        "page_cold_ms": round(cold_ms, 1), "page_warm_ms": round(warm_ms, 1),
        "sorted_warm_ms": round(sorted_ms, 1),
        "sorted_top_acc": next((m["value"] for m in top if m["key"] == "acc"), None),
        "filter": FILTER, "filtered_warm_ms": round(filtered_ms, 1),
        "filtered_rows": n_filtered,
        "max_points": MAX_POINTS, "series_cold_ms": round(series_cold_ms, 1),
        "series_warm_ms": round(series_warm_ms, 1), "series_bytes": len(body),
        "series_points": len(got["metrics"]), "series_total": got["total"],
        "series_downsampled": got["downsampled"],
    }))


if __name__ == "__main__":
    main()
