"""/api/v1/monitors and /api/v1/drift-reports over raw HTTP on SQLite and PostgreSQL, over
monitors and reports written through the monitor store on the server's own store."""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from slipstream.entities.monitoring import Monitor
from slipstream.metadata.factory import open_monitor_store
from slipstream.metadata.monitors import MonitorStore
from slipstream.monitor.stats import compare
from tests.server.conftest import Served, served  # noqa: F401  (fixture registration)


def _get(served: Served, path: str) -> tuple[int, Any]:  # noqa: F811
    try:
        with urllib.request.urlopen(f"{served.url}{path}", timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def store(served: Served) -> Iterator[MonitorStore]:  # noqa: F811
    opened = open_monitor_store(served.store_url)
    yield opened
    opened.close()  # type: ignore[attr-defined]


def _report(monitor: str, shift: float, created_at: float) -> Any:
    rng = np.random.default_rng(int(created_at))
    ref = pd.DataFrame({"x": rng.normal(size=200), "k": rng.choice(["a", "b"], 200)})
    cur = pd.DataFrame({"x": rng.normal(shift, size=200), "k": rng.choice(["a", "b"], 200)})
    report = compare(ref, cur, monitor=monitor, reference_name="train", current_name="today")
    return dataclasses.replace(report, created_at=created_at)


def test_monitors_reports_and_firings(served: Served, store: MonitorStore) -> None:  # noqa: F811
    name = f"team/churn-{uuid.uuid4().hex[:6]}"
    store.create_monitor(Monitor(name, "deployment", "churn-api", plan="retrain",
                                 plan_inputs={"c": 0.5}, cooldown_seconds=60.0, created_at=5.0))
    calm = store.add_report(_report(name, 0.0, 100.0))
    drifted = store.add_report(_report(name, 1.5, 200.0))
    firing = store.claim_firing(name, drifted.report_id, now=201.0)
    assert firing is not None
    store.finish_firing(firing.firing_id, execution_id="exec-1")

    status, body = _get(served, "/api/v1/monitors")
    assert status == 200
    listed = next(m for m in body["monitors"] if m["name"] == name)
    assert listed["plan_inputs"] == {"c": 0.5} and listed["last_fired_at"] == 201.0

    status, body = _get(served, f"/api/v1/monitors/{name}")
    assert status == 200 and body["latest_report"]["report_id"] == drifted.report_id
    assert body["monitor"]["target"] == "churn-api"

    status, body = _get(served, f"/api/v1/monitors/{name}/reports")
    assert [r["report_id"] for r in body["reports"]] == [drifted.report_id, calm.report_id]
    x = body["reports"][0]["features"][0]
    assert x["feature"] == "x" and x["drifted"]
    ks = next(t for t in x["tests"] if t["name"] == "ks")
    assert ks["p_value"] == pytest.approx(drifted.feature("x").test("ks").p_value)
    assert ks["threshold"] == pytest.approx(0.01 / 2)  # Bonferroni over two features
    status, body = _get(served, f"/api/v1/monitors/{name}/reports?drifted=false&limit=5")
    assert [r["report_id"] for r in body["reports"]] == [calm.report_id]

    status, body = _get(served, f"/api/v1/drift-reports/{drifted.report_id}")
    assert status == 200 and body["drifted"] and body["reference"] == "train"
    assert body["features"][1]["tests"][1]["name"] == "chi2"
    status, body = _get(served, f"/api/v1/drift-reports?monitor={name}")
    assert len(body["reports"]) == 2

    status, body = _get(served, f"/api/v1/monitors/{name}/firings")
    assert [(f["report_id"], f["execution_id"]) for f in body["firings"]] == [
        (drifted.report_id, "exec-1")]


def test_unknown_names_are_404_and_bad_limits_400(served: Served) -> None:  # noqa: F811
    for path in ("/api/v1/monitors/nope", "/api/v1/monitors/nope/reports",
                 "/api/v1/monitors/nope/firings", "/api/v1/drift-reports/nope"):
        status, body = _get(served, path)
        assert status == 404 and "nope" in body["message"], path
    status, body = _get(served, "/api/v1/drift-reports?limit=0")
    assert status == 400 and "limit" in body["message"]
