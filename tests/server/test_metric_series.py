"""/api/v1/runs/{id}/metric-series: a long history comes back cut to `max_points` with its
extremes and ends, a short one whole; bad input is one clear 4xx."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from slipstream._core.settings import Settings
from tests.live_server import serve

pytest.importorskip("fastapi")
POINTS = 20_000


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_long_history_is_cut_to_its_envelope_and_short_one_is_whole(tmp_path: Path) -> None:
    from slipstream.entities import Metric
    from slipstream.metadata import open_tracking_store
    from slipstream.server.app import create_app

    settings = Settings(home=tmp_path, store_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        artifact_uri=str(tmp_path / "artifacts"))
    store = open_tracking_store(settings.store_url, settings.artifact_uri)
    run = store.create_run("0", "me", 1000, "long", {})
    run_id = run.info.run_id
    values = [math.sin(i / 500) for i in range(POINTS)]
    values[12_345] = 9.0  # a spike the chart must not lose
    for start in range(0, POINTS, 1000):
        store.log_batch(run_id, metrics=[Metric("loss", values[i], 1000 + i, i)
                                         for i in range(start, start + 1000)])
    store.log_batch(run_id, metrics=[Metric("acc", 0.5, 1000, 0), Metric("acc", 0.7, 1001, 1)])
    try:
        with serve(create_app(settings, tracking_store=store)) as url:
            base = f"{url}/api/v1/runs/{run_id}/metric-series"
            status, body = _get(f"{base}?key=loss&max_points=500")
            assert status == 200, body
            assert body["total"] == POINTS and body["downsampled"] is True
            points = body["metrics"]
            assert len(points) <= 500
            steps = [p["step"] for p in points]
            assert steps == sorted(steps) and steps[0] == 0 and steps[-1] == POINTS - 1
            assert max(p["value"] for p in points) == 9.0
            assert min(p["value"] for p in points) == pytest.approx(min(values), abs=1e-4)

            status, short = _get(f"{base}?key=acc")
            assert (status, short["total"], short["downsampled"]) == (200, 2, False)
            assert [p["value"] for p in short["metrics"]] == [0.5, 0.7]

            status, error = _get(f"{base}?key=loss&max_points=1")
            assert status == 400 and "max_points" in error["message"]
            status, error = _get(f"{url}/api/v1/runs/nope/metric-series?key=loss")
            assert status == 404, error
    finally:
        store.close()
