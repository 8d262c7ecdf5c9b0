"""POST /api/v1/executions/{id}/recover and /rerun, and /api/v1/workflows/{name}/launch: a new
execution started in a process of its own and named in the 202 answer; bad requests are one
clear 4xx and start nothing."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from slipstream._core.settings import Settings
from tests.live_server import serve

pytest.importorskip("fastapi")


def _post(url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=90) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _wait_done(client: Any, execution_id: str) -> Any:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        record = client.store.get_execution(execution_id)
        if record.status.value not in ("QUEUED", "RUNNING"):
            return record
        time.sleep(0.1)
    raise TimeoutError(execution_id)


def test_rerun_recover_and_launch_start_new_executions(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from slipstream._core.errors import ExecutionFailedError
    from slipstream.execution.api import Client
    from slipstream.server.app import create_app
    from tests.ui import seed_flow

    # the launched process loads tests.ui.seed_flow as a server started in the repo would
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    settings = Settings(home=tmp_path, store_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        artifact_uri=str(tmp_path / "artifacts"))
    client = Client(settings)
    done = client.execute(seed_flow.pipeline, {"rows": 10, "lr": 0.5}).execution
    gate = tmp_path / "gate"
    with pytest.raises(ExecutionFailedError):
        client.execute(seed_flow.gated, {"gate": str(gate)})
    failed = client.store.list_executions(workflow_name="gated")[0]
    with serve(create_app(settings)) as url:
        base = f"{url}/api/v1/executions"
        status, body = _post(f"{base}/{done.id}/rerun", {"inputs": {"lr": 0.25}})
        assert status == 202, body
        rerun = _wait_done(client, body["execution_id"])
        assert (rerun.status.value, rerun.inputs) == ("SUCCEEDED", {"rows": 10, "lr": 0.25})
        assert (tmp_path / "launches" / f"{rerun.id}.log").exists()

        gate.touch()
        status, body = _post(f"{base}/{failed.id}/recover")
        assert status == 202, body
        recovered = _wait_done(client, body["execution_id"])
        assert (recovered.status.value, recovered.recovered_from) == ("SUCCEEDED", failed.id)

        status, body = _post(f"{base}/{done.id}/recover")
        assert status == 400 and "nothing to recover" in body["message"]
        status, body = _post(f"{base}/{done.id}/rerun", {"inputs": {"lrr": 1.0}})
        assert status == 400 and "Did you mean 'lr'" in body["message"]
        status, body = _post(f"{base}/{done.id}/rerun", {"inputs": {"rows": "many"}})
        assert status == 400 and "input 'rows'" in body["message"]
        status, body = _post(f"{base}/nope/recover")
        assert status == 404, body

        status, body = _post(f"{url}/api/v1/workflows/pipeline/launch", {"inputs": {"rows": 5}})
        assert status == 202, body
        launched = _wait_done(client, body["execution_id"])
        assert (launched.status.value, launched.inputs) == ("SUCCEEDED", {"rows": 5, "lr": 0.5})
        status, body = _post(f"{url}/api/v1/workflows/gated/launch", {"inputs": {}})
        assert status == 400 and "input 'gate' is required" in body["message"]
        status, body = _post(f"{url}/api/v1/workflows/nope/launch", {"inputs": {}})
        assert status == 404, body
    assert len(client.store.list_executions(workflow_name="pipeline")) == 3  # nothing more
    assert not [p for p in (tmp_path / "launches").iterdir() if p.suffix == ".start"]
    client.close()
