"""Targets on a real server: an alias moved in the registry while clients send requests is
followed (the answering version changes, no request fails, in-flight requests finish on the
version they started on); a primary/canary split lands within 3 points over 2,000 requests and
follows a change of the source; the prediction sink gets every request's stats and the sampled
records from its background thread."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import slipstream.models
from slipstream.serving.app import create_serving_app
from slipstream.serving.config import ServingConfig
from slipstream.serving.sink import PredictionRecord, PredictionSink, VersionStats
from slipstream.serving.targets import ServingTarget, StaticTargets, TargetSource
from tests.serving.helpers import COLUMNS, Client, Echo, frame, log_python, running


def _row(tenure: float) -> dict[str, Any]:
    return {"dataframe_split": {"columns": COLUMNS, "data": [[tenure, 1.0, 2.0]]}}


def _two_versions(delay: float = 0.0) -> None:
    """churn/1 answers tenure*10 + 1, churn/2 answers tenure*10 + 2."""
    for offset in (1.0, 2.0):
        info = log_python(Echo(offset=offset, delay=delay), frame(5), registered="churn")
        assert info.registered_model_version == int(offset)


def test_alias_move_is_followed_without_failing_a_request(default_stores: str) -> None:
    _two_versions(delay=0.002)
    slipstream.models.set_alias("churn", "champion", 1)
    app = create_serving_app(StaticTargets("models:/churn@champion"), name="churn",
                             config=ServingConfig(poll_interval=0.05))
    stop = threading.Event()
    with running(app) as url:
        def client_loop(k: int) -> list[tuple[int, str, Any, float]]:
            client = Client(url)
            seen = []
            i = 0
            while not stop.is_set():
                tenure = float(k * 1000 + i)
                reply = client.post("/invocations", _row(tenure))
                seen.append((reply.status, reply.headers.get("x-model-version", ""),
                             reply.json(), tenure))
                i += 1
            client.close()
            return seen

        with ThreadPoolExecutor(4) as pool:
            loops = [pool.submit(client_loop, k) for k in range(4)]
            time.sleep(0.3)
            slipstream.models.set_alias("churn", "champion", 2)
            deadline = time.monotonic() + 20
            probe = Client(url)
            while probe.post("/invocations", _row(0.0)).headers["x-model-version"] != "churn/2":
                assert time.monotonic() < deadline, "the alias move was not followed"
                time.sleep(0.02)
            time.sleep(0.3)
            stop.set()
            results = [r for f in loops for r in f.result()]
    assert results and all(status == 200 for status, _, _, _ in results), Counter(
        status for status, _, _, _ in results)
    versions = Counter(version for _, version, _, _ in results)
    assert versions["churn/1"] > 0 and versions["churn/2"] > 0, versions
    for _, version, answer, tenure in results:  # each answer came from the version it names
        offset = 1.0 if version == "churn/1" else 2.0
        assert answer == {"predictions": [tenure * 10 + offset]}
    assert app.metrics.render().count('slipstream_target_info{target="primary",version="churn/2"}') == 1


class MutableTargets(TargetSource):
    def __init__(self, targets: Sequence[ServingTarget]) -> None:
        self.targets = tuple(targets)

    def current(self) -> Sequence[ServingTarget]:
        return self.targets


def test_canary_split_within_three_points_and_follows_the_source() -> None:
    _two_versions()
    source = MutableTargets([ServingTarget("primary", "models:/churn/1", 90.0),
                             ServingTarget("canary", "models:/churn/2", 10.0)])
    app = create_serving_app(source, name="churn", config=ServingConfig(poll_interval=0.05))
    with running(app) as url:
        client = Client(url)
        seen: Counter[tuple[str, str]] = Counter()
        for i in range(2000):
            path = "/invocations" if i % 2 else "/v2/models/churn/infer"
            body = _row(1.0) if i % 2 else {"inputs": [
                {"name": c, "shape": [1], "datatype": "FP64", "data": [1.0]} for c in COLUMNS]}
            reply = client.post(path, body)
            assert reply.status == 200, reply.body
            seen[(reply.headers["x-slipstream-target"], reply.headers["x-model-version"])] += 1
        assert set(seen) == {("primary", "churn/1"), ("canary", "churn/2")}
        share = seen[("canary", "churn/2")] / 2000
        assert abs(share - 0.10) <= 0.03, seen
        # the versions/{v} route pins one target
        pinned = client.post("/v2/models/churn/versions/2/infer", {"inputs": [
            {"name": c, "shape": [1], "datatype": "FP64", "data": [1.0]} for c in COLUMNS]})
        assert pinned.headers["x-model-version"] == "churn/2"
        assert pinned.json()["outputs"][0]["data"] == [12.0]

        source.targets = (ServingTarget("primary", "models:/churn/1", 50.0),
                          ServingTarget("canary", "models:/churn/2", 50.0))
        deadline = time.monotonic() + 10
        while True:  # wait for the poll to pick the new split up
            labels = Counter(client.post("/invocations", _row(1.0)).headers[
                "x-slipstream-target"] for _ in range(20))
            if labels["canary"] == 10:
                break
            assert time.monotonic() < deadline, labels
            time.sleep(0.05)
        labels = Counter(client.post("/invocations", _row(1.0)).headers["x-slipstream-target"]
                         for _ in range(400))
        assert abs(labels["canary"] / 400 - 0.5) <= 0.03, labels
        client.close()


class ListSink(PredictionSink):
    def __init__(self) -> None:
        self.records: list[PredictionRecord] = []
        self.stats: list[VersionStats] = []
        self.calls = 0
        self.lock = threading.Lock()

    def write(self, records: Sequence[PredictionRecord], stats: Sequence[VersionStats]) -> None:
        assert threading.current_thread() is not threading.main_thread()
        with self.lock:
            self.calls += 1
            self.records.extend(records)
            self.stats.extend(stats)


def test_sink_gets_stats_for_every_request_and_sampled_records() -> None:
    _two_versions()
    sink = ListSink()
    app = create_serving_app(StaticTargets("models:/churn/1"), name="churn-deploy", sink=sink,
                             config=ServingConfig(poll_interval=0, sample_rate=1.0,
                                                  report_interval=0.05))
    with running(app) as url:
        client = Client(url)
        for i in range(20):
            assert client.post("/invocations", _row(float(i))).status == 200
        assert client.post("/invocations", _row(-1.0)).status == 500
        assert client.post("/invocations", {"dataframe_split": {"columns": ["x"], "data": [[1]]}}
                           ).status == 400
        deadline = time.monotonic() + 10
        while True:
            with sink.lock:
                total = sum(s.requests for s in sink.stats)
            if total == 22:
                break
            assert time.monotonic() < deadline, total
            time.sleep(0.05)
        client.close()
    with sink.lock:
        stats, records = list(sink.stats), list(sink.records)
    assert {(s.deployment, s.label, s.model_version) for s in stats} == {
        ("churn-deploy", "primary", "churn/1")}
    assert sum(s.errors for s in stats) == 1  # the model error; the 400 is the caller's
    assert all(s.latency_ms_max >= 0 and s.since_ms <= s.until_ms for s in stats)
    good = [r for r in records if r.status == 200]
    assert len(good) == 20
    first = min(good, key=lambda r: r.inputs["tenure"][0])
    assert first.inputs == {"tenure": [0.0], "charges": [1.0], "calls": [2.0]}
    assert first.outputs == [1.0] and first.request_id and first.timestamp_ms > 0
    failed = [r for r in records if r.status == 500]
    assert len(failed) == 1 and failed[0].outputs is None


def test_a_version_that_cannot_load_leaves_the_served_one_in_place() -> None:
    from pathlib import Path

    _two_versions()
    broken = log_python(Echo(offset=3.0), frame(5), registered="churn")
    (Path(broken.artifact_uri) / "MLmodel").unlink()  # version 3 cannot be loaded
    slipstream.models.set_alias("churn", "champion", 1)
    app = create_serving_app(StaticTargets("models:/churn@champion"), name="churn",
                             config=ServingConfig(poll_interval=0.05))
    with running(app) as url:
        client = Client(url)
        slipstream.models.set_alias("churn", "champion", 3)
        time.sleep(0.5)  # several polls fail to load it
        for _ in range(20):
            reply = client.post("/invocations", _row(1.0))
            assert reply.status == 200 and reply.headers["x-model-version"] == "churn/1"
        slipstream.models.set_alias("churn", "champion", 2)
        deadline = time.monotonic() + 10
        while client.post("/invocations", _row(1.0)).headers["x-model-version"] != "churn/2":
            assert time.monotonic() < deadline, "the move to a loadable version was not followed"
            time.sleep(0.02)
        assert client.post("/invocations", _row(1.0)).json() == {"predictions": [12.0]}
        client.close()
