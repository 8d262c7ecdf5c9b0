"""Feeds a `PredictionSink` from a background thread: per-version statistics of every request
and, at `sample_rate`, the request's inputs and outputs. The request path only appends under an
uncontended lock; the sink is called every `report_interval` seconds and once more at stop."""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any

from slipstream.serving.sink import PredictionRecord, PredictionSink, VersionStats

log = logging.getLogger("slipstream.serving")


class Reporter:
    """What one worker observed since its sink was last called."""

    def __init__(self, sink: PredictionSink, deployment: str, *, sample_rate: float,
                 interval: float) -> None:
        self._sink = sink
        self._deployment = deployment
        self._rate = sample_rate
        self._interval = interval
        self._lock = threading.Lock()
        self._stats: dict[tuple[str, str], list[float]] = {}  # requests, errors, sum, max
        self._records: list[PredictionRecord] = []
        self._since = _now_ms()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sampled(self) -> bool:
        """Whether the next request's inputs and outputs are kept."""
        return self._rate > 0 and (self._rate >= 1 or random.random() < self._rate)

    def observe(self, label: str, version: str, latency_ms: float, status: int) -> None:
        with self._lock:
            entry = self._stats.get((label, version))
            if entry is None:
                entry = self._stats[(label, version)] = [0, 0, 0.0, 0.0]
            entry[0] += 1
            if status >= 500:
                entry[1] += 1
            entry[2] += latency_ms
            if latency_ms > entry[3]:
                entry[3] = latency_ms

    def record(self, label: str, version: str, request_id: str, inputs: Any, outputs: Any,
               latency_ms: float, status: int) -> None:
        record = PredictionRecord(self._deployment, label, version, request_id, _now_ms(),
                                  inputs, outputs, latency_ms, status)
        with self._lock:
            self._records.append(record)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, daemon=True,
                                            name="slipstream-serving-reporter")
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.flush()

    def flush(self) -> None:
        """Hand everything observed so far to the sink (nothing when nothing happened)."""
        until = _now_ms()
        with self._lock:
            stats, self._stats = self._stats, {}
            records, self._records = self._records, []
            since, self._since = self._since, until
        if not stats and not records:
            return
        rows = [VersionStats(self._deployment, label, version, int(e[0]), int(e[1]), e[2], e[3],
                             since, until) for (label, version), e in stats.items()]
        try:
            self._sink.write(records, rows)
        except Exception as exc:  # a failing sink must not stop serving
            log.warning("the prediction sink failed (%d records, %d stats lost): %s",
                        len(records), len(rows), exc)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self.flush()


def _now_ms() -> int:
    return int(time.time() * 1000)
