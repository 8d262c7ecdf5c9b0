"""Eight processes logging 50,000 metrics each at once lose none and raise no "database is
locked": through a real `slipstream server` subprocess on a loopback port with Slipstream's own
API over HTTP (SLIPSTREAM_TRACKING_URI), and straight into the store, on SQLite and on
PostgreSQL; and through the server with the real mlflow client's `log_batch`, on SQLite only
(the server's path into the store is the same; eight mlflow imports on two cores make that variant
cost about a minute on PostgreSQL here).

Every worker waits at a start line until all eight are ready, so the writes really overlap.
Afterwards every run holds exactly its 50,000 points (10 keys x 5,000 steps), read back through
the store, with exact values for two whole keys.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.metadata.conftest import postgres_schema
from tests.server.conftest import wait_until_answers

pytestmark = pytest.mark.slow

WORKERS = 8
KEYS = 10
STEPS = 5_000  # KEYS x STEPS = 50,000 metrics per worker
CHUNK = 1_000  # metrics per mlflow log_batch request (MLflow's per-request limit)
SLIPSTREAM = Path(sys.executable).with_name("slipstream")
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def value(worker: int, step: int, key: int) -> float:
    """The exact value worker `worker` logs for key `m{key}` at `step` (binary-exact)."""
    return worker * 1_000_000 + step + key / 16


_VALUE = "def value(w, step, k):\n    return w * 1_000_000 + step + k / 16\n"

# Common start line: signal ready, wait for the go file.
_START_LINE = """
import pathlib, time
def start_line(folder, worker):
    folder = pathlib.Path(folder)
    (folder / f"ready-{worker}").touch()
    while not (folder / "go").exists():
        time.sleep(0.005)
"""

MLFLOW_WORKER = _VALUE + _START_LINE + textwrap.dedent(f"""
    import sys, time
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    folder, worker, experiment_id = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    client = MlflowClient()
    run_id = client.create_run(experiment_id, run_name=f"worker-{{worker}}").info.run_id
    now = int(time.time() * 1000)
    points = [Metric(f"m{{k}}", value(worker, step, k), now, step)
              for step in range({STEPS}) for k in range({KEYS})]
    start_line(folder, worker)
    for first in range(0, len(points), {CHUNK}):
        client.log_batch(run_id, metrics=points[first:first + {CHUNK}])
    client.set_terminated(run_id)
    print(run_id)
""")

SLIPSTREAM_WORKER = _VALUE + _START_LINE + textwrap.dedent(f"""
    import sys
    import slipstream as ss

    folder, worker = sys.argv[1], int(sys.argv[2])
    ss.set_experiment("concurrency")
    run = ss.start_run(run_name=f"worker-{{worker}}")
    start_line(folder, worker)
    for step in range({STEPS}):
        ss.log_metrics({{f"m{{k}}": value(worker, step, k) for k in range({KEYS})}}, step=step)
    ss.end_run()
    print(run.info.run_id)
