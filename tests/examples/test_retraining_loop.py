"""examples/retraining_loop.py, the closed loop of issue 8, end to end as a subprocess in the
test's SLIPSTREAM_HOME: what it prints is checked against what the stores recorded (drift
reports and firings, the launched execution and its fan-out, registry versions, tags and alias
moves, the deployment's logged requests) and against the models re-scored here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import slipstream as ss
from slipstream._core.settings import Settings
from slipstream.entities import Status
from slipstream.execution.api import default_client
from slipstream.execution.loading import load_entity
from slipstream.metadata.factory import open_monitor_store
from slipstream.registry.client import RegistryClient
from tests.cli.helpers import REPO

pytestmark = pytest.mark.slow
LOOP = REPO / "examples" / "retraining_loop.py"
MODEL, DEPLOYMENT, MONITOR = "retraining", "retraining-api", "retraining-drift"


def run_loop(home: Path, *args: str) -> str:
    env = {**os.environ, "SLIPSTREAM_HOME": str(home)}
    proc = subprocess.run([sys.executable, str(LOOP), *args], cwd=home, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def line(out: str, number: int, index: int = 0) -> str:
    found = re.findall(rf"^{number}\. (.*)$", out, re.MULTILINE)
    assert len(found) > index, out
    return str(found[index])


def holdout_accuracy(version: int) -> float:
    """Version `version` scored here on the new data's held-out rows (the drifted requests)."""
    new_rows = load_entity(f"{REPO / 'examples' / 'loop_flows.py'}:new_rows")
    rows = new_rows(5000, 1.5, 7)
    features = rows.drop(columns="label").to_numpy()
    model = ss.models.load_model(f"models:/{MODEL}/{version}")
    return float(model.score(features, rows["label"].to_numpy()))


def served_versions() -> list[tuple[str, int]]:
    """(model version, status) of every request the deployment logged, oldest first."""
    with RegistryClient.from_settings(Settings.load()) as registry:
        assert registry.deployments is not None
        records = registry.deployments.search_predictions(DEPLOYMENT, limit=10_000)
    return [(r.model_version, r.status) for r in sorted(records, key=lambda r: r.timestamp_ms)]


def check_drift_and_launch() -> str:
    """The monitor's two reports (normal: no drift; drifted: drift) and the one firing; the
    execution it launched SUCCEEDED with one fit per value of C inside the dynamic node."""
    store = open_monitor_store(Settings.load().store_url)
    try:
        reports = sorted(store.list_reports(MONITOR), key=lambda r: r.created_at)
        firings = store.list_firings(MONITOR)
    finally:
        store.close()
    assert [r.drifted for r in reports] == [False, True]
    assert reports[1].reference_size == 3750 and reports[1].current_size == 1240
    assert len(reports[1].drifted_features) >= 10 and not reports[0].drifted_features
    (firing,) = firings
    assert firing.report_id == reports[1].report_id and firing.plan == "retrain-on-drift"
    client = default_client()
    execution = client.store.get_execution(firing.execution_id)
    assert execution.workflow_name.endswith("retrain_on_drift")
    assert execution.status is Status.SUCCEEDED
    assert execution.inputs["n_c_values"] == 5  # the trigger's input
    nodes = client.store.list_nodes(execution.id)
    (tune,) = [n for n in nodes if n.name.endswith("tune")]
    fits = [n for n in nodes if n.name.endswith("train") and n.parent_id == tune.node_id]
    assert tune.kind == "dynamic" and len(fits) == 5
    assert all(n.status is Status.SUCCEEDED for n in nodes)
    return firing.execution_id


def versions() -> dict[int, Any]:
    return {int(v.version): v for v in ss.models.search_model_versions(f"name = '{MODEL}'")}


def test_drift_retrains_promotes_the_better_model_and_the_server_swaps(isolated_home: Path
                                                                       ) -> None:
    out = run_loop(isolated_home)
    assert "v1" in line(out, 1) and "@champion" in line(out, 1)
    assert line(out, 4, 0).startswith("monitor on the normal requests: no drift")
    assert line(out, 4, 1).startswith("monitor on the drifted requests: DRIFT")
    execution_id = check_drift_and_launch()
    assert execution_id in line(out, 5) and "SUCCEEDED" in line(out, 5)

    # the challenger (v2, from the retraining's run) beats v1 on the held-out new data
    found = versions()
    assert sorted(found) == [1, 2] and found[2].execution_id == execution_id
    first, second = holdout_accuracy(1), holdout_accuracy(2)
    assert second > first
    tags = found[2].tags
    assert (float(tags["accuracy"]), float(tags["champion_accuracy"])) == (
        round(second, 4), round(first, 4))
    assert tags["promoted"] == "True"
    assert f"accuracy {second:.4f} vs champion v1 {first:.4f}" in line(out, 6)
    assert ss.models.get_model_version(MODEL, "champion").version == 2

    # every request answered; the server moved from v1 to v2 (v1 first, v2 last)
    served = served_versions()
    assert {status for _, status in served} == {200}
    assert {v for v, _ in served} == {f"{MODEL}/1", f"{MODEL}/2"}
    assert served[0][0] == f"{MODEL}/1" and served[-1][0] == f"{MODEL}/2"
    assert re.search(r"hot-swapped: retraining/1 \(\d+ requests\) -> retraining/2 \(\d+ "
                     r"requests\); \d+ requests, 0 failed$", line(out, 7)), out
    assert out.rstrip().splitlines()[-1].startswith("done in ")


def test_a_challenger_not_better_by_the_margin_leaves_the_champion(isolated_home: Path
                                                                   ) -> None:
    """The same drift and retraining, with promotion demanding an accuracy gain of 1.0 (which
    no model can make): v2 is registered with the comparison, and the alias stays on v1."""
    out = run_loop(isolated_home, "--min-gain", "1")
    check_drift_and_launch()
    found = versions()
    assert sorted(found) == [1, 2] and found[2].tags["promoted"] == "False"
    assert float(found[2].tags["accuracy"]) < float(found[2].tags["champion_accuracy"]) + 1
    assert "champion stays v1" in line(out, 6)
    assert ss.models.get_model_version(MODEL, "champion").version == 1
    served = served_versions()
    assert set(served) == {(f"{MODEL}/1", 200)}
    assert re.search(r"kept serving: retraining/1 \(\d+ requests\); \d+ requests, 0 failed$",
                     line(out, 7)), out


def test_no_drift_no_retraining(isolated_home: Path) -> None:
    """With `--shift 0` the "drifted" traffic is drawn like the training data: the monitor
    finds no drift, nothing is launched and v1 stays the only version."""
    out = run_loop(isolated_home, "--shift", "0")
    assert line(out, 4, 1).startswith("monitor on the drifted requests: no drift")
    assert line(out, 5) == "no drift, so no retraining"
    assert sorted(versions()) == [1]
    store = open_monitor_store(Settings.load().store_url)
    try:
        assert store.list_firings(MONITOR) == []
    finally:
        store.close()
