"""The serving side of the closed loop (retraining_loop.py): a `slipstream deploy serve`
subprocess on a free loopback port, requests to it over HTTP (MLflow's /invocations, one
`dataframe_split` per request), and background clients that keep sending while the loop
retrains, recording which version answered each request and any that failed."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pandas as pd


def _slipstream() -> str:
    beside = Path(sys.executable).parent / "slipstream"
    found = str(beside) if beside.exists() else shutil.which("slipstream")
    if found is None:
        raise SystemExit("the slipstream command is not installed (bash scripts/setup.sh)")
    return found


class Server:
    """`slipstream deploy serve NAME` on 127.0.0.1, a free port, logging every request."""

    def __init__(self, deployment: str, log: Path, *, poll_interval: float = 0.2) -> None:
        self.args = [_slipstream(), "deploy", "serve", deployment, "--port", "0",
                     "--sample-rate", "1.0", "--poll-interval", str(poll_interval)]
        self.log = log
        self.proc: subprocess.Popen[str] | None = None
        self.url, self.port = "", 0

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc is not None else 0

    def __enter__(self) -> Server:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "ignore::UserWarning"}
        with self.log.open("w") as log:  # its stderr, shown if it fails
            self.proc = subprocess.Popen(self.args, env=env, stdout=subprocess.PIPE, stderr=log,
                                         text=True, start_new_session=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # the ready line, or EOF when it failed
        found = re.search(r"on (http://127\.0\.0\.1:(\d+))", line)
        if found is None:
            self.stop()
            raise SystemExit(f"the server did not start: {line.strip()}\n"
                             f"{self.log.read_text()[-2000:]}")
        self.url, self.port = found.group(1), int(found.group(2))
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """SIGTERM (it finishes the requests in flight), then SIGKILL after 10 s."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
        if self.proc.returncode not in (0, -signal.SIGTERM):
            print(f"the server exited with {self.proc.returncode}; its log: {self.log}",
                  file=sys.stderr)
        self.proc = None

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)


def predict(conn: http.client.HTTPConnection, rows: pd.DataFrame) -> tuple[int, str]:
    """One /invocations request of `rows`: (status, the X-Model-Version that answered)."""
    body = {"dataframe_split": {"columns": list(rows.columns), "data": rows.values.tolist()}}
    conn.request("POST", "/invocations", json.dumps(body), {"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return response.status, response.getheader("X-Model-Version", "")


def send(server: Server, rows: pd.DataFrame, requests: int) -> list[str]:
    """`rows` in `requests` equal requests; the version that answered each (all must be 200)."""
    size = max(1, len(rows) // requests)
    conn, versions = server.connect(), []
    try:
        for start in range(0, size * requests, size):
            status, version = predict(conn, rows.iloc[start:start + size])
            if status != 200:
                raise SystemExit(f"request {len(versions) + 1} failed with HTTP {status}")
            versions.append(version)
    finally:
        conn.close()
    return versions


class Clients:
    """Background clients sending `rows` a few at a time until stopped: which version answered
    each request, in order, and how many failed (a status other than 200, or no answer)."""

    def __init__(self, server: Server, rows: pd.DataFrame, *, threads: int = 2,
                 per_request: int = 5, pause: float = 0.01) -> None:
        self.server, self.rows, self.per_request, self.pause = server, rows, per_request, pause
        self.answers: list[str] = []
        self.failures: Counter[str] = Counter()
        self.lock, self.stopping = threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True,
                                         name=f"loop-client-{i}") for i in range(threads)]

    def __enter__(self) -> Clients:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def _run(self, index: int) -> None:
        conn, start = self.server.connect(), index * self.per_request
        while not self.stopping.is_set():
            rows = self.rows.iloc[start:start + self.per_request]
            start = (start + self.per_request) % max(1, len(self.rows) - self.per_request)
            try:
                status, version = predict(conn, rows)
            except (OSError, http.client.HTTPException) as exc:
                with self.lock:
                    self.failures[type(exc).__name__] += 1
                conn.close()
                conn = self.server.connect()
                continue
            with self.lock:
                if status == 200:
                    self.answers.append(version)
                else:
                    self.failures[f"HTTP {status}"] += 1
            self.stopping.wait(self.pause)
        conn.close()

    def until(self, version: str, *, in_a_row: int = 20, timeout: float = 20.0) -> bool:
        """Wait until the last `in_a_row` answers all came from `version`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                tail = self.answers[-in_a_row:]
            if len(tail) == in_a_row and set(tail) == {version}:
                return True
            time.sleep(0.05)
        return False

    def summary(self, first_version: str) -> str:
        """One line: the versions that answered, in order, and the failures."""
        with self.lock:
            answers, failed = list(self.answers), self.failed
        order = [v for i, v in enumerate(answers) if i == 0 or answers[i - 1] != v]
        counts = Counter(answers)
        served = " -> ".join(f"{v} ({counts[v]} requests)" for v in dict.fromkeys(order))
        swapped = "hot-swapped" if order and order[-1] != first_version else "kept serving"
        return (f"during and after retraining the server {swapped}: {served}; "
                f"{len(answers) + failed} requests, {failed} failed"
                + (f" {dict(self.failures)}" if failed else ""))
