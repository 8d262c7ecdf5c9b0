"""`LogBuffer`: metrics, params and tags queued in memory and written to the store in batches.

Logging calls only append to a per-run queue under a lock; a daemon thread drains the queues
every `interval` seconds, and `flush(run_id)` drains on the calling thread (end of a run, end of
a `with` block, process exit). Each drain writes a run's params and tags first, in batches of at
most 100 of each, then its metrics, at most 1000 per `log_batch` (MLflow's limits), so a param
the store rejects (another process logged another value) does not cost the metrics. A failed
batch is kept as an error for its run and raised by the next `flush(run_id)` of that run.
`end(run_id, finish)` writes a run's last items and ends it in one store call (one
transaction); only if that fails are they written as above, apart from the end.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from slipstream.entities import Metric, Param, RunTag
from slipstream.metadata.tracking import TrackingStore
from slipstream.metadata.validation import (
    MAX_ENTITIES_PER_BATCH,
    MAX_METRICS_PER_BATCH,
    MAX_PARAMS_PER_BATCH,
    MAX_TAGS_PER_BATCH,
)

#: Seconds between background drains.
FLUSH_INTERVAL = 0.1
#: Writes a run's last metrics, params and tags and ends it, in one call (`LogBuffer.end`).
Finish = Callable[[Sequence[Metric], Sequence[Param], Sequence[RunTag]], object]


@dataclass
class _Pending:
    metrics: list[Metric] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    tags: list[RunTag] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.metrics or self.params or self.tags)


def _fits_one_batch(pending: _Pending) -> bool:
    return (len(pending.metrics) <= MAX_METRICS_PER_BATCH
            and len(pending.params) <= MAX_PARAMS_PER_BATCH
            and len(pending.tags) <= MAX_TAGS_PER_BATCH
            and len(pending.metrics) + len(pending.params) + len(pending.tags)
            <= MAX_ENTITIES_PER_BATCH)


class LogBuffer:
    """Per-run queues of metrics, params and tags, written to `store` in batches."""

    def __init__(self, store: TrackingStore, interval: float = FLUSH_INTERVAL) -> None:
        self.store = store
        self.interval = interval
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()  # guards _pending (held for appends only: microseconds)
        self._write_lock = threading.Lock()  # one drain at a time, so batches keep their order
        self._errors: dict[str, list[Exception]] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- producers (any thread) -------------------------------------------------------------

    def add(self, run_id: str, metrics: Sequence[Metric] = (), params: Sequence[Param] = (),
            tags: Sequence[RunTag] = ()) -> None:
        """Queue items for `run_id`; they reach the store within about `interval` seconds."""
        with self._lock:
            pending = self._pending.get(run_id)
            if pending is None:
                pending = self._pending[run_id] = _Pending()
            pending.metrics.extend(metrics)
            pending.params.extend(params)
            pending.tags.extend(tags)
        if self._thread is None:
            self._start()

    # -- draining ---------------------------------------------------------------------------

    def drain(self) -> None:
        """Write everything queued (for every run) now, on this thread."""
        self._drain()

    def flush(self, run_id: str | None = None) -> list[Exception]:
        """Write everything queued (for every run) now, on this thread; returns and forgets the
        errors recorded for `run_id` (all runs' errors when None)."""
        self._drain()
        if run_id is not None:
            return self._errors_of(run_id)
        with self._lock:
            errors = [e for errs in self._errors.values() for e in errs]
            self._errors.clear()
        return errors

    def end(self, run_id: str, finish: Finish) -> list[Exception]:
        """Write everything queued (for every run) now, on this thread, handing `run_id`'s
        last items to `finish` (which writes them and ends the run in one call); returns and
        forgets the errors recorded for `run_id`. If `finish` raises with items (nothing was
        written), they are written as `drain` writes them and `finish` is called without."""
        with self._write_lock:
            with self._lock:
                taken, self._pending = self._pending, {}
            last = taken.pop(run_id, None)
            for other, pending in taken.items():
                if pending:
                    self._write(other, pending)
            ended = False
            if last and _fits_one_batch(last):
                try:
                    finish(last.metrics, last.params, last.tags)
                    ended = True
                except Exception:  # nothing written: they go the usual way below
                    pass
            try:
                if not ended:
                    if last:
                        self._write(run_id, last)
                    finish((), (), ())
            finally:
                errors = self._errors_of(run_id)
        return errors

    def _errors_of(self, run_id: str) -> list[Exception]:
        with self._lock:
            return self._errors.pop(run_id, [])

    def close(self) -> None:
        """Drain once more and stop the background thread."""
        self._closed = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._drain()

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None or self._closed:
                return
            self._thread = threading.Thread(target=self._loop, name="slipstream-log-buffer",
                                            daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._closed:
            self._wake.wait(self.interval)
            if self._closed:
                return
            with contextlib.suppress(Exception):  # never let the writer die; errors are per run
                self._drain()

    def _drain(self) -> None:
        with self._write_lock:
            with self._lock:
                taken, self._pending = self._pending, {}
            for run_id, pending in taken.items():
                if pending:
                    self._write(run_id, pending)

    def _write(self, run_id: str, pending: _Pending) -> None:
        params, tags, metrics = pending.params, pending.tags, pending.metrics
        for start in range(0, max(len(params), len(tags)), MAX_PARAMS_PER_BATCH):
            self._batch(run_id, params=params[start:start + MAX_PARAMS_PER_BATCH],
                        tags=tags[start:start + MAX_TAGS_PER_BATCH])
        for start in range(0, len(metrics), MAX_METRICS_PER_BATCH):
            self._batch(run_id, metrics=metrics[start:start + MAX_METRICS_PER_BATCH])

    def _batch(self, run_id: str, metrics: Sequence[Metric] = (), params: Sequence[Param] = (),
               tags: Sequence[RunTag] = ()) -> None:
        try:
            self.store.log_batch(run_id, metrics=metrics, params=params, tags=tags)
        except Exception as exc:  # kept and raised at the run's next flush
            with self._lock:
                self._errors.setdefault(run_id, []).append(exc)
