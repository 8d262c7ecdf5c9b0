"""Micro-batching, model errors and load shedding on a real server: concurrent single-row
requests are merged into predict calls (batch sizes > 1 in /metrics) and each gets its own
rows back; a model that raises answers 500 with the request id while the server keeps serving
(and the other requests of its batch still succeed); a full queue answers 503 + Retry-After."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from slipstream.serving.app import create_serving_app
from slipstream.serving.config import ServingConfig
from slipstream.serving.targets import StaticTargets
from tests.serving.helpers import COLUMNS, Client, Echo, frame, log_python, metric_total, running


@pytest.fixture
def serve_echo() -> Iterator[Callable[..., str]]:
    """serve_echo(delay, **config) -> the URL of a server for an Echo model (tenure * 10)."""
    with_stack: list[Any] = []

    def start(delay: float = 0.0, **config: Any) -> str:
        info = log_python(Echo(delay=delay), frame(5))
        app = create_serving_app(StaticTargets(info.model_uri), name="echo",
                                 config=ServingConfig(poll_interval=0, **config))
        context = running(app)
        with_stack.append(context)
        return context.__enter__()

    yield start
    for context in reversed(with_stack):
        context.__exit__(None, None, None)


def _row(tenure: float) -> dict[str, Any]:
    return {"dataframe_split": {"columns": COLUMNS, "data": [[tenure, 1.0, 2.0]]}}


def _v2_row(tenure: float) -> dict[str, Any]:
    return {"inputs": [{"name": c, "shape": [1], "datatype": "FP64",
                        "data": [tenure if c == "tenure" else 1.0]} for c in COLUMNS]}


def test_concurrent_single_rows_are_batched_and_split_back(serve_echo: Callable[..., str]) -> None:
    url = serve_echo(delay=0.01, max_batch_size=16, max_wait_ms=5)
    threads, per_thread = 16, 8
    start = threading.Barrier(threads)

    def client_loop(k: int) -> list[tuple[float, Any]]:
        client = Client(url)
        start.wait()
        seen = []
        for i in range(per_thread):
            tenure = float(k * 100 + i)
            if i % 2:
                reply = client.post("/invocations", _row(tenure))
                seen.append((tenure, reply.json()["predictions"]))
            else:
                reply = client.post("/v2/models/echo/infer", _v2_row(tenure))
                seen.append((tenure, reply.json()["outputs"][0]["data"]))
            assert reply.status == 200, reply.body
        client.close()
        return seen

    with ThreadPoolExecutor(threads) as pool:
        results = [r for part in pool.map(client_loop, range(threads)) for r in part]
    assert len(results) == threads * per_thread
    for tenure, prediction in results:  # every request got its own row's answer
        assert prediction == [tenure * 10]
    metrics = Client(url).get("/metrics").body.decode()
    batches = metric_total(metrics, "slipstream_batch_size_count")
    rows = metric_total(metrics, "slipstream_batch_size_sum")
    assert rows == threads * per_thread
    assert rows / batches > 1.0  # merged
    buckets = metric_total(metrics, "slipstream_batch_size_bucket", le="1")
    assert buckets < batches  # some batch held more than one request
    assert metric_total(metrics, "slipstream_requests_total", status="200") == rows


def test_a_lone_request_is_served_alone(serve_echo: Callable[..., str]) -> None:
    url = serve_echo(max_batch_size=32, max_wait_ms=50)
    client = Client(url)
    for tenure in (1.0, 2.0, 3.0):
        assert client.post("/invocations", _row(tenure)).json() == {"predictions": [tenure * 10]}
    metrics = client.get("/metrics").body.decode()
    assert metric_total(metrics, "slipstream_batch_size_count") == 3
    assert metric_total(metrics, "slipstream_batch_size_bucket", le="1") == 3


def test_model_error_is_500_with_request_id_and_serving_goes_on(
        serve_echo: Callable[..., str]) -> None:
    url = serve_echo()
    client = Client(url)
    for path, body in (("/invocations", _row(-1.0)), ("/v2/models/echo/infer", _v2_row(-1.0)),
                       ("/v1/models/echo:predict", {"instances": [[-1.0, 1.0, 2.0]]})):
        reply = client.post(path, body)
        assert reply.status == 500, reply.body
        request_id = reply.headers["x-request-id"]
        answer = reply.json()
        assert answer["request_id"] == request_id
        assert "tenure must not be negative" in (answer.get("message") or answer["error"])
        assert client.post("/invocations", _row(4.0)).json() == {"predictions": [40.0]}
    metrics = client.get("/metrics").body.decode()
    assert metric_total(metrics, "slipstream_request_errors_total", kind="model") == 3


def test_a_failing_request_does_not_fail_its_batch(serve_echo: Callable[..., str]) -> None:
    url = serve_echo(delay=0.02, max_batch_size=32, max_wait_ms=5)
    threads = 12
    start = threading.Barrier(threads)

    def one(k: int) -> tuple[float, int, Any]:
        client = Client(url)
        start.wait()
        statuses = []
        for round_ in range(4):
            tenure = -1.0 if (k == 0 and round_ == 2) else float(k + round_)
            reply = client.post("/invocations", _row(tenure))
            statuses.append((tenure, reply.status, reply.json()))
        client.close()
        return statuses  # type: ignore[return-value]

    with ThreadPoolExecutor(threads) as pool:
        results = [r for part in pool.map(one, range(threads)) for r in part]
    for tenure, status, answer in results:
        if tenure < 0:
            assert status == 500 and answer["request_id"]
        else:
            assert status == 200 and answer == {"predictions": [tenure * 10]}
    metrics = Client(url).get("/metrics").body.decode()
    assert metric_total(metrics, "slipstream_batch_size_sum") >= threads * 4


def test_overload_sheds_with_503_and_retry_after(serve_echo: Callable[..., str]) -> None:
    url = serve_echo(delay=0.25, max_batch_size=1, max_queue=2)
    threads = 10
    start = threading.Barrier(threads)

    def one(_: int) -> tuple[int, dict[str, str], Any]:
        client = Client(url)
        start.wait()
        reply = client.post("/invocations", _row(1.0))
        client.close()
        return reply.status, reply.headers, reply.json()

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(one, range(threads)))
    statuses = sorted(status for status, _, _ in results)
    assert set(statuses) == {200, 503}, statuses
    for status, headers, answer in results:
        if status == 503:
            assert headers["retry-after"] == "1"
            assert answer["error_code"] == "TEMPORARILY_UNAVAILABLE"
        else:
            assert answer == {"predictions": [10.0]}
    client = Client(url)
    assert client.post("/invocations", _row(2.0)).json() == {"predictions": [20.0]}
    metrics = client.get("/metrics").body.decode()
    assert metric_total(metrics, "slipstream_request_errors_total", kind="overload") == (
        statuses.count(503))
