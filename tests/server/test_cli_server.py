"""`slipstream server` as a user starts it: a subprocess that answers MLflow requests quickly,
stays small, prints its address and stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.conftest import wait_until_answers

SLIPSTREAM = Path(sys.executable).with_name("slipstream")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_cli_server_answers_mlflow_requests_and_stops(tmp_path: Path) -> None:
    psutil = pytest.importorskip("psutil")
    port = _free_port()
    store = f"sqlite:///{tmp_path / 'tracking.db'}"
    proc = subprocess.Popen(
        [str(SLIPSTREAM), "server", "--store", store, "--artifacts", str(tmp_path / "artifacts"),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "COLUMNS": "200"})
    try:
        seconds = wait_until_answers(f"http://127.0.0.1:{port}", timeout=30)
        rss_mb = psutil.Process(proc.pid).memory_info().rss / 2**20
        print(f"slipstream server: first answer after {seconds:.2f}s, RSS {rss_mb:.0f} MB")
        assert seconds < 10, "target is under 1 s; 10 leaves room for a loaded machine"
        assert rss_mb < 150
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    assert f"Slipstream server on http://127.0.0.1:{port}" in out, out + err
    assert "tracking.db" in out
    assert proc.returncode == 0, err


def test_cli_server_hides_the_store_password() -> None:
    from slipstream.cli.server import _without_password

    assert _without_password("postgresql://me:secret@db:5432/x") == "postgresql://me:***@db:5432/x"
    assert _without_password("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
