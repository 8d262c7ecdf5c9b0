"""`slipstream serve` through the real console script: it prints its URL once ready and answers
every protocol; `--workers 2` answers from two processes on one port; a bad URI is a one-line
error before anything binds; it is live while the model loads (ready and inference 503), and a
model that cannot load fails the command with one line; SIGTERM stops it and its workers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slipstream.models.flavors.python_function import PythonModel
from slipstream.serving.shared import PUBLISH_INTERVAL_S
from tests.cli.helpers import SLIPSTREAM, slipstream
from tests.serving.helpers import COLUMNS, Client, frame, log_lr, log_python, metric_samples

ROWS = frame(4, seed=9)


class Served:
    """`slipstream serve ARGS --port 0` in a subprocess; `url` once it printed it."""

    def __init__(self, home: Path, *args: str) -> None:
        env = {**os.environ, "SLIPSTREAM_HOME": str(home), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([str(SLIPSTREAM), "serve", *args, "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=env, cwd=home)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # blocks until ready (or exit)
        found = re.search(r" on (http://127\.0\.0\.1:\d+)$", line.strip())
        if not found:
            self.stop()
            raise AssertionError(f"no URL printed: {line!r} {self.proc.stderr.read()!r}")
        self.line = line.strip()
        self.url = found.group(1)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture
def model(isolated_home: Path) -> Iterator[list[int]]:
    """churn/1 with alias champion; yields its predictions for ROWS."""
    import slipstream.models

    info = log_lr(registered="churn")
    slipstream.models.set_alias("churn", "champion", 1)
    yield slipstream.models.load_model(info.model_uri).predict(ROWS).tolist()


def test_serve_prints_its_url_and_answers(isolated_home: Path, model: list[int]) -> None:
    served = Served(isolated_home, "models:/churn@champion", "--max-batch-size", "8")
    try:
        assert served.line == f"Serving churn (models:/churn@champion) on {served.url}"
        client = Client(served.url)
        split = {"dataframe_split": {"columns": COLUMNS, "data": ROWS.to_numpy().tolist()}}
        reply = client.post("/invocations", split)
        assert reply.status == 200 and reply.json() == {"predictions": model}
        assert reply.headers["x-model-version"] == "churn/1"
        v2 = client.post("/v2/models/churn/infer", {"inputs": [
            {"name": c, "shape": [len(ROWS)], "datatype": "FP64", "data": ROWS[c].tolist()}
            for c in COLUMNS]})
        assert v2.json()["outputs"][0]["data"] == model
        v1 = client.post("/v1/models/churn:predict", {"instances": ROWS.to_numpy().tolist()})
        assert v1.json() == {"predictions": model}
        client.close()
    finally:
        assert served.stop() == 0


def test_two_workers_answer_on_one_port(isolated_home: Path, model: list[int]) -> None:
    served = Served(isolated_home, "models:/churn@champion", "--workers", "2")
    try:
        pids: set[str] = set()
        split = {"dataframe_split": {"columns": COLUMNS, "data": ROWS.to_numpy().tolist()}}
        for _ in range(300):
            client = Client(served.url)  # a new connection each time
            assert client.post("/invocations", split).json() == {"predictions": model}
            page = client.get("/metrics").body.decode()
            pids |= {labels["pid"] for name, labels, _ in metric_samples(page)
                     if name == "slipstream_worker_info"}
            client.close()
            if len(pids) == 2:
                break
        assert len(pids) == 2, pids
        assert str(served.proc.pid) not in pids  # the workers answer, not the supervisor
    finally:
        assert served.stop() == 0
    for pid in pids:  # the workers are gone too
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)


def test_metrics_of_two_workers_add_up_whichever_answers(isolated_home: Path,
                                                         model: list[int]) -> None:
    served = Served(isolated_home, "models:/churn@champion", "--workers", "2")
    row = {"dataframe_split": {"columns": COLUMNS, "data": ROWS.to_numpy()[:1].tolist()}}
    try:
        sent = 60
        for _ in range(sent):
            client = Client(served.url)  # a new connection each time: both workers answer
            assert client.post("/invocations", row).status == 200
            client.close()

        def totals() -> tuple[float, frozenset[str]]:
            client = Client(served.url)
            page = metric_samples(client.get("/metrics").body.decode())
            client.close()
            return (sum(v for n, _, v in page if n == "slipstream_requests_total"),
                    frozenset(lab["pid"] for n, lab, _ in page if n == "slipstream_worker_info"))

        time.sleep(2 * PUBLISH_INTERVAL_S + 0.5)  # each worker's snapshot is that fresh
        seen = [totals() for _ in range(20)]
        assert {count for count, _ in seen} == {sent}, seen
        assert {len(pids) for _, pids in seen} == {2}
        batches = metric_samples(Client(served.url).get("/metrics").body.decode())
        assert sum(v for n, _, v in batches if n == "slipstream_batch_size_sum") == sent
    finally:
        assert served.stop() == 0


def test_bad_uri_is_one_line_before_binding(isolated_home: Path) -> None:
    result = slipstream("serve", "models:/missing@champion", "--port", "0", home=isolated_home)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "missing" in lines[0]
    assert "Serving" not in result.out
    result = slipstream("serve", str(isolated_home / "no-such-folder"), "--port", "0",
                        home=isolated_home)
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result.err


def test_default_served_name(isolated_home: Path) -> None:
    from slipstream.cli.serve import default_name
    from slipstream.models.uris import resolve_model_uri

    info = log_lr(registered="churn")
    for uri, name in ((info.model_uri, "model"), (f"runs:/{info.run_id}/model", "model"),
                      ("models:/churn/1", "churn")):
        resolved = resolve_model_uri(uri)
        assert default_name(uri, resolved.name, resolved.model_id) == name


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, dict(reply.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def test_live_at_once_ready_once_loaded(isolated_home: Path) -> None:
    class SlowToLoad(PythonModel):
        def load_context(self, context: Any) -> None:
            time.sleep(3)

        def predict(self, context: Any, model_input: Any) -> Any:
            return model_input["tenure"].to_numpy() * 2

    info = log_python(SlowToLoad(), frame(5))
    port = _free_port()
    env = {**os.environ, "SLIPSTREAM_HOME": str(isolated_home), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([str(SLIPSTREAM), "serve", info.model_uri, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=isolated_home)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _ = _get(base + "/v2/health/live")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
                time.sleep(0.02)
        assert status == 200
        assert _get(base + "/v2/health/ready")[0] == 503  # still loading
        reply = Client(base).post("/invocations", {"dataframe_split": {
            "columns": COLUMNS, "data": [[1.0, 2.0, 3.0]]}})
        assert reply.status == 503 and reply.headers["retry-after"] == "1"
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed once the model has loaded
        assert line.startswith("Serving ") and f":{port}" in line
        assert _get(base + "/v2/health/ready")[0] == 200
        answer = Client(base).post("/invocations", {"dataframe_split": {
            "columns": COLUMNS, "data": [[1.5, 2.0, 3.0]]}})
        assert answer.status == 200 and answer.json() == {"predictions": [3.0]}
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_a_model_that_cannot_load_fails_the_command(isolated_home: Path) -> None:
    class Broken(PythonModel):
        def load_context(self, context: Any) -> None:
            raise RuntimeError("the weights are missing")

        def predict(self, context: Any, model_input: Any) -> Any:
            return model_input

    info = log_python(Broken(), frame(5))
    result = slipstream("serve", info.model_uri, "--port", "0", home=isolated_home)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: could not load the model"), lines
    assert "the weights are missing" in lines[0] and "Serving" not in result.out
