"""Issue 4's "done means", end to end through the real console script: train in a workflow, log
and register from the task's run (two versions), alias, serve `models:/churn@champion`, query
it over HTTP (Open Inference Protocol v2, KServe v1 and MLflow's /invocations), move the alias
under load and see the served version change with no failed request, then a deployment with a
10% canary split within 3 points over 2,000 requests, and its rollback."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import slipstream as ss
from slipstream._core.settings import Settings
from slipstream.registry.client import RegistryClient
from tests.cli.helpers import SLIPSTREAM, slipstream
from tests.e2e.churn_flow import FEATURES, retrain

pytestmark = pytest.mark.slow
ROW = {"tenure": 1.5, "charges": 0.2}  # churn/1 says 1, churn/2 (flipped) says 0


class Served:
    """`slipstream ARGS --port 0` in a subprocess, with one keep-alive connection to it."""

    def __init__(self, home: Path, *args: str) -> None:
        env = {**os.environ, "SLIPSTREAM_HOME": str(home), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([str(SLIPSTREAM), *args, "--port", "0"], cwd=home,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # the ready line (or EOF if it failed)
        found = re.search(r"on http://127\.0\.0\.1:(\d+)", line)
        if found is None:
            self.stop()
            pytest.fail(f"{args[0]} did not start: {line!r}\n{self.proc.stderr.read()}")  # type: ignore[union-attr]
        self.port = int(found.group(1))
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def post(self, path: str, body: Any, conn: http.client.HTTPConnection | None = None,
             ) -> tuple[int, http.client.HTTPMessage, Any]:
        conn = conn or self.conn
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        return response.status, response.msg, json.loads(payload)

    def predict_one(self, conn: http.client.HTTPConnection | None = None) -> tuple[int, str, str]:
        """One single-row /invocations request: (status, target label, model version)."""
        status, headers, _ = self.post(
            "/invocations", {"dataframe_records": [ROW]}, conn)
        return status, headers.get("X-Slipstream-Target", ""), headers.get("X-Model-Version", "")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()


@contextmanager
def served(home: Path, *args: str) -> Iterator[Served]:
    server = Served(home, *args)
    try:
        yield server
    finally:
        server.stop()


def _wait_until(server: Served, version: str, statuses: Counter[int], limit: int = 3000) -> None:
    """Send requests until 50 in a row are answered by `version` (the poll picked it up)."""
    in_a_row = 0
    for _ in range(limit):
        status, _, answered = server.predict_one()
        statuses[status] += 1
        in_a_row = in_a_row + 1 if answered == version else 0
        if in_a_row == 50:
            return
    pytest.fail(f"the server never settled on {version}")


def test_train_register_serve_swap_canary_rollback(isolated_home: Path) -> None:
    # train in a workflow; each run logs and registers a version from its task's run
    assert retrain(flip=False) > 0.95
    assert retrain(flip=True) > 0.95
    registry = RegistryClient.from_settings(Settings.load())
    try:
        first = registry.lineage("churn", 1)
        assert registry.get_model_version("churn", 2).run_id not in (None, first.run_id)
        assert first.workflow_name is not None and first.workflow_name.endswith("retrain")
        assert first.execution_id and first.node_id and first.workflow_version
        assert [d.name for d in first.datasets] == ["churn-train"]
        run = ss.get_run(first.run_id)
        assert (run.info.execution_id, run.info.node_id) == (first.execution_id, first.node_id)
    finally:
        registry.close()
    ss.models.set_alias("churn", "champion", 1)
    expected = {v: ss.models.load_pyfunc(f"models:/churn/{v}").predict(
        pd.DataFrame([ROW], columns=FEATURES)).tolist() for v in (1, 2)}
    assert expected[1] != expected[2]

    with served(isolated_home, "serve", "models:/churn@champion", "--poll-interval", "0.2",
                "--name", "churn") as server:
        # Open Inference Protocol v2
        status, headers, answer = server.post("/v2/models/churn/infer", {"inputs": [
            {"name": c, "shape": [1], "datatype": "FP64", "data": [ROW[c]]} for c in FEATURES]})
        assert status == 200, answer
        assert headers["X-Model-Version"] == "churn/1"
        assert answer["outputs"][0]["data"] == expected[1]
        # KServe v1 and MLflow's formats
        status, _, answer = server.post("/v1/models/churn:predict", {"instances": [ROW]})
        assert (status, answer) == (200, {"predictions": expected[1]})
        status, _, answer = server.post(
            "/invocations", {"dataframe_split": {"columns": FEATURES,
                                                 "data": [[ROW[c] for c in FEATURES]]}})
        assert (status, answer) == (200, {"predictions": expected[1]})

        # move the alias while four clients keep sending requests: none fails, and once
        # churn/2 answers, churn/1 never answers again on that connection
        stop, statuses, lock = threading.Event(), Counter[int](), threading.Lock()
        sequences: list[list[str]] = []

        def client() -> None:
            conn, seen = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30), []
            sequences.append(seen)
            while not stop.is_set() and len(seen) < 20_000:
                status, _, version = server.predict_one(conn)
                with lock:
                    statuses[status] += 1
                seen.append(version)

        threads = [threading.Thread(target=client) for _ in range(4)]
        for thread in threads:
            thread.start()
        try:
            ss.models.set_alias("churn", "champion", 2)
            _wait_until(server, "churn/2", statuses)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        assert set(statuses) == {200}, statuses
        for seen in sequences:
            assert set(seen) <= {"churn/1", "churn/2"}
            if "churn/2" in seen:
                assert "churn/1" not in seen[seen.index("churn/2"):]

    # a deployment: the champion (now churn/2) with churn/1 as a 10% canary
    created = slipstream("deploy", "create", "churn", "--model", "models:/churn@champion",
                         "--canary", "models:/churn/1", "--traffic", "10", home=isolated_home)
    assert created.code == 0, created.err
    with served(isolated_home, "deploy", "serve", "churn", "--poll-interval", "0.2") as server:
        answers = Counter(server.predict_one() for _ in range(2000))
        assert set(answers) == {(200, "primary", "churn/2"), (200, "canary", "churn/1")}, answers
        canary_share = 100.0 * answers[(200, "canary", "churn/1")] / 2000
        assert abs(canary_share - 10.0) <= 3.0, answers

        registry = RegistryClient.from_settings(Settings.load())
        try:
            routes = {(d.deployment, d.label, d.traffic_percent)
                      for d in registry.lineage("churn", 1).deployments}
            assert routes == {("churn", "canary", 10.0)}
        finally:
            registry.close()

        rolled = slipstream("deploy", "rollback", "churn", home=isolated_home)
        assert rolled.code == 0, rolled.err
        statuses = Counter[int]()
        _wait_until(server, "churn/2", statuses)
        after = Counter(server.predict_one() for _ in range(500))
        assert after == Counter({(200, "primary", "churn/2"): 500})
        assert set(statuses) == {200}
