"""Crash-safety report: SIGKILL the runner of a multi-node workflow at seeded random points,
`slipstream recover` each execution, and check the store (`slipstream db check`).

    .venv/bin/python benchmarks/reliability/crash_safety.py              # 100 kills
    .venv/bin/python benchmarks/reliability/crash_safety.py --kills 20 --seed 7

Kills are split between the inline executor and a 2-process pool (--process-share). Prints
kills survived / total, nodes re-run vs total, and the integrity problems left after recover
(must be 0). The workflow and the harness are tests/reliability/flows.py and harness.py.
Exits 1 when a kill was not survived.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.reliability.harness import Outcome, delays, kill_and_recover, measure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--items", type=int, default=12, help="map items of the workflow")
    parser.add_argument("--process-share", type=float, default=0.3,
                        help="fraction of kills on the process pool (default 0.3)")
    args = parser.parse_args(argv)
    if args.kills < 1 or not 0 <= args.process_share <= 1:
        parser.error("--kills must be >= 1 and --process-share in [0, 1]")
    on_pool = round(args.kills * args.process_share)
    plan = [("inline", args.kills - on_pool), ("process:2", on_pool)]
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="slipstream-crash-") as tmp:
        for index, (executor, count) in enumerate(plan):
            if count == 0:
                continue
            root = Path(tmp) / executor.replace(":", "-")
            span = measure(root / "measure", executor, args.items)
            print(f"{executor}: an uninterrupted run makes its calls in {span * 1000:.0f} ms; "
                  f"{count} kills in that span (seed {args.seed + index})", flush=True)
            for i, delay in enumerate(delays(args.seed + index, count, span)):
                outcome = kill_and_recover(root / f"kill{i}", executor, args.items, delay)
                outcomes.append(outcome)
                if not outcome.survived:
                    print(f"  NOT SURVIVED: kill at {delay * 1000:.1f} ms: "
                          f"{outcome.errors + outcome.problems_after}", flush=True)
    _report(outcomes, time.perf_counter() - started)
    return 0 if all(o.survived for o in outcomes) else 1


def _report(outcomes: list[Outcome], seconds: float) -> None:
    killed = [o for o in outcomes if o.state == "killed"]
    survived = sum(o.survived for o in outcomes)
    nodes, rerun = sum(o.nodes for o in killed), sum(o.rerun for o in killed)
    problems = sum(len(o.problems_after) for o in outcomes)
    print(f"kills survived: {survived} / {len(outcomes)} "
          f"({len(killed)} mid-run and recovered, "
          f"{sum(o.state == 'finished' for o in outcomes)} after the run had finished, "
          f"{sum(o.state == 'unstarted' for o in outcomes)} before it was recorded)")
    print(f"dead runner detected by db check: {sum(o.dead_runner_found for o in killed)} / "
          f"{len(killed)}")
    print(f"nodes re-run by recover: {rerun} / {nodes} task and map-item nodes "
          f"({nodes - rerun} reused as durable)")
    print(f"integrity problems after recover: {problems}")
    print(f"wall time: {seconds:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
