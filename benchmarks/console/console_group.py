"""The console group of benchmarks/run.py (`--only console`): issue 7's speed targets over HTTP
against a fresh `slipstream server` (console_bench.py, one fresh process per repeat, in the
repository's .venv, which has the server and the built console).

- runs page: the first page the console's runs table asks for (500 runs) from an experiment of
  100,000 runs; cold (the first /api/v1 request after start) and warm (median of 5); also sorted
  by a metric and filtered. Target: under 500 ms, judged on the cold and the warm figure.
- metric chart: a 100,000-point metric through `metric-series` (max_points 2000, the run
  page's); cold and warm, response size. Printed against 1 s ("responsive"): a report, not a
  verdict.

Stdlib only (run.py runs under any Python).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import report_values as rv

__all__ = ["measure", "print_section", "targets", "verdicts"]

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "console_bench.py"
TIMEOUT_S = 900
PAGE_TARGET_MS = 500.0
SERIES_TARGET_MS = 1000.0
KEYS = ["seed_s", "server_start_s", "page_cold_ms", "page_warm_ms", "sorted_warm_ms",
        "filtered_warm_ms", "series_cold_ms", "series_warm_ms", "series_bytes"]

Log = Callable[[str], None]


def measure(pythons: dict[str, Path], failures: dict[str, str], repeat: int, log: Log,
            run_json: Callable[..., dict[str, Any]], median_of: Callable[..., dict[str, Any]],
            run_failed: type[Exception]) -> dict[str, Any]:
    """The median record over `repeat` fresh processes (with `each`), or {"error"}."""
    python, why = rv.repo_python("slipstream.server")
    if python is None:
        return {"error": f"the repository's .venv cannot run the server: {why}"}
    records = []
    for i in range(repeat):
        log(f"  console  100,000 runs  run {i + 1}/{repeat}")
        try:
            records.append(run_json(python, [str(SCRIPT), "--json"], timeout=TIMEOUT_S))
        except run_failed as exc:
            log(f"    FAILED: {str(exc)[:300]}")
            return {"error": str(exc)}
    med = median_of(records, KEYS)
    med["each"] = {k: [r.get(k) for r in records] for k in KEYS}
    return med


def targets(res: dict[str, Any]) -> dict[str, Any]:
    """The first page under 500 ms (cold and warm: verdicts); the series under 1 s (info)."""
    def under(key: str, limit: float, judged: bool) -> dict[str, Any]:
        value = rv.get(res, key)
        ok = value < limit if isinstance(value, int | float) else None
        return {"value": value, "goal": f"< {limit:.0f} ms",
                "verdict": rv.verdict(ok) if judged else "info"}

    return {
        "page_cold": under("page_cold_ms", PAGE_TARGET_MS, True),
        "page_warm": under("page_warm_ms", PAGE_TARGET_MS, True),
        "series_cold": under("series_cold_ms", SERIES_TARGET_MS, False),
        "series_warm": under("series_warm_ms", SERIES_TARGET_MS, False),
    }


def verdicts(tgt: dict[str, Any]) -> list[str]:
    """The two first-page verdicts."""
    return [tgt[k]["verdict"] for k in ("page_cold", "page_warm") if k in tgt]


def print_section(res: dict[str, Any], tgt: dict[str, Any], p: Callable[..., None]) -> None:
    p("CONSOLE (issue 7: `slipstream server` over HTTP, SQLite, the console's own requests)")
    if "error" in res:
        p(f"  FAILED: {res['error'][:300]}")
        return

    def ms(key: str) -> str:
        v = res.get(key)
        return f"{v:,.1f} ms" if isinstance(v, int | float) else "-"

    def judged(name: str) -> str:
        t = tgt.get(name) or {}
        verdict = t.get("verdict", rv.NA)
        if verdict == "info":  # no verdict: the figure is a report against the goal
            return f"(responsive: {t.get('goal', '')}, a report)"
        return f"(target {t.get('goal', '')})  {verdict}"

    p(f"  {res.get('runs', 0):,} runs in one experiment (params lr, depth; metric acc), seeded "
      f"in {res.get('seed_s')} s:")
    p(f"    {res.get('seeded', '')}")
    p(f"  server start to first answer: {res.get('server_start_s')} s; median of "
      f"{res.get('repeats')} process(es)")
    p(f"{'measurement':<62}{'time':>12}")
    page = f"POST /api/v1/runs/search, {res.get('page_size')} runs, newest first"
    p(f"{page + ', cold':<62}{ms('page_cold_ms'):>12}  {judged('page_cold')}")
    p(f"{'  (the first /api/v1 request after start: builds the native API)':<62}")
    p(f"{'  warm, median of 5':<62}{ms('page_warm_ms'):>12}  {judged('page_warm')}")
    p(f"{'  sorted by metrics.acc DESC, warm':<62}{ms('sorted_warm_ms'):>12}")
    p(f"{'  filtered and sorted, warm':<62}{ms('filtered_warm_ms'):>12}  "
      f"({res.get('filter')}: {res.get('filtered_rows')} rows)")
    series = (f"GET metric-series, {res.get('series_total', 0):,} points -> "
              f"max_points {res.get('max_points')}")
    p(f"{series + ', cold':<62}{ms('series_cold_ms'):>12}  {judged('series_cold')}")
    p(f"{'  warm, median of 5':<62}{ms('series_warm_ms'):>12}  {judged('series_warm')}")
    size = res.get("series_bytes")
    p(f"{'  response':<62}{(f'{size / 1000:,.0f} kB' if size else '-'):>12}  "
      f"({res.get('series_points')} points, downsampled: {res.get('series_downsampled')})")
