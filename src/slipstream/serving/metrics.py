"""Prometheus metrics kept in plain dicts and rendered in the text exposition format (no client
library). One `Metrics` per worker process; updates happen on the event loop's thread, rendering
too, so no lock is needed. `snapshot()` is a worker's state as JSON-able data, and
`render(others)` adds other workers' snapshots in (counters and histograms summed, gauges
united), so any worker can answer for all of them (see shared.py)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)

Labels = tuple[tuple[str, str], ...]


class Histogram:
    """Cumulative-bucket histogram per label set."""

    def __init__(self, name: str, help_text: str, buckets: Sequence[float]) -> None:
        self.name, self.help, self.buckets = name, help_text, tuple(buckets)
        self._series: dict[Labels, list[float]] = {}  # counts per bucket (+Inf last), sum, count

    def observe(self, labels: Labels, value: float) -> None:
        series = self._series.get(labels)
        if series is None:
            series = self._series[labels] = [0.0] * (len(self.buckets) + 3)
        series[bisect.bisect_left(self.buckets, value)] += 1
        series[-2] += value
        series[-1] += 1

    def snapshot(self) -> list[Any]:
        return [[list(labels), series] for labels, series in list(self._series.items())]

    def render(self, out: list[str], others: Sequence[list[Any]] = ()) -> None:
        merged = self._series
        if others:
            merged = {labels: list(series) for labels, series in merged.items()}
            for other in others:
                for labels, series in other:
                    key = _labels(labels)
                    mine = merged.get(key)
                    if mine is None:
                        merged[key] = list(series)
                    elif len(mine) == len(series):
                        merged[key] = [a + b for a, b in zip(mine, series, strict=True)]
        out.append(f"# HELP {self.name} {self.help}")
        out.append(f"# TYPE {self.name} histogram")
        for labels, series in list(merged.items()):
            running = 0.0
            for bound, count in zip((*self.buckets, "+Inf"), series, strict=False):
                running += count
                out.append(f"{self.name}_bucket{_fmt(labels, ('le', _num(bound)))} {_num(running)}")
            out.append(f"{self.name}_sum{_fmt(labels)} {_num(series[-2])}")
            out.append(f"{self.name}_count{_fmt(labels)} {_num(series[-1])}")


class Counter:
    """Monotonic counter per label set."""

    def __init__(self, name: str, help_text: str, kind: str = "counter") -> None:
        self.name, self.help, self.kind = name, help_text, kind
        self._values: dict[Labels, float] = {}

    def inc(self, labels: Labels, amount: float = 1.0) -> None:
        self._values[labels] = self._values.get(labels, 0.0) + amount

    def set(self, labels: Labels, value: float) -> None:
        self._values[labels] = value

    def snapshot(self) -> list[Any]:
        return [[list(labels), value] for labels, value in list(self._values.items())]

    def render(self, out: list[str], others: Sequence[list[Any]] = ()) -> None:
        merged = self._values
        if others:
            merged = dict(merged)
            for other in others:
                for labels, value in other:
                    key = _labels(labels)
                    if self.kind == "gauge":  # one per worker (pid) or the same in each
                        merged[key] = max(merged.get(key, value), value)
                    else:
                        merged[key] = merged.get(key, 0.0) + value
        out.append(f"# HELP {self.name} {self.help}")
        out.append(f"# TYPE {self.name} {self.kind}")
        for labels, value in list(merged.items()):
            out.append(f"{self.name}{_fmt(labels)} {_num(value)}")


class Metrics:
    """The server's metrics: requests by protocol/status/target/version, request latency,
    errors (5xx) and rejections (4xx, 503), batch sizes and predict time per version, models
    loaded and the version each target serves."""

    def __init__(self) -> None:
        self.requests = Counter("slipstream_requests_total", "Inference requests answered.")
        self.errors = Counter("slipstream_request_errors_total",
                              "Inference requests that failed, by kind (client, model, overload).")
        self.latency = Histogram("slipstream_request_latency_seconds",
                                 "Time from request to response, seconds.", LATENCY_BUCKETS)
        self.batch_size = Histogram("slipstream_batch_size",
                                    "Requests merged into one predict call.", BATCH_BUCKETS)
        self.predict_time = Histogram("slipstream_predict_seconds",
                                      "Time of one predict call, seconds.", LATENCY_BUCKETS)
        self.loads = Counter("slipstream_model_loads_total", "Model versions loaded.")
        self.serving = Counter("slipstream_target_info",
                               "1 for the model version each target serves now.", kind="gauge")
        self.worker = Counter("slipstream_worker_info", "1 per worker process (its pid).",
                              kind="gauge")
        self._labels: dict[tuple[str, int, str, str], tuple[Labels, Labels, Labels | None]] = {}
        self._all = (self.worker, self.requests, self.errors, self.latency, self.batch_size,
                     self.predict_time, self.loads, self.serving)

    def request(self, protocol: str, status: int, target: str, version: str,
                seconds: float) -> None:
        key = (protocol, status, target, version)
        labels = self._labels.get(key)
        if labels is None:
            labels = self._labels[key] = _request_labels(*key)
        self.requests.inc(labels[0])
        self.latency.observe(labels[1], seconds)
        if labels[2] is not None:
            self.errors.inc(labels[2])

    def batch(self, target: str, version: str, size: int, seconds: float) -> None:
        labels = (("target", target), ("version", version))
        self.batch_size.observe(labels, size)
        self.predict_time.observe(labels, seconds)

    def snapshot(self) -> dict[str, list[Any]]:
        """Every metric's samples as JSON-able data (for other workers to merge)."""
        return {metric.name: metric.snapshot() for metric in self._all}

    def render(self, others: Sequence[dict[str, list[Any]]] = ()) -> str:
        """The text exposition format; `others` are other workers' snapshots to add in."""
        out: list[str] = []
        for metric in self._all:
            metric.render(out, [o[metric.name] for o in others if metric.name in o])
        return "\n".join(out) + "\n"


def _labels(pairs: Any) -> Labels:
    return tuple((str(k), str(v)) for k, v in pairs)


def _request_labels(protocol: str, status: int, target: str,
                    version: str) -> tuple[Labels, Labels, Labels | None]:
    """The label sets of one request's counter, latency and error samples."""
    kind = None if status < 400 else "overload" if status == 503 else (
        "model" if status >= 500 else "client")
    return ((("protocol", protocol), ("status", str(status)), ("target", target),
             ("version", version)),
            (("protocol", protocol), ("target", target), ("version", version)),
            None if kind is None else (("protocol", protocol), ("kind", kind),
                                       ("target", target), ("version", version)))


def _fmt(labels: Labels, extra: tuple[str, str] | None = None) -> str:
    pairs = (*labels, extra) if extra else labels
    if not pairs:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in pairs) + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _num(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else repr(float(value))
