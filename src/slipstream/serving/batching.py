"""Adaptive micro-batching on the event loop: requests for one model version queue up, and one
predict call serves every request of the same layout that is waiting when the model turns to
them (at most `max_batch_size`). A request that finds the queue empty is served on the next
loop iteration, without waiting; while requests keep arriving, a batch lingers for them at most
`max_wait_ms`. Beyond `max_queue` waiting requests, `Overloaded` is raised at once (503).
Each request's `done(piece, failure)` callback is called from the batch's own loop turn.

predict runs on the loop's thread: the loop reads the next requests off the sockets in between
batches, and those become the next batch.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from slipstream.serving.inputs import Inputs, concat
from slipstream.serving.outputs import split

log = logging.getLogger("slipstream.serving")


class Overloaded(Exception):
    """The model's queue is full: answer 503 with Retry-After."""


class ModelFailure(Exception):
    """predict raised (or returned something that cannot be split): a 500."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause
        self.trace = "".join(traceback.format_exception(cause))


#: Called after every predict call: (batch size, seconds).
BatchObserver = Callable[[int, float], None]
#: Called once per request: (its piece of the output, None) or (None, ModelFailure).
Done = Callable[[Any, BaseException | None], None]


class Batcher:
    """The queue of one model version."""

    def __init__(self, predict: Callable[[Inputs], Any], *, max_batch_size: int, max_wait_ms: float,
                 max_queue: int, observe: BatchObserver) -> None:
        self._predict = predict
        self._max_batch = max_batch_size
        self._max_wait = max_wait_ms / 1000.0
        self._max_queue = max_queue
        self._observe = observe
        self._queue: collections.deque[tuple[Inputs, Done, float]] = collections.deque()
        self._scheduled = False
        self._seen = 0
        self._quiet = 0

    @property
    def depth(self) -> int:
        """Requests waiting now."""
        return len(self._queue)

    def submit(self, inputs: Inputs, done: Done) -> None:
        """Queue `inputs`; `done` gets the model's output for its own rows (or the failure).
        Call it on the event loop's thread; raises Overloaded when the queue is full."""
        if len(self._queue) >= self._max_queue:
            raise Overloaded(f"{len(self._queue)} requests are waiting for this model")
        self._queue.append((inputs, done, time.perf_counter()))
        if not self._scheduled:
            self._scheduled = True
            loop = asyncio.get_running_loop()
            loop.call_soon(self._flush, loop)

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        queue = self._queue
        if not queue:
            self._scheduled = False
            return
        if self._linger(queue):
            loop.call_soon(self._flush, loop)
            return
        self._seen = self._quiet = 0
        layout = queue[0][0].layout
        batch = []
        while queue and len(batch) < self._max_batch and queue[0][0].layout == layout:
            batch.append(queue.popleft())
        self._run(batch)
        if queue:
            loop.call_soon(self._flush, loop)
        else:
            self._scheduled = False

    def _linger(self, queue: collections.deque[Any]) -> bool:
        """Whether to give the loop another turn for more requests: only while several are
        waiting (so a lone request never waits), the batch is not full, new ones arrived within
        the last two turns, and the oldest has waited less than max_wait_ms."""
        n = len(queue)
        if n < 2 or n >= self._max_batch or self._max_wait <= 0:
            return False
        if time.perf_counter() - queue[0][2] >= self._max_wait:
            return False
        if n > self._seen:
            self._seen, self._quiet = n, 0
            return True
        self._quiet += 1
        return self._quiet < 2

    def _run(self, batch: list[tuple[Inputs, Done, float]]) -> None:
        counts = [item[0].n for item in batch]
        started = time.perf_counter()
        try:
            output = self._predict(concat([item[0] for item in batch]))
            pieces = split(output, counts)
        except Exception as exc:
            self._observe(len(batch), time.perf_counter() - started)
            if len(batch) == 1:
                _call(batch[0][1], None, ModelFailure(exc))
            else:  # one bad request must not fail the others: serve each alone
                log.debug("a batch of %d failed (%s); serving them one by one", len(batch), exc)
                for item in batch:
                    self._run([item])
            return
        self._observe(len(batch), time.perf_counter() - started)
        for item, piece in zip(batch, pieces, strict=True):
            _call(item[1], piece, None)


def _call(done: Done, piece: Any, failure: BaseException | None) -> None:
    try:
        done(piece, failure)
    except Exception:  # one request's answer must not stop the others'
        log.exception("answering a request failed")
