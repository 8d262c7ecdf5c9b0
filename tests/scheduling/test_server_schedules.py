"""`slipstream server --schedules` as a user starts it: the server answers as fast as without,
its scheduler (a process of its own) fires a plan's ticks, and stopping the server stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from slipstream._core.settings import Settings
from slipstream.scheduling import every
from slipstream.scheduling.plans import Plans
from tests.cli.helpers import SLIPSTREAM
from tests.scheduling import flows
from tests.server.conftest import wait_until_answers
from tests.server.test_cli_server import _free_port

pytest.importorskip("fastapi")


@pytest.mark.slow
def test_server_with_schedules_fires_due_plans_and_stops_its_scheduler(tmp_path: Path) -> None:
    psutil = pytest.importorskip("psutil")
    settings = Settings(home=tmp_path, store_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        artifact_uri=str(tmp_path / "artifacts"))
    plans = Plans(settings)
    plans.create("every-second", flows.scaled, fixed_inputs={"n": 2},
                 schedule=every(seconds=1))
    port = _free_port()
    env = {**os.environ, "SLIPSTREAM_HOME": str(tmp_path), "COLUMNS": "200",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [str(SLIPSTREAM), "server", "--store", settings.store_url, "--artifacts",
         settings.artifact_uri, "--port", str(port), "--schedules"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        seconds = wait_until_answers(f"http://127.0.0.1:{port}", timeout=30)
        assert seconds < 10
        children = psutil.Process(proc.pid).children()
        assert len(children) == 1 and "slipstream.scheduling.scheduler" in " ".join(
            children[0].cmdline())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = [x for x in plans.launches("every-second") if x.status == "SUCCEEDED"]
            if len(done) >= 2:
                break
            time.sleep(0.2)
        assert len(done) >= 2, (tmp_path / "scheduler.log").read_text()
        assert plans.client.store.get_execution(done[0].execution_id).outputs == {"o0": 4.0}
        assert all(x.claimed_by.endswith(f":{children[0].pid}") for x in done)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Scheduler running (pid" in out
    children[0].wait(10)  # the scheduler stopped with the server
    assert not children[0].is_running()
    plans.store.close()
    plans.client.close()
