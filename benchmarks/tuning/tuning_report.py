"""The tuning group's report: targets (ratios against Optuna, verdicts) and the printed table.
Stdlib only; tuning_group.py measures, this reads its results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import _common as c
import report_values as rv

KINDS = ("optuna", "slipstream")
VS_SQLITE, VS_MEMORY, GRID_SLOPE, SPEEDUP_PER_CORE = 10.0, 0.5, 1.5, 0.8



def _verdict(value: float | None, ok: Callable[[float], bool]) -> str:
    return rv.verdict(None if value is None else ok(value))


def targets(res: dict[str, Any]) -> dict[str, Any]:
    """Per figure: its value, goal and verdict ("info" for figures without a target)."""
    out: dict[str, Any] = {}
    slip = rv.get(res, "tpe", "slipstream", "trials_per_s")
    r = rv.ratio(slip, rv.get(res, "tpe", "optuna_sqlite", "trials_per_s"))
    out["tpe_vs_sqlite"] = {"value": r, "goal": f">= {VS_SQLITE:.0f}x",
                            "verdict": _verdict(r, lambda v: v >= VS_SQLITE)}
    r = rv.ratio(slip, rv.get(res, "tpe", "optuna_memory", "trials_per_s"))
    out["tpe_vs_memory"] = {"value": r, "goal": f">= {VS_MEMORY}x",
                            "verdict": _verdict(r, lambda v: v >= VS_MEMORY)}
    small, big = min(c.GRID_SIZES), max(c.GRID_SIZES)
    for tool in KINDS:
        r = rv.ratio(rv.get(res, "grid", f"{tool}_{big}", "per_trial_ms"),
                   rv.get(res, "grid", f"{tool}_{small}", "per_trial_ms"))
        out[f"grid_slope_{tool}"] = (
            {"value": r, "goal": f"<= {GRID_SLOPE}", "verdict": _verdict(r, lambda v: v <= GRID_SLOPE)}
            if tool == "slipstream" else {"value": r, "goal": "", "verdict": "info"})
    r = rv.ratio(rv.get(res, "grid", f"optuna_{big}", "optimize_s"),
               rv.get(res, "grid", f"slipstream_{big}", "optimize_s"))
    out["grid_vs_optuna"] = {"value": r, "goal": "", "verdict": "info"}
    n, goal = 2, SPEEDUP_PER_CORE * 2
    for tool in (*KINDS, "floor"):
        r = rv.ratio(rv.get(res, "parallel", f"{tool}_1", "optimize_s"),
                   rv.get(res, "parallel", f"{tool}_{n}", "optimize_s"))
        out[f"speedup_{tool}"] = (
            {"value": r, "goal": f">= {goal:.1f}x (0.8 x {n})",
             "verdict": _verdict(r, lambda v: v >= goal)}
            if tool == "slipstream" else {"value": r, "goal": "", "verdict": "info"})
    for tool in KINDS:
        margin = quality_margin(res, tool)
        out[f"quality_{tool}"] = (
            {"value": margin, "goal": "TPE@50 mean >= random@200 mean",
             "verdict": _verdict(margin, lambda v: v >= 0)}
            if tool == "slipstream" else {"value": margin, "goal": "", "verdict": "info"})
    return out


def quality_margin(res: dict[str, Any], tool: str) -> float | None:
    """TPE's mean best accuracy by its last trial minus random search's by its last."""
    tpe, rnd = (rv.get(res, "quality", f"{tool}_{alg}", "mean_best_at", str(c.QUALITY_TRIALS[alg]))
                for alg in ("tpe", "random"))
    if isinstance(tpe, int | float) and isinstance(rnd, int | float):
        return float(tpe) - float(rnd)
    return None


def print_quality(res: dict[str, Any], tgt: dict[str, Any], p: Callable[..., None]) -> None:
    """The quality rows: mean best-so-far curves, the verdict, per-seed figures, walls."""
    q = res.get("quality") or {}
    if not q:
        return
    rows = [(tool, alg) for tool in ("slipstream", "optuna") for alg in c.QUALITY_TRIALS]
    seeds = next((r["seeds"] for r in q.values() if isinstance(r.get("seeds"), int)), "?")
    test_rows = round(c.QUALITY_SAMPLES * c.QUALITY_TEST_SIZE)
    p(f"quality: logistic regression, make_classification({c.QUALITY_SAMPLES}, "
      f"{c.QUALITY_FEATURES}), held-out accuracy ({test_rows:,} rows: one row = "
      f"{1 / test_rows:.5f}); C log-uniform {c.QUALITY_C[0]:g}..{c.QUALITY_C[1]:g}, penalty l1/l2")
    p(f"{'':<46}{'slipstream':>26}{'optuna':>26}")
    p(f"{f'  mean best accuracy by trial ({seeds} seeds)':<46}"
      + "".join(f"{alg:>13}" for _, alg in rows))

    def cell(tool: str, alg: str, k: int) -> str:
        r = q.get(f"{tool}_{alg}") or {}
        if k > c.QUALITY_TRIALS[alg]:
            return ""
        if "error" in r:
            return "n/a" if "not selected" in r["error"] else "FAILED"
        v = rv.get(r, "mean_best_at", str(k))
        return f"{v:.5f}" if isinstance(v, int | float) else "-"

    for k in c.QUALITY_CHECKPOINTS:
        p(f"{f'    {k}':<46}" + "".join(f"{cell(tool, alg, k):>13}" for tool, alg in rows))
    so, oo = (tgt.get(f"quality_{t}", {}).get("value") for t in KINDS)
    t = tgt.get("quality_slipstream", {})
    p(f"{'  TPE@50 mean - random@200 mean':<46}"
      f"{f'{so:+.5f}' if so is not None else '-':>13}{f'{oo:+.5f}' if oo is not None else '-':>13}"
      f"{'':>9}  {t.get('goal', '')} (slipstream) {t.get('verdict', rv.NA)}")
    finals = {(tool, alg): [v for v in rv.get(q, f"{tool}_{alg}", "best_at",
                                           str(c.QUALITY_TRIALS[alg])) or []
                            if isinstance(v, int | float)] for tool, alg in rows}
    for tool in ("slipstream", "optuna"):
        parts = [f"{alg}@{c.QUALITY_TRIALS[alg]} "
                 + "/".join(f"{v * test_rows:.0f}" for v in finals[(tool, alg)])
                 for alg in c.QUALITY_TRIALS]
        p(f"    {tool}, correct test rows of the best trial per seed: {'; '.join(parts)}")
    scores = [v for each in finals.values() for v in each]
    if scores:
        top = max(scores)
        reached = "; ".join(f"{tool} {alg}@{c.QUALITY_TRIALS[alg]} "
                            f"{sum(v == top for v in each)}/{len(each)}"
                            for (tool, alg), each in finals.items())
        p(f"    the best any study found: {top:.5f} ({top * test_rows:.0f} rows); seeds that"
          f" found it: {reached}")
    curves = {tool: [rv.get(q, f"{tool}_{alg}", "best_at") for alg in c.QUALITY_TRIALS]
              for tool in KINDS}
    if all(all(isinstance(x, dict) for x in v) for v in curves.values()):
        p("    the curves are identical in both tools (the same samplers, seeds and objective)"
          if curves["slipstream"] == curves["optuna"] else
          "    !!!!! the curves differ between the tools (same samplers and seeds) !!!!!")
    for alg, n in c.QUALITY_TRIALS.items():
        r = q.get(f"slipstream_{alg}") or {}
        want = n * c.QUALITY_SEEDS
        if "error" not in r and (r.get("stored") != want or r.get("with_run") != want):
            p(f"    !!!!! slipstream {alg}: {r.get('stored')} trials COMPLETE in the stores,"
              f" {r.get('with_run')} with a run, {want} expected !!!!!")
    walls = []
    for tool, alg in rows:
        r = q.get(f"{tool}_{alg}") or {}
        if isinstance(r.get("optimize_s"), int | float):
            walls.append(f"{tool} {alg} {r['optimize_s']:.0f} s ({r.get('objective_s', 0):.0f} s"
                         " in the objective)")
    if walls:
        p(f"    studies' wall, all seeds: {'; '.join(walls)}")
    fits = next((r["fit_s"] for r in q.values() if isinstance(r.get("fit_s"), dict)), None)
    if fits:
        p(f"    one fit: {min(fits.values()) * 1000:.0f}-{max(fits.values()) * 1000:.0f} ms"
          f" (liblinear, max_iter={c.QUALITY_MAX_ITER}; slowest {max(fits, key=fits.get)});"
          " curves read back from the stored trials (slipstream), one fresh SLIPSTREAM_HOME per"
          " seed")


def print_section(res: dict[str, Any], tgt: dict[str, Any], p: Callable[..., None]) -> None:
    p("TUNING (`ss.tune` vs plain Optuna; trivial objective (x-2)^2+(y+3)^2, x float, y int)")
    p(f"{'measurement':<46}{'slipstream':>13}{'optuna':>13}{'ratio':>9}  target")

    def val(bench: str, row: str, key: str, unit: str, digits: int) -> str:
        r = rv.get(res, bench, row) or {}
        if "error" in r:
            return "n/a" if "not selected" in r["error"] else "FAILED"
        v = r.get(key)
        return f"{v:,.{digits}f}{unit}" if isinstance(v, int | float) else "-"

    def spread(bench: str, row: str, key: str) -> str:
        each = rv.get(res, bench, row, "each", key) or []
        return "/".join(f"{v:,.3g}" for v in each if isinstance(v, int | float))

    def verdict(name: str) -> str:
        t = tgt.get(name) or {}
        ratio = f"{t['value']:.2f}x" if isinstance(t.get("value"), float) else "-"
        goal = "" if t.get("verdict") == "info" else f"{t.get('goal', '')} {t.get('verdict', rv.NA)}"
        return f"{ratio:>9}  {goal}".rstrip()

    tps = ("tpe", "trials_per_s", "/s", 1)
    p(f"{f'TPE, {c.TPE_TRIALS} trials, trials/s: vs Optuna SQLite':<46}"
      f"{val('tpe', 'slipstream', *tps[1:]):>13}{val('tpe', 'optuna_sqlite', *tps[1:]):>13}"
      f"{verdict('tpe_vs_sqlite')}")
    p(f"{'  vs Optuna in memory':<46}{'':>13}{val('tpe', 'optuna_memory', *tps[1:]):>13}"
      f"{verdict('tpe_vs_memory')}")
    p(f"    repeats, trials/s: slipstream {spread('tpe', 'slipstream', 'trials_per_s')}; optuna"
      f" sqlite {spread('tpe', 'optuna_sqlite', 'trials_per_s')}; optuna memory"
      f" {spread('tpe', 'optuna_memory', 'trials_per_s')}")
    bests = {row: rv.get(res, "tpe", row, "best_value") for row in ("slipstream", "optuna_memory")}
    if all(isinstance(v, float) for v in bests.values()):
        same = bests["slipstream"] == bests["optuna_memory"]
        p(f"    best value after {c.TPE_TRIALS} trials: slipstream {bests['slipstream']:.6g}, optuna"
          f" {bests['optuna_memory']:.6g}"
          + (" (identical: the same TPESampler and seed)" if same else "  !!!!! DIFFERENT !!!!!"))
    for row in ("slipstream", "optuna_sqlite"):
        r = rv.get(res, "tpe", row) or {}
        if isinstance(r.get("stored"), int | float) and r["stored"] != c.TPE_TRIALS:
            p(f"    !!!!! {row}: {r['stored']:.0f} trials stored, {c.TPE_TRIALS} expected !!!!!")
    for n in c.GRID_SIZES:
        p(f"{f'grid of {n:,} points: time per trial':<46}"
          f"{val('grid', f'slipstream_{n}', 'per_trial_ms', ' ms', 3):>13}"
          f"{val('grid', f'optuna_{n}', 'per_trial_ms', ' ms', 3):>13}")
        for tool in KINDS:
            r = rv.get(res, "grid", f"{tool}_{n}") or {}
            if isinstance(r.get("distinct"), int | float) and r["distinct"] != n:
                p(f"    !!!!! {tool}: {r['distinct']:.0f} distinct points of {n} !!!!!")
    small, big = min(c.GRID_SIZES), max(c.GRID_SIZES)
    so, oo = (tgt.get(f"grid_slope_{t}", {}).get("value") for t in ("slipstream", "optuna"))
    p(f"{f'  per trial at {big:,} / at {small:,} points':<46}"
      f"{f'{so:.2f}' if so is not None else '-':>13}{f'{oo:.2f}' if oo is not None else '-':>13}"
      f"{'':>9}  <= {GRID_SLOPE} (slipstream) {tgt.get('grid_slope_slipstream', {}).get('verdict', rv.NA)}")
    p(f"{f'  whole grid of {big:,}, optuna time / slipstream':<46}"
      f"{val('grid', f'slipstream_{big}', 'optimize_s', ' s', 2):>13}"
      f"{val('grid', f'optuna_{big}', 'optimize_s', ' s', 2):>13}{verdict('grid_vs_optuna')}")
    p(f"{f'CPU-bound trials ({c.PARALLEL_TRIALS}), 1 at a time: wall':<46}"
      f"{val('parallel', 'slipstream_1', 'optimize_s', ' s', 2):>13}"
      f"{val('parallel', 'optuna_1', 'optimize_s', ' s', 2):>13}")
    p(f"{'  2 at a time: wall':<46}{val('parallel', 'slipstream_2', 'optimize_s', ' s', 2):>13}"
      f"{val('parallel', 'optuna_2', 'optimize_s', ' s', 2):>13}")
    so, oo = (tgt.get(f"speedup_{t}", {}).get("value") for t in ("slipstream", "optuna"))
    p(f"{'  speed-up, 2 vs 1 (Optuna: n_jobs threads)':<46}"
      f"{f'{so:.2f}x' if so is not None else '-':>13}{f'{oo:.2f}x' if oo is not None else '-':>13}"
      f"{'':>9}  {tgt.get('speedup_slipstream', {}).get('goal', '')} "
      f"{tgt.get('speedup_slipstream', {}).get('verdict', rv.NA)}")
    fo = tgt.get("speedup_floor", {}).get("value")
    if fo is not None:
        share = f"; slipstream's speed-up is {so / fo:.0%} of it" if so is not None and fo else ""
        walls = " / ".join(val("parallel", f"floor_{n}", "optimize_s", " s", 2) for n in (1, 2))
        p(f"    the floor (no tuner: the trials in one process / a plain forkserver pool of 2):"
          f" {walls}, {fo:.2f}x, what the machine gave{share}")
    s1, s2 = (rv.get(res, "parallel", f"slipstream_{n}") or {} for n in (1, 2))
    if isinstance(s1.get("trial_median_s"), float) and isinstance(s2.get("trial_median_s"), float):
        p(f"    slipstream, one trial as stored: median {s1['trial_median_s']:.2f} s (1 at a time),"
          f" {s2['trial_median_s']:.2f} s (2 at a time); the first trial"
          f" {s1['first_trial_s']:.2f} s / {s2['first_trial_s']:.2f} s (with 2: the pool starting)")
    one = rv.get(res, "parallel", "slipstream_1") or rv.get(res, "parallel", "optuna_1") or {}
    loads = {row: "/".join(f"{la[0]:.1f}" for la in r.get("load_averages") or [] if la)
             for row, r in sorted((res.get("parallel") or {}).items())}
    if one.get("cpus"):
        p(f"    {one['cpus']:.0f} CPUs; 1-minute load average as each run ended (above 2: other"
          " processes took CPU from the trials): "
          + "; ".join(f"{row.replace('_', ' ')}: {la}" for row, la in loads.items()))
    w1, w2 = (rv.get(res, "parallel", f"slipstream_{n}", "each", "optimize_s") or [] for n in (1, 2))
    paired = "/".join(f"{a / b:.2f}x" for a, b in zip(w1, w2, strict=False) if a and b)
    p(f"    repeats, wall s: slipstream 1: {spread('parallel', 'slipstream_1', 'optimize_s')},"
      f" 2: {spread('parallel', 'slipstream_2', 'optimize_s')}; speed-up within each repeat"
      f" {paired or '-'}")
    print_quality(res, tgt, p)
    for bench in sorted(res):
        for row, rec in sorted(res[bench].items()):
            if "error" in rec and "not selected" not in rec["error"]:
                p(f"    {bench} {row}: {rec['error'][:240]}")
    p("  (ratio = Slipstream trials/s over Optuna's; grid slope = time per trial at the largest")
    p("   grid over the smallest, 1.0 = linear; speed-up = wall with 1 trial at a time over 2;")
    p("   quality = mean over seeds of the best accuracy among the first k trials, run once;")
    p("   medians over the repeats; shared, noisy 2-core machine)")


def verdicts(tgt: dict[str, Any]) -> list[str]:
    return [t["verdict"] for t in tgt.values() if t["verdict"] in (rv.PASS, rv.MISS, rv.NA)]
