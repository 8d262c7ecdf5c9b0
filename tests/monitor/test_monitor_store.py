"""The monitor store on SQLite and PostgreSQL: monitors, reports read back with their
per-feature figures, and trigger firings claimed once per cool-down even by racing callers."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities.monitoring import Monitor
from slipstream.metadata.factory import open_monitor_store
from slipstream.metadata.monitors import MonitorExistsError, MonitorStore
from slipstream.monitor.stats import compare


def _monitor(name: str = "churn", **changes: object) -> Monitor:
    values: dict[str, object] = {"name": name, "target_kind": "deployment", "target": "churn-api",
                                 "plan": "retrain", "plan_inputs": {"c": 1.0},
                                 "cooldown_seconds": 600.0, "created_at": 1.0,
                                 "thresholds": {"alpha": 0.05}}
    values.update(changes)
    return Monitor(**values)  # type: ignore[arg-type]


def _report(monitor: str = "churn", shift: float = 1.0, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({"x": rng.normal(size=300), "kind": rng.choice(["a", "b"], 300),
                        "y": rng.integers(0, 2, 300)})
    cur = pd.DataFrame({"x": rng.normal(shift, size=300), "kind": rng.choice(["a", "c"], 300),
                        "y": rng.integers(0, 2, 300)})
    ref["p"], cur["p"] = ref["y"], 1 - cur["y"]
    return compare(ref, cur, label="y", prediction="p", monitor=monitor,
                   reference_name="models:/churn/1", current_name="deployment churn-api")


def test_monitors_round_trip(monitor_store: MonitorStore) -> None:
    created = monitor_store.create_monitor(_monitor())
    assert monitor_store.get_monitor("churn") == created
    monitor_store.create_monitor(_monitor("a/first", target_kind="dataset", target="/data/*.csv",
                                          reference="/data/train.parquet"))
    assert [m.name for m in monitor_store.list_monitors()] == ["a/first", "churn"]
    assert monitor_store.set_monitor_run("churn", "r1").run_id == "r1"
    with pytest.raises(MonitorExistsError, match="'churn' exists already"):
        monitor_store.create_monitor(_monitor())
    with pytest.raises(NotFoundError, match="Did you mean 'churn'"):
        monitor_store.get_monitor("chrun")
    monitor_store.delete_monitor("a/first")
    assert [m.name for m in monitor_store.list_monitors()] == ["churn"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": "bad name!"}, "monitor name"),
    ({"name": "team/reports"}, "may not end in '/reports'"),
    ({"target_kind": "model"}, "target kind 'model'"),
    ({"target": " "}, "name what it watches"),
    ({"target_kind": "dataset", "target": "/x.csv"}, "give its reference"),
    ({"cooldown_seconds": -1}, "cooldown_seconds"),
    ({"plan_inputs": {"when": object()}}, "plan_inputs cannot be stored as JSON"),
])
def test_bad_monitors_are_refused(monitor_store: MonitorStore, changes: dict[str, object],
                                  message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        monitor_store.create_monitor(_monitor(**changes))
    assert monitor_store.list_monitors() == []


def test_reports_read_back_with_their_figures(monitor_store: MonitorStore) -> None:
    monitor_store.create_monitor(_monitor())
    drifted = monitor_store.add_report(_report())
    calm = monitor_store.add_report(_report(shift=0.0, seed=1))
    back = monitor_store.get_report(drifted.report_id)
    assert back == drifted
    assert back.feature("x").test("ks").p_value == drifted.feature("x").test("ks").p_value
    assert back.quality is not None and back.quality.decayed
    assert [r.report_id for r in monitor_store.list_reports("churn")] == [calm.report_id,
                                                                         drifted.report_id]
    assert [r.report_id for r in monitor_store.list_reports("churn", drifted=True)] == \
        [r.report_id for r in (calm, drifted) if r.drifted]
    one_off = monitor_store.add_report(_report(monitor=""))
    assert monitor_store.get_report(one_off.report_id).monitor == ""
    with pytest.raises(NotFoundError, match="No monitor named 'nope'"):
        monitor_store.add_report(_report(monitor="nope"))
    with pytest.raises(NotFoundError, match="No drift report"):
        monitor_store.get_report("missing")
    with pytest.raises(InvalidInputError, match="limit"):
        monitor_store.list_reports(limit=0)
    monitor_store.delete_monitor("churn")
    assert monitor_store.list_reports() == [one_off]


def test_firing_respects_the_cool_down(monitor_store: MonitorStore) -> None:
    monitor_store.create_monitor(_monitor())
    first = monitor_store.claim_firing("churn", "r1", now=1000.0)
    assert first is not None and first.plan == "retrain"
    assert monitor_store.claim_firing("churn", "r2", now=1599.0) is None
    second = monitor_store.claim_firing("churn", "r3", now=1600.0)
    assert second is not None
    done = monitor_store.finish_firing(second.firing_id, execution_id="e1")
    assert done.execution_id == "e1"
    assert [f.report_id for f in monitor_store.list_firings("churn")] == ["r3", "r1"]
    assert monitor_store.get_monitor("churn").last_fired_at == 1600.0


def test_two_racing_claimers_fire_once(store_url: str) -> None:
    """Two monitor processes' stores (separate connections) claim the same drift event over
    and over: within one cool-down exactly one firing is recorded."""
    stores = [open_monitor_store(store_url) for _ in range(2)]
    try:
        stores[0].create_monitor(_monitor(cooldown_seconds=100.0))
        won: list[object] = []
        start = threading.Barrier(2)

        def claim(store: MonitorStore) -> None:
            start.wait()
            for tick in range(20):  # one drift event seen 20 times, 1 s apart, within 100 s
                firing = store.claim_firing("churn", f"r{tick}", now=5000.0 + tick)
                if firing is not None:
                    won.append(firing)

        threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1
        assert len(stores[1].list_firings("churn")) == 1
    finally:
        for store in stores:
            store.close()  # type: ignore[attr-defined]


def _claim_in_a_process(store_url: str, start: object, wins: object) -> None:
    store = open_monitor_store(store_url)
    try:
        start.wait()  # type: ignore[attr-defined]
        for tick in range(20):
            if store.claim_firing("churn", f"r{tick}", now=9000.0 + tick) is not None:
                wins.put(tick)  # type: ignore[attr-defined]
    finally:
        store.close()  # type: ignore[attr-defined]


def test_two_monitor_processes_fire_once(store_url: str) -> None:
    """The same race between two OS processes (each its own connections and interpreter)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    store = open_monitor_store(store_url)
    try:
        store.create_monitor(_monitor(cooldown_seconds=100.0))
        start, wins = ctx.Barrier(2), ctx.Queue()
        workers = [ctx.Process(target=_claim_in_a_process, args=(store_url, start, wins))
                   for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
            assert worker.exitcode == 0
        assert len(store.list_firings("churn")) == 1
        assert wins.get(timeout=5) == 0  # the first tick fired; the other 39 claims did not
    finally:
        store.close()  # type: ignore[attr-defined]
