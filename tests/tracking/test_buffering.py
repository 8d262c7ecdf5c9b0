"""Buffered logging: calls return without touching the store, every point arrives after
end_run, a background thread writes within ~100 ms, and a process that exits without end_run
still has its metrics and a FINISHED run (atexit)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import slipstream as ss
from slipstream.entities import Metric
from slipstream.metadata import open_tracking_store
from slipstream.tracking.client import TrackingClient


def test_ten_thousand_metrics_are_fast_on_the_calling_thread_and_all_arrive() -> None:
    with ss.start_run() as run:
        started = time.perf_counter()
        for step in range(10_000):
            ss.log_metric("loss", 1.0 / (step + 1), step=step)
        elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"10,000 log_metric calls took {elapsed:.3f} s on the calling thread"
    history = ss.get_metric_history(run.info.run_id, "loss")
    assert len(history) == 10_000
    assert [m.step for m in history] == list(range(10_000))
    assert ss.get_run(run.info.run_id).data.metric_values == {"loss": 1.0 / 10_000}


class _CountingStore:
    """Wraps a store; records the thread of every log_batch and the batch sizes."""

    def __init__(self, store: object) -> None:
        self._store = store
        self.batches: list[tuple[str, int, int, int]] = []

    def log_batch(self, run_id: str, metrics: list[Metric] = (), params: list = (),  # type: ignore[assignment,type-arg]
                  tags: list = ()) -> None:  # type: ignore[assignment,type-arg]
        import threading

        self.batches.append((threading.current_thread().name, len(metrics), len(params),
                             len(tags)))
        self._store.log_batch(run_id, metrics, params, tags)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_log_metric_never_writes_on_the_calling_thread(sqlite_store_url: str,
                                                       tmp_path: Path) -> None:
    store = _CountingStore(open_tracking_store(sqlite_store_url, str(tmp_path / "artifacts")))
    client = TrackingClient(store)  # type: ignore[arg-type]
    try:
        run_id = client.create_run("0").info.run_id
        for step in range(2_500):
            client.log_metric(run_id, "m", step, step=step)
        client.log_params(run_id, {f"p{i}": i for i in range(150)})
        client.set_tags(run_id, {f"t{i}": i for i in range(120)})
        deadline = time.monotonic() + 5
        while sum(b[1] for b in store.batches) < 2_500 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert store.batches, "the background writer wrote nothing within 5 s"
        assert {b[0] for b in store.batches} == {"slipstream-log-buffer"}
        assert all(m <= 1000 and p <= 100 and t <= 100 for _, m, p, t in store.batches)
        client.end_run(run_id)
        run = client.get_run(run_id)
        assert len(run.data.params) == 150 and len(run.data.tags) >= 120
        assert len(client.get_metric_history(run_id, "m")) == 2_500
    finally:
        client.close()


def test_a_process_exiting_without_end_run_keeps_its_metrics(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import slipstream as ss
        ss.set_experiment("exit")
        run = ss.start_run(run_name="no-end")
        ss.log_param("p", 1)
        for step in range(3000):
            ss.log_metric("loss", step, step=step)
        print(run.info.run_id)
    """))
    env = {**os.environ}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    run_id = done.stdout.strip().splitlines()[-1]
    run = ss.get_run(run_id)
    assert run.info.status == "FINISHED" and run.info.end_time is not None
    assert run.data.params == {"p": "1"}
    assert run.data.tags["mlflow.source.name"] == str(script)
    assert len(ss.get_metric_history(run_id, "loss")) == 3000


def test_processes_logging_into_one_sqlite_store_lose_nothing(tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(textwrap.dedent("""
        import sys
        import slipstream as ss
        ss.set_experiment("shared")
        with ss.start_run(run_name=f"worker-{sys.argv[1]}") as run:
            ss.log_param("worker", sys.argv[1])
            for step in range(10_000):
                ss.log_metric("loss", float(step), step=step)
        print(run.info.run_id)
    """))
    ss.set_experiment("shared")  # create it (and the store) before the workers race
    workers = [subprocess.Popen([sys.executable, str(script), str(i)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=tmp_path)
               for i in range(4)]
    run_ids = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        assert "locked" not in err
        run_ids.append(out.strip().splitlines()[-1])
    for run_id in run_ids:
        assert ss.get_run(run_id).info.status == "FINISHED"
        assert len(ss.get_metric_history(run_id, "loss")) == 10_000
    assert len(ss.search_runs(experiment_names=["shared"])) == 4


def test_each_thread_has_its_own_active_run() -> None:
    import threading

    seen: dict[int, str] = {}

    def work(i: int) -> None:
        with ss.start_run(run_name=f"thread-{i}") as run:
            for step in range(500):
                ss.log_metric("m", step, step=step)
            seen[i] = run.info.run_id

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen.values())) == 4
    for run_id in seen.values():
        assert len(ss.get_metric_history(run_id, "m")) == 500
        assert ss.get_run(run_id).info.status == "FINISHED"
