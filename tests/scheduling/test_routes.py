"""/api/v1/launch-plans on a real server (tests/server style): list, get with launches, pause,
resume, run-now in a process of its own (202 with the execution id), delete; bad requests are
one clear 4xx and start nothing."""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from slipstream._core.settings import Settings
from slipstream.scheduling import every
from slipstream.scheduling.plans import Plans
from tests.live_server import serve
from tests.scheduling import flows

pytest.importorskip("fastapi")


def call(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=90) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def wait_done(plans: Plans, execution_id: str) -> Any:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        record = plans.client.store.get_execution(execution_id)
        if record.status.value not in ("QUEUED", "RUNNING"):
            return record
        time.sleep(0.1)
    raise TimeoutError(execution_id)


def wait_launch_done(plans: Plans, name: str) -> Any:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        latest = plans.launches(name, limit=1)[0]
        if latest.status not in ("CLAIMED", "RUNNING"):
            return latest
        time.sleep(0.05)
    raise TimeoutError(name)


def test_launch_plans_over_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from slipstream.server.app import create_app

    # the launch process loads tests.scheduling.flows as a server started in the repo would
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    settings = Settings(home=tmp_path, store_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        artifact_uri=str(tmp_path / "artifacts"))
    plans = Plans(settings)
    plans.create("triple", flows.scaled, fixed_inputs={"factor": 3.0}, default_inputs={"n": 2},
                 schedule=every(hours=1), notify="http://127.0.0.1:9/hook",
                 description="n times three")
    plans.create("adhoc", flows.scaled, default_inputs={"n": 1})
    with serve(create_app(settings)) as url:
        base = f"{url}/api/v1/launch-plans"
        status, body = call("GET", base)
        assert status == 200
        assert [p["name"] for p in body["launch_plans"]] == ["adhoc", "triple"]
        triple = body["launch_plans"][1]
        assert triple["schedule"]["every_seconds"] == 3600
        assert triple["schedule"]["description"] == "every 1h"
        assert triple["fixed_inputs"] == {"factor": 3.0} and triple["state"] == "ACTIVE"
        assert triple["notify"]["url"] == "http://127.0.0.1:9/hook"
        anchor = triple["schedule"]["anchor"]
        assert triple["next_fire_times"] == [anchor + 3600 * k for k in range(1, 6)]
        assert body["launch_plans"][0]["next_fire_times"] == []  # no schedule

        status, body = call("POST", f"{base}/triple/launch", {"inputs": {"n": 5},
                                                              "reason": "from the console"})
        assert status == 202, body
        record = wait_done(plans, body["execution_id"])
        assert (record.status.value, record.inputs) == ("SUCCEEDED", {"n": 5, "factor": 3.0})
        assert (tmp_path / "launches" / f"{record.id}.log").exists()
        launch = wait_launch_done(plans, "triple")
        assert (launch.execution_id, launch.reason) == (record.id, "from the console")

        status, body = call("GET", f"{base}/triple")
        assert status == 200
        [shown] = body["launches"]
        assert shown["execution_id"] == record.id and shown["kind"] == "manual"
        assert shown["status"] == "SUCCEEDED" and shown["inputs"] == {"n": 5}

        status, body = call("POST", f"{base}/triple/pause")
        assert status == 200 and body["state"] == "PAUSED" and body["next_fire_times"] == []
        assert plans.get("triple").state == "PAUSED"
        status, body = call("POST", f"{base}/triple/resume")
        assert status == 200 and body["state"] == "ACTIVE"

        # bad requests: one clear error, nothing started
        status, body = call("POST", f"{base}/triple/launch", {"inputs": {"factor": 1.0}})
        assert status == 400 and "fixes input 'factor'" in body["message"]
        status, body = call("POST", f"{base}/triple/launch", {"inputs": {"n": "many"}})
        assert status == 400 and "input 'n' expects int" in body["message"]
        status, body = call("POST", f"{base}/tripel/launch", {})
        assert status == 404 and "Did you mean 'triple'" in body["message"]
        status, body = call("GET", f"{base}/nope")
        assert status == 404 and "no launch plan named 'nope'" in body["message"]
        assert len(plans.launches("triple")) == 1

        status, body = call("GET", f"{base}/triple/launches?limit=5")
        assert status == 200 and len(body["launches"]) == 1
        status, _ = call("DELETE", f"{base}/adhoc")
        assert status == 204
        assert [p.name for p in plans.list()] == ["triple"]
    plans.store.close()
    plans.client.close()


def test_next_fire_times_follow_the_cron_time_zone() -> None:
    from slipstream.metadata.schedules import LaunchPlanRecord, PlanState
    from slipstream.scheduling import cron
    from slipstream.server.routes.native.schedules import next_fire_times

    # 2026-03-27 12:00 UTC, two days before Paris moves to summer time (UTC+1 -> UTC+2)
    at = 1774612800.0
    plan = LaunchPlanRecord(name="p", workflow_name="w", workflow_version="v", source_ref="m:w",
                            schedule=cron("0 9 * * *", timezone="Europe/Paris"),
                            last_tick=at - 86400, created_at=at, updated_at=at)
    day = 86400.0
    first = 1774684800.0  # 2026-03-28 09:00 Paris = 08:00 UTC
    assert next_fire_times(plan, at, count=3) == [first, first + day - 3600,
                                                  first + 2 * day - 3600]
    later = dataclasses.replace(plan, last_tick=first)  # after the last tick considered
    assert next_fire_times(later, at, count=1) == [first + day - 3600]
    paused = dataclasses.replace(plan, state=PlanState.PAUSED)
    assert next_fire_times(paused, at) == []
