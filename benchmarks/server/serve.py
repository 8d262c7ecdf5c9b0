"""Start a tracking server (`slipstream server` or `mlflow server`) as a user would, time it to
its first answered request, measure its process tree's resident memory, and stop it.

Stdlib only: imported by benchmarks/run.py, which runs under any Python. Memory is read with
psutil through a venv's interpreter (`tree_rss_mb`), the same way for both servers.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROBE = "/api/2.0/mlflow/experiments/get?experiment_id=0"  # the Default experiment, both servers
START_TIMEOUT_S = {"slipstream": 30.0, "mlflow": 120.0}  # mlflow takes ~30 s here


class ServerFailed(RuntimeError):
    """The server did not answer in time, or exited; the message carries its output's tail."""


@dataclass
class Served:
    kind: str
    proc: subprocess.Popen[bytes]
    url: str
    start_s: float  # process start -> first answered request
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command(kind: str, bindir: Path, folder: Path, port: int) -> list[str]:
    """The command line a user types, with a new SQLite store in `folder`."""
    store = f"sqlite:///{folder / 'tracking.db'}"
    artifacts = str(folder / "artifacts")
    if kind == "slipstream":
        return [str(bindir / "slipstream"), "server", "--store", store, "--artifacts", artifacts,
                "--host", "127.0.0.1", "--port", str(port)]
    if kind == "mlflow":
        return [str(bindir / "mlflow"), "server", "--backend-store-uri", store,
                "--artifacts-destination", artifacts, "--host", "127.0.0.1", "--port", str(port)]
    raise ValueError(f"unknown server kind {kind!r}; expected 'slipstream' or 'mlflow'")


def start(kind: str, bindir: Path, folder: Path, env: dict[str, str]) -> Served:
    """Start `kind`'s server over a new store in `folder`; return once it answers PROBE."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / f"{kind}-server.log"
    with log.open("wb") as out:
        began = time.perf_counter()
        proc = subprocess.Popen(command(kind, bindir, folder, port), stdout=out,
                                stderr=subprocess.STDOUT, env=env, cwd=folder,
                                start_new_session=True)
    served = Served(kind, proc, url, 0.0, log)
    deadline = began + START_TIMEOUT_S[kind]
    while True:
        if _answers(url + PROBE):
            served.start_s = time.perf_counter() - began
            return served
        if proc.poll() is not None or time.perf_counter() > deadline:
            why = (f"exited with {proc.returncode}" if proc.poll() is not None
                   else f"did not answer within {START_TIMEOUT_S[kind]:.0f} s")
            stop(served)
            raise ServerFailed(f"{kind} server {why}: {tail(log)}")
        time.sleep(0.01)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def stop(served: Served, timeout: float = 20.0) -> None:
    """SIGINT the server's whole session (mlflow forks workers), then SIGKILL what is left."""
    proc = served.proc
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers of the session, if any
    proc.wait(timeout=timeout)


def tail(log: Path, lines: int = 4) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no output)"
    return " | ".join(t.strip() for t in text[-lines:]) or "(no output)"


_RSS_CODE = """
import json, sys, psutil
root = psutil.Process(int(sys.argv[1]))
procs = [root, *root.children(recursive=True)]
total = 0
for p in procs:
    try:
        total += p.memory_info().rss
    except psutil.NoSuchProcess:
        pass
print(json.dumps({"rss_mb": round(total / 2**20, 1), "processes": len(procs)}))
"""


def tree_rss_mb(python: Path, pid: int) -> dict[str, float]:
    """{"rss_mb": resident memory summed over `pid` and its descendants, "processes": n}."""
    done = subprocess.run([str(python), "-c", _RSS_CODE, str(pid)], capture_output=True,
                          text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise ServerFailed(f"measuring RSS failed: {done.stderr.strip()[-300:]}")
    result: dict[str, float] = json.loads(done.stdout)
    return result
