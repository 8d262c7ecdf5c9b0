"""The adaptive retraining pipeline of shared/PAPER.md as a closed loop, with nobody in it:

1. train v1 on `train_data` and register it (alias `champion`), its training data in lineage;
2. serve it: a deployment of `models:/NAME@champion` served by a `slipstream deploy serve`
   subprocess that logs every request into the store;
3. send normal traffic, then drifted traffic (`drifted_data`'s rows), over HTTP;
4. a drift monitor compares the deployment's sampled requests with v1's training data;
5. on drift its trigger launches retraining through a launch plan: `retrain_on_drift`, the
   `@dynamic` tuning fan-out over `n_c_values` values of C on the new (labelled) data;
6. the best candidate is registered, and promoted to `champion` only when it beats the
   champion on held-out new rows that neither model was fitted or tuned on;
7. the server follows the alias: it hot-swaps to the new version with no request failing.

    python examples/retraining_loop.py                 # bash scripts/demo.sh runs this
    python examples/retraining_loop.py --min-gain 1    # a challenger must win by 1.0: it cannot

The workflows are in `loop_flows.py`; the server and its clients in `loop_traffic.py`.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import time
from pathlib import Path
from typing import Any

from loop_flows import FEATURES, new_rows, retrain_on_drift, train_first
from loop_traffic import Clients, Server, send

import slipstream as ss
from slipstream import monitor
from slipstream._core.errors import NotFoundError
from slipstream.scheduling import create_launch_plan

PLAN, DEPLOYMENT, MONITOR = "retrain-on-drift", "retraining-api", "retraining-drift"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="retraining", help="registered model name")
    parser.add_argument("--n-rows", type=int, default=5000, help="rows per data set")
    parser.add_argument("--shift", type=float, default=1.5, help="how far the data drifts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--n-c-values", type=int, default=5, help="values of C tuned over")
    parser.add_argument("--min-gain", type=float, default=0.0,
                        help="accuracy a challenger must gain over the champion to replace it")
    parser.add_argument("--requests", type=int, default=20, help="requests per traffic phase")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.n_rows < 4 * args.requests:
        parser.error(f"--requests must be at least 1 and --n-rows at least 4 x --requests "
                     f"(a quarter of the rows is the traffic), not {args.requests} and "
                     f"{args.n_rows}")
    return args


def step(number: int, text: str) -> None:
    print(f"{number}. {text}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up the server on kill too
    started = time.perf_counter()
    settings = ss.Settings.load()
    first = train_first(model=args.model, n_rows=args.n_rows, seed=args.seed)
    step(1, f"trained v{first.version} (C=1.0) on {args.n_rows} rows: accuracy "
            f"{first.accuracy:.4f} on its held-out rows; registered as models:/{args.model}/"
            f"{first.version} @champion (training data in its lineage)")
    plan = create_launch_plan(PLAN, retrain_on_drift, replace=True, default_inputs={
        "model": args.model, "n_rows": args.n_rows, "shift": args.shift, "seed": args.seed,
        "min_gain": args.min_gain})
    deployments = _fresh_deployment(settings, f"models:/{args.model}@champion")
    with Server(DEPLOYMENT, Path(settings.home) / "retraining-loop-server.log") as server:
        step(2, f"serving deployment {DEPLOYMENT} (models:/{args.model}@champion) on "
                f"{server.url}, pid {server.pid}, logging 100% of requests")
        drifted = new_rows(args.n_rows, args.shift, args.seed)
        windows = {phase: _traffic(server, deployments, rows, phase, args.requests)
                   for phase, rows in (("normal", new_rows(args.n_rows, 0.0, args.seed)),
                                       ("drifted", drifted))}
        with monitor.Monitoring.from_settings(settings) as monitoring:
            with contextlib.suppress(NotFoundError):  # a re-run starts the monitor anew
                monitoring.store.delete_monitor(MONITOR)
            monitoring.create(MONITOR, deployment=DEPLOYMENT, plan=plan.name,
                              plan_inputs={"n_c_values": args.n_c_values},
                              cooldown_seconds=600, columns=FEATURES)
            calm = monitoring.run(MONITOR, **windows["normal"])
            step(4, f"monitor on the normal requests: {_verdict(calm.report)}")
            with Clients(server, drifted[FEATURES]) as clients:  # traffic goes on meanwhile
                check = monitoring.run(MONITOR, **windows["drifted"])
                step(4, f"monitor on the drifted requests: {_verdict(check.report)}")
                if check.firing is None:
                    step(5, "no drift, so no retraining")
                    return 0
                _report_retraining(check.firing)
                outcome = _outcome(args.model, check.firing.execution_id)
                _report_promotion(outcome, args.min_gain)
                settled = clients.until(f"{args.model}/{outcome['champion']}", in_a_row=20)
            step(7, clients.summary(first_version=f"{args.model}/{first.version}"))
    if clients.failed or not settled:
        print(f"FAILED: {clients.failed} failed requests; the server "
              f"{'settled' if settled else 'never settled'} on v{outcome['champion']}")
        return 1
    print(f"done in {time.perf_counter() - started:.1f} s; recorded in {settings.store_url}")
    return 0


def _traffic(server: Server, deployments: Any, rows: Any, phase: str,
             requests: int) -> dict[str, int]:
    """Send `rows` as `requests` requests; the window (since_ms, until_ms) they were logged in,
    once the server's sampled requests are in the store."""
    since = int(time.time() * 1000)
    answers = send(server, rows[FEATURES], requests)
    until = int(time.time() * 1000) + 1  # until_ms is exclusive
    deadline = time.monotonic() + 10
    while len(deployments.search_predictions(DEPLOYMENT, since_ms=since)) < len(answers):
        if time.monotonic() > deadline:
            raise SystemExit(f"the server logged fewer than {len(answers)} requests in 10 s")
        time.sleep(0.1)
    step(3, f"sent {len(answers)} {phase} requests of {len(rows) // requests} rows over HTTP: "
            f"all 200, answered by {', '.join(sorted(set(answers)))}")
    return {"since_ms": since, "until_ms": until}


