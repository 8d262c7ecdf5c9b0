"""The serving group's report: targets (ratios against mlflow, verdicts) and the printed table.
Stdlib only; serving_group.py measures, this reads its results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import report_values as rv

KINDS = ("mlflow", "slipstream")
P50_TARGET_MS, RATE_TARGET, MICRO_TARGET, START_TARGET_S = 2.0, 3.0, 0.70, 2.0




def targets(res: dict[str, Any]) -> dict[str, Any]:
    """Per figure: ratio (how many times better Slipstream is than mlflow), goal and verdict."""
    def both(bench: str, key: str) -> tuple[Any, Any]:
        return rv.get(res, bench, "slipstream", key), rv.get(res, bench, "mlflow", key)

    out: dict[str, Any] = {}
    s, m = both("latency", "p50_ms")
    out["p50"] = {"ratio": rv.ratio(m, s), "goal": f"< {P50_TARGET_MS:.0f} ms",
                  "verdict": rv.verdict(None if s is None else s < P50_TARGET_MS)}
    s, m = both("latency", "p99_ms")
    out["p99"] = {"ratio": rv.ratio(m, s), "goal": "", "verdict": "info"}
    s, m = both("rate", "per_s")
    r = rv.ratio(s, m)
    out["rate"] = {"ratio": r, "goal": f">= {RATE_TARGET:.0f}x mlflow",
                   "verdict": rv.verdict(None if r is None else r >= RATE_TARGET)}
    s, m = both("rate", "server_cpu_us_per_request")
    out["cpu"] = {"ratio": rv.ratio(m, s), "goal": "", "verdict": "info"}
    s, m = both("batch", "rows_per_s")
    out["batch"] = {"ratio": rv.ratio(s, m), "goal": "", "verdict": "info"}
    micro = rv.get(res, "rate", "slipstream", "micro_ratio")
    out["micro"] = {"ratio": None, "goal": f">= {MICRO_TARGET:.0%} of in-process",
                    "verdict": rv.verdict(None if micro is None else micro >= MICRO_TARGET)}
    s, m = both("start", "start_s")
    out["start"] = {"ratio": rv.ratio(m, s), "goal": f"< {START_TARGET_S:.0f} s",
                    "verdict": rv.verdict(None if s is None else s < START_TARGET_S)}
    for key, bench, field in (("rss", "start", "rss_mb"), ("rss_after", "start", "rss_after_mb"),
                              ("log_model", "log_model", "log_model_s")):
        s, m = both(bench, field)
        out[key] = {"ratio": rv.ratio(m, s), "goal": "", "verdict": "info"}
    return out


def print_section(res: dict[str, Any], tgt: dict[str, Any], p: Callable[..., None]) -> None:
    p("SERVING (`slipstream serve` vs `mlflow models serve --env-manager local`, same model: "
      "LogisticRegression, 8 columns)")
    p(f"{'measurement':<46}{'slipstream':>13}{'mlflow':>13}{'ratio':>9}  target")

    def val(bench: str, row: str, key: str, unit: str, digits: int) -> str:
        r = rv.get(res, bench, row) or {}
        why = r.get("error") or (rv.get(res, "start", row) or {}).get("error")
        if why:
            return "n/a" if "not selected" in why else "FAILED"
        v = r.get(key)
        return f"{v:,.{digits}f}{unit}" if isinstance(v, int | float) else "-"

    def line(label: str, bench: str, key: str, target: str | None, unit: str = "",
             digits: int = 1, mlflow: bool = True) -> None:
        t = tgt.get(target) if target else None
        ratio = f"{t['ratio']:.1f}x" if t and isinstance(t["ratio"], float) else ""
        goal = "" if not t else t["goal"] if t["verdict"] == "info" else f"{t['goal']} {t['verdict']}"
        mv = val(bench, "mlflow", key, unit, digits) if mlflow else ""
        p(f"{label:<46}{val(bench, 'slipstream', key, unit, digits):>13}{mv:>13}{ratio:>9}  "
          f"{goal}".rstrip())

    line("single row /invocations, p50", "latency", "p50_ms", "p50", " ms", 2)
    line("single row /invocations, p99", "latency", "p99_ms", "p99", " ms", 2)
    line("  single row v2 infer, p50", "latency_v2", "p50_ms", None, " ms", 2, False)
    line("  single row v2 infer, p99", "latency_v2", "p99_ms", None, " ms", 2, False)
    c = rv.get(res, "rate", "slipstream", "connections") or rv.get(res, "rate", "mlflow", "connections")
    line(f"requests/s, {c} connections, 1 row each", "rate", "per_s", "rate", "/s", 0)
    line("  p50 latency under that load", "rate", "p50_ms", None, " ms", 1)
    line("  server CPU per request in that run", "rate", "server_cpu_us_per_request", "cpu", " us", 0)
    line("  server CPU use in that run (cores)", "rate", "server_cpu_share", None, "", 2)
    line("1,000-row batches, rows/s (1 connection)", "batch", "rows_per_s", "batch", "/s", 0)
    rs = rv.get(res, "rate", "slipstream") or {}
    if "micro_ratio" in rs:
        p(f"{'micro-batched rows/s / in-process predict':<46}{rs['micro_ratio']:>12.0%}"
          f"{'':>22}  {tgt['micro']['goal']} {tgt['micro']['verdict']}")
        p(f"    server {rs['per_s']:,.0f} rows/s in batches of {rs['mean_batch']:.1f} on average"
          f" ({rs['batches']:,.0f} batches); in-process pyfunc predict on batches of that size"
          f" {rs['inproc_rows_per_s']:,.0f} rows/s")
        p(f"    against native sklearn predict on numpy arrays of those rows (the server's own path's"
          f" floor): {rs['native_rows_per_s']:,.0f} rows/s, {rs['micro_native_ratio']:.0%}")
        p(f"    CPU: in-process predict {rs['inproc_cpu_us_per_row']:,.0f} us per row in those batches,"
          f" the server {rs['server_cpu_us_per_request']:,.0f} us per single-row request:"
          f" {rs['micro_cpu_ratio']:.0%} by CPU (less sensitive to other load on the machine)")
        p(f"    in-process single row: pyfunc {rs['inproc_single_ms']:.3f} ms, native (numpy)"
          f" {rs['native_single_ms']:.3f} ms; 1,000 rows: {rs['inproc_1000_rows_per_s']:,.0f} rows/s")
    else:
        why = rs.get("micro_error") or (rs.get("error") or "not measured")
        p(f"{'micro-batched rows/s / in-process predict':<46}{'-':>13}{'':>22}  "
          f"{tgt['micro']['goal']} n/a ({why[:80]})")
    line("start -> first ready answer", "start", "start_s", "start", " s", 2)
    line("RSS, server process tree, after start", "start", "rss_mb", "rss", " MB", 0)
    line("  RSS after the load", "start", "rss_after_mb", "rss_after", " MB", 0)
    procs = [rv.get(res, "start", k, "processes") for k in ("slipstream", "mlflow")]
    p(f"{'  processes in the tree':<46}{procs[0] or '-'!s:>13}{procs[1] or '-'!s:>13}")
    line("log_model (sklearn, input_example)", "log_model", "log_model_s", "log_model", " s", 2)
    fl = rv.get(res, "floor", "http") or {}
    if "server_cpu_us_per_request" in fl:
        inproc = rs.get("inproc_cpu_us_per_row")
        best = (f"; so by CPU at most {inproc / (inproc + fl['server_cpu_us_per_request']):.0%}"
                " of in-process for any server on it" if inproc else "")
        p(f"  HTTP floor (serving.http: httptools, the asyncio loop, a no-op handler): "
          f"{fl['server_cpu_us_per_request']:.0f} us of CPU per request, {fl['per_s']:,.0f}"
          f" requests/s{best}")
    cl = rv.get(res, "ceiling", "client") or {}
    if "per_s" in cl:
        p(f"  load generator's own ceiling (trivial server, {cl['connections']:.0f} connections,"
          f" {cl['procs']:.0f} client processes): {cl['per_s']:,.0f} requests/s,"
          f" {cl['client_cpu_us_per_request']:.0f} us of client CPU per request")
    for bench in sorted(res):
        for row, rec in sorted(res[bench].items()):
            if "error" in rec:
                p(f"    {bench} {row}: {rec['error'][:240]}")
            if rec.get("non_2xx"):
                p(f"    {bench} {row}: {rec['non_2xx']:.0f} non-2xx answers in the window")
    for kind in KINDS:
        if rv.get(res, "start", kind, "correct") is False:
            p(f"    !!!!! {kind}: answers differ from the model's in-process predictions !!!!!")
    p("  (ratio = mlflow figure / Slipstream figure for times and memory, Slipstream / mlflow for")
    p("   rates; medians over the repeats; shared, noisy 2-core machine, the load generator on the")
    p("   same cores as the server)")


def verdicts(tgt: dict[str, Any]) -> list[str]:
    return [t["verdict"] for t in tgt.values() if t["verdict"] in (rv.PASS, rv.MISS, rv.NA)]
