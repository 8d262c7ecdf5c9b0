"""A two-node Ray cluster on this machine for the Ray executor's tests: a head and a worker
node, separate `ray start --block` processes with one CPU each.

Each node is its own process group, so tearing down (or killing) one node touches only the
processes that node started, never another Ray instance on the machine: `ray stop` would stop
every Ray process of this user.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

RAY = str(Path(sys.executable).with_name("ray"))
_READY = "Ray runtime started"
# Notice a killed node in seconds instead of the default half a minute.
_SYSTEM_CONFIG = '{"health_check_period_ms": 500, "health_check_failure_threshold": 3}'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Node:
    """One `ray start --block` process and what it printed."""

    process: subprocess.Popen[bytes]
    log: Path

    def raylet(self) -> psutil.Process:
        """This node's raylet (its workers are the raylet's children)."""
        for child in psutil.Process(self.process.pid).children(recursive=True):
            if child.name() == "raylet":
                return child
        raise RuntimeError(f"no raylet under ray start (pid {self.process.pid}): {self.log}")

    def node_id(self) -> str:
        """The Ray node id, as its raylet was told it."""
        for arg in self.raylet().cmdline():
            if arg.startswith("--node_id="):
                return arg.partition("=")[2]
        raise RuntimeError(f"the raylet of {self.log} has no --node_id")

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the node stops what it started, then exits
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
        with contextlib.suppress(ProcessLookupError):  # what is left of the node's group
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(5)


@dataclass
class RayCluster:
    """`address` is the head's GCS address; `executor` the spec that joins it."""

    temp_dir: str
    port: int
    auth_env: dict[str, str]
    """Token authentication, for the nodes and for the driver that joins them."""
    client_port: int = 0
    """Where the head's Ray Client server listens (`ray://127.0.0.1:PORT`)."""
    head: Node | None = None
    workers: list[Node] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def executor(self) -> str:
        return f"ray:{self.address}"

    def start(self) -> RayCluster:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.client_port = free_port()
        self.head = self._node(["--head", "--port", str(self.port), "--temp-dir", self.temp_dir,
                                "--ray-client-server-port", str(self.client_port),
                                "--include-dashboard=false", f"--system-config={_SYSTEM_CONFIG}"],
                               "head")
        self.add_worker()

    def add_worker(self) -> Node:
        node = self._node(["--address", self.address], f"worker{len(self.workers)}")
        self.workers.append(node)
        return node

    def _node(self, args: list[str], label: str, timeout: float = 90) -> Node:
        log = Path(self.temp_dir) / f"{label}.log"
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", **self.auth_env}
        with log.open("wb") as out:
            process = subprocess.Popen(
                [RAY, "start", "--block", "--num-cpus=1", "--disable-usage-stats", *args],
                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        node = Node(process, log)
        deadline = time.monotonic() + timeout
        while _READY not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                node.stop()
                raise RuntimeError(f"ray start ({label}) did not come up:\n{log.read_text()}")
            time.sleep(0.2)
        return node

    def stop(self) -> None:
        """Worker nodes first, then the head (which holds the cluster's state)."""
        for node in reversed(self.workers):
            node.stop()
        if self.head is not None:
            self.head.stop()
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def start_cluster() -> RayCluster:
    # Short and under /tmp: Ray's socket paths live below it and must stay under 108 bytes.
    # Its own token: whether Ray turns token auth on by default depends on ~/.ray/auth_token.
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    return RayCluster(tempfile.mkdtemp(prefix="ss-ray-", dir="/tmp"), free_port(), auth).start()
