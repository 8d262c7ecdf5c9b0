"""The server's parts on their own: target checks, config checks, the percentage router's
split, the Prometheus text it renders, and metrics merged across workers."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from slipstream._core.errors import InvalidInputError
from slipstream.serving.config import ServingConfig
from slipstream.serving.metrics import Metrics
from slipstream.serving.routing import Resolved, Router, Served
from slipstream.serving.targets import ServingTarget, StaticTargets, check_targets
from tests.serving.helpers import metric_samples, metric_total


def test_targets_are_checked() -> None:
    assert [t.label for t in StaticTargets("models:/a/1").current()] == ["primary"]
    with pytest.raises(InvalidInputError, match="non-empty"):
        StaticTargets("  ")
    with pytest.raises(InvalidInputError, match="add to 95"):
        check_targets([ServingTarget("primary", "a", 90), ServingTarget("canary", "b", 5)])
    with pytest.raises(InvalidInputError, match="unique"):
        check_targets([ServingTarget("p", "a", 50), ServingTarget("p", "b", 50)])
    with pytest.raises(InvalidInputError, match=r"\[0, 100\]"):
        check_targets([ServingTarget("p", "a", 110), ServingTarget("c", "b", -10)])
    with pytest.raises(InvalidInputError, match="no targets"):
        check_targets([])


@pytest.mark.parametrize("field,value", [("max_batch_size", 0), ("max_queue", 0),
                                         ("max_wait_ms", -1), ("sample_rate", 1.5),
                                         ("max_batch_size", True)])
def test_config_is_checked(field: str, value: object) -> None:
    with pytest.raises(InvalidInputError, match=field):
        ServingConfig(**{field: value})  # type: ignore[arg-type]


def _served(label: str) -> Served:
    resolved = Resolved(label, 0.0, f"models:/m/{label}", f"/m/{label}", f"m/{label}", "m", None)
    return Served(label, resolved, None, None, None, ())  # type: ignore[arg-type]


@pytest.mark.parametrize("share", [1.0, 10.0, 33.3, 50.0])
def test_router_split_is_exact_over_every_window(share: float) -> None:
    router = Router([(_served("primary"), 100 - share), (_served("canary"), share)])
    picks = [router.pick().label for _ in range(2000)]
    assert abs(Counter(picks)["canary"] / 2000 - share / 100) < 0.001
    window = Counter(picks[500:600])["canary"]  # any 100 in a row: within one of the share
    assert abs(window - share) <= 1
    assert router.find("canary") is router.served[1] and router.find("m/primary") is not None
    assert router.find("7") is None


def test_router_with_a_zero_share_never_picks_it() -> None:
    router = Router([(_served("primary"), 100.0), (_served("canary"), 0.0)])
    assert {router.pick().label for _ in range(100)} == {"primary"}


def test_metrics_render_prometheus_text() -> None:
    metrics = Metrics()
    metrics.request("v2", 200, "primary", 'm/"1"', 0.0007)
    metrics.request("v2", 500, "primary", 'm/"1"', 0.02)
    metrics.batch("primary", "m/1", 3, 0.001)
    text = metrics.render()
    samples = metric_samples(text)  # every line parses
    assert ("slipstream_requests_total", {"protocol": "v2", "status": "500", "target": "primary",
                                          "version": 'm/\\"1\\"'}, 1.0) in samples
    assert metric_total(text, "slipstream_request_latency_seconds_bucket", le="0.001") == 1
    assert metric_total(text, "slipstream_request_latency_seconds_bucket", le="+Inf") == 2
    assert metric_total(text, "slipstream_request_errors_total", kind="model") == 1
    assert metric_total(text, "slipstream_batch_size_sum") == 3
    assert "# TYPE slipstream_batch_size histogram" in text


def test_shared_metrics_add_other_workers_and_drop_dead_ones(tmp_path: Path) -> None:
    import subprocess
    import sys

    from slipstream.serving.shared import SharedMetrics

    mine, theirs = Metrics(), Metrics()
    for _ in range(3):
        mine.request("v2", 200, "primary", "churn/1", 0.001)
        mine.batch("primary", "churn/1", 1, 0.0005)
    for _ in range(5):
        theirs.request("v2", 200, "primary", "churn/1", 0.01)
    theirs.batch("primary", "churn/1", 5, 0.002)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    SharedMetrics(tmp_path, theirs, pid=os.getppid()).publish()  # a live process
    SharedMetrics(tmp_path, theirs, pid=int(gone.stdout)).publish()  # an exited one
    text = SharedMetrics(tmp_path, mine).render()
    assert metric_total(text, "slipstream_requests_total", status="200") == 8
    assert metric_total(text, "slipstream_request_latency_seconds_count") == 8
    assert metric_total(text, "slipstream_batch_size_sum") == 8
    assert metric_total(text, "slipstream_batch_size_bucket", le="+Inf") == 4
    assert not (tmp_path / f"{int(gone.stdout)}.json").exists()