""")


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new store: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracking.db'}"
    else:
        with postgres_schema() as url:
            yield url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server_url(store_url: str, tmp_path: Path) -> Iterator[str]:
    """`slipstream server` in a subprocess over `store_url`, as a user starts it."""
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(SLIPSTREAM), "server", "--store", store_url, "--artifacts",
             str(tmp_path / "artifacts"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(url, timeout=30)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    server_log = log.read_text()
    assert "locked" not in server_log.lower(), server_log[-3000:]
    assert "Traceback" not in server_log, server_log[-3000:]


def _run_workers(tmp_path: Path, script: str, env: dict[str, str],
                 extra_args: list[str] = ()) -> tuple[list[str], float]:  # type: ignore[assignment]
    """Start WORKERS processes, release them together; return their run ids and the seconds
    from the release until the last one finished."""
    worker_py = tmp_path / "worker.py"
    worker_py.write_text(script)
    line = tmp_path / "start-line"
    line.mkdir()
    workers = [subprocess.Popen([sys.executable, str(worker_py), str(line), str(i), *extra_args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, **env}, cwd=tmp_path)
               for i in range(WORKERS)]
    deadline = time.monotonic() + 120
    while len(list(line.glob("ready-*"))) < WORKERS:
        crashed = [w for w in workers if w.poll() not in (None, 0)]
        if crashed or time.monotonic() > deadline:
            for w in workers:
                w.kill()
            details = [w.communicate()[1][-2000:] for w in workers]
            pytest.fail(f"workers did not reach the start line: {details}")
        time.sleep(0.02)
    released = time.perf_counter()
    (line / "go").touch()
    run_ids = []
    for i, worker in enumerate(workers):
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, f"worker {i} failed:\n{err[-3000:]}"
        assert "locked" not in err.lower(), f"worker {i}:\n{err[-3000:]}"
        run_ids.append(out.strip().splitlines()[-1])
    return run_ids, time.perf_counter() - released


def _assert_all_arrived(store_url: str, tmp_path: Path, run_ids: list[str]) -> None:
    from slipstream.metadata import open_tracking_store
    from slipstream.tracking.client import TrackingClient

    assert len(set(run_ids)) == WORKERS
    client = TrackingClient(open_tracking_store(store_url, str(tmp_path / "artifacts")))
    try:
        for run_id in run_ids:
            run = client.get_run(run_id)
            worker = int(run.info.run_name.rsplit("-", 1)[1])
            assert run.info.status == "FINISHED"
            for k in range(KEYS):
                history = client.get_metric_history(run_id, f"m{k}")
                assert len(history) == STEPS, f"{run_id} m{k}: {len(history)} of {STEPS}"
                if k in (0, KEYS - 1):  # exact values of two whole keys
                    got = sorted((m.step, m.value) for m in history)
                    assert got == [(s, value(worker, s, k)) for s in range(STEPS)]
            assert run.data.metric_values == {f"m{k}": value(worker, STEPS - 1, k)
                                              for k in range(KEYS)}
    finally:
        client.close()


def _create_experiment(store_url: str, tmp_path: Path) -> str:
    from slipstream.metadata import open_tracking_store

    store = open_tracking_store(store_url, str(tmp_path / "artifacts"))
    try:
        return store.create_experiment("concurrency", None, {})
    finally:
        store.close()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_eight_mlflow_clients_log_batch_through_the_server(store_url: str, server_url: str,
                                                           tmp_path: Path) -> None:
    pytest.importorskip("mlflow")
    experiment_id = _create_experiment(store_url, tmp_path)
    env = {"MLFLOW_TRACKING_URI": server_url, "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
           "MLFLOW_HTTP_REQUEST_TIMEOUT": "120"}
    run_ids, seconds = _run_workers(tmp_path, MLFLOW_WORKER, env, [experiment_id])
    print(f"8 x 50,000 metrics via mlflow log_batch through the server: {seconds:.1f} s "
          f"({WORKERS * KEYS * STEPS / seconds:,.0f} metrics/s)")
    _assert_all_arrived(store_url, tmp_path, run_ids)


def test_eight_slipstream_processes_log_through_the_server(store_url: str, server_url: str,
                                                          tmp_path: Path) -> None:
    _create_experiment(store_url, tmp_path)
    env = {"SLIPSTREAM_TRACKING_URI": server_url}
    run_ids, seconds = _run_workers(tmp_path, SLIPSTREAM_WORKER, env)
    print(f"8 x 50,000 metrics via Slipstream's API through the server: {seconds:.1f} s "
          f"({WORKERS * KEYS * STEPS / seconds:,.0f} metrics/s)")
    _assert_all_arrived(store_url, tmp_path, run_ids)


def test_eight_slipstream_processes_log_straight_into_the_store(store_url: str,
                                                               tmp_path: Path) -> None:
    _create_experiment(store_url, tmp_path)
    env = {"SLIPSTREAM_STORE_URL": store_url,
           "SLIPSTREAM_ARTIFACT_URI": str(tmp_path / "artifacts")}
    run_ids, seconds = _run_workers(tmp_path, SLIPSTREAM_WORKER, env)
    print(f"8 x 50,000 metrics via Slipstream's API into the store: {seconds:.1f} s "
          f"({WORKERS * KEYS * STEPS / seconds:,.0f} metrics/s)")
    _assert_all_arrived(store_url, tmp_path, run_ids)