def _fresh_deployment(settings: Any, model_uri: str) -> Any:
    """The demo's deployment, made anew (a re-run replaces the previous run's)."""
    from slipstream.metadata.deployments import initial_targets
    from slipstream.registry.client import RegistryClient

    registry = RegistryClient.from_settings(settings)
    store = registry.deployments
    with contextlib.suppress(NotFoundError):
        store.delete_deployment(DEPLOYMENT)
    store.create_deployment(DEPLOYMENT, initial_targets(model_uri))
    return store


def _verdict(report: Any) -> str:
    drifted = len(report.drifted_features)
    smallest = min(t.p_value for f in report.features for t in f.tests if t.p_value is not None)
    head = "DRIFT" if report.drifted else "no drift"
    return (f"{head}: {drifted}/{len(report.features)} features drifted (KS, smallest p "
            f"{smallest:.2g}), {report.current_size} request rows against "
            f"{report.reference_size} training rows from lineage")


def _report_retraining(firing: Any) -> None:
    if not firing.execution_id:
        raise SystemExit(f"the trigger fired but the launch failed: {firing.error}")
    store = ss.Client().store
    execution = store.get_execution(firing.execution_id)
    nodes = store.list_nodes(execution.id)
    fits = [n for n in nodes if n.name.endswith("train") and n.parent_id]  # inside `tune`
    seconds = execution.duration or 0.0
    step(5, f"trigger fired: launch plan {PLAN} ran execution {execution.id}: "
            f"{execution.status} in {seconds:.1f} s, its @dynamic tuning fanned out to "
            f"{len(fits)} fits (one per value of C), {len(nodes)} nodes in all")


def _outcome(model: str, execution_id: str) -> dict[str, Any]:
    """What the retraining registered, from the registry: its version and the tags saying
    why the alias moved or stayed."""
    (version,) = ss.models.search_model_versions(f"execution_id = '{execution_id}'")
    tags = version.tags
    promoted = tags["promoted"] == "True"
    return {"version": int(version.version), "C": float(tags["C"]),
            "accuracy": float(tags["accuracy"]), "promoted": promoted,
            "champion_version": int(tags["champion_version"]),
            "champion_accuracy": float(tags["champion_accuracy"]),
            "champion": int(version.version) if promoted else int(tags["champion_version"])}


def _report_promotion(outcome: dict[str, Any], min_gain: float) -> None:
    verdict = (f"promoted v{outcome['version']} to champion" if outcome["promoted"]
               else f"not better by more than {min_gain:g}: champion stays "
                    f"v{outcome['champion_version']}")
    step(6, f"registered v{outcome['version']} (best C={outcome['C']:g}): accuracy "
            f"{outcome['accuracy']:.4f} vs champion v{outcome['champion_version']} "
            f"{outcome['champion_accuracy']:.4f} on held-out new data: {verdict}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the server was stopped on the way out
        print("interrupted", file=sys.stderr)
        sys.exit(130)
