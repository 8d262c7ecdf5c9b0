"""Capturing what a task attempt writes: its prints to sys.stdout / sys.stderr and the logging
records emitted while it runs, kept per attempt in the artifact store.

`with TaskLog() as log:` marks the current context (a contextvar) with `log`; two pieces
installed once per process route output to it:

* sys.stdout and sys.stderr are replaced by a `_Tee` that always writes to the original stream
  (a local user still sees prints in the terminal) and also to the active attempt's log. When
  something later replaces sys.stdout (pytest, rich's live display), the next attempt puts the
  tee back in front of the new stream.
* a handler on the root logger appends records at INFO and above to the active attempt's log
  (`FORMAT`: time, level, logger name). Loggers keep their levels: `RunContext.logger`
  (`slipstream.task.*`) is set to INFO, other loggers follow the application's configuration
  (the root's default is WARNING). With no handler of its own configured, the process still
  prints warnings to stderr as Python's last-resort handler did.

Tasks running concurrently in threads of one process each write to their own log (the
contextvar is per thread). Not captured: threads a task starts without copying its context
(`contextvars.copy_context().run`), writes to the file descriptors (C extensions,
subprocesses, `sys.stdout.buffer`), loggers that do not propagate to the root, and output
while the task itself redirects sys.stdout. A log keeps its first `HEAD_LIMIT` bytes and its
last `TAIL_LIMIT` bytes with a marker naming how many bytes were left out between them.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import threading
from typing import TYPE_CHECKING, Any, TextIO

from slipstream._core.errors import NotFoundError, did_you_mean
from slipstream.entities import LogRef

if TYPE_CHECKING:
    from slipstream.metadata.base import ExecutionStore

HEAD_LIMIT = 64 * 1024
TAIL_LIMIT = 1024 * 1024
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
TASK_LOGGER = "slipstream.task"

_active: contextvars.ContextVar[TaskLog | None] = contextvars.ContextVar(
    "slipstream_task_log", default=None)
_install_lock = threading.Lock()
_STREAM_HANDLER_EMIT = logging.StreamHandler.emit.__code__


class TaskLog:
    """The bounded text one attempt wrote: the first `head_limit` bytes and the last
    `tail_limit` bytes (UTF-8). Thread-safe; writes after `close` are dropped.

    `with TaskLog() as log:` routes this context's prints and log records to `log` until the
    block ends, then closes it."""

    __slots__ = ("_head", "_lock", "_tail", "_token", "closed", "head_limit", "omitted",
                 "tail_limit")

    def __init__(self, head_limit: int = HEAD_LIMIT, tail_limit: int = TAIL_LIMIT) -> None:
        self.head_limit = head_limit
        self.tail_limit = tail_limit
        self.omitted = 0
        self.closed = False
        self._head = bytearray()
        self._tail = bytearray()
        self._lock = threading.Lock()
        self._token: contextvars.Token[TaskLog | None] | None = None

    def __enter__(self) -> TaskLog:
        if (type(sys.stdout) is not _Tee or type(sys.stderr) is not _Tee
                or _HANDLER not in _ROOT.handlers):
            _install()
        self._token = _active.set(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._token is not None:
            _active.reset(self._token)
        self.closed = True

    def write(self, text: str) -> None:
        data = text.encode("utf-8", "backslashreplace")
        with self._lock:
            if self.closed or not data:
                return
            room = self.head_limit - len(self._head)
            if room > 0:
                self._head += data[:room]
                data = data[room:]
            if data:
                self._tail += data
                excess = len(self._tail) - self.tail_limit
                if excess > max(self.tail_limit, 64 * 1024):  # trim in amortised steps
                    del self._tail[:excess]
                    self.omitted += excess

    def close(self) -> bytes:
        """Stop taking writes; the text kept, with the omission marker when it was cut."""
        self.closed = True
        if not self._head:  # nothing was written (the common case): no lock, no copy
            return b""
        with self._lock:
            excess = len(self._tail) - self.tail_limit
            if excess > 0:
                del self._tail[:excess]
                self.omitted += excess
            if not self.omitted:
                return bytes(self._head + self._tail)
            marker = f"\n... {self.omitted} bytes omitted ...\n".encode()
            return bytes(self._head) + marker + bytes(self._tail)


class _Tee:
    """Stands in for sys.stdout or sys.stderr: writes reach the original stream, and the active
    attempt's log too (except a StreamHandler's: the root handler has the record already)."""

    def __init__(self, original: TextIO) -> None:
        self._original = original

    def write(self, text: str) -> int:
        written = self._original.write(text)
        log = _active.get()
        if (log is not None and isinstance(text, str)
                and sys._getframe(1).f_code is not _STREAM_HANDLER_EMIT):
            log.write(text)
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._original.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class _AttemptHandler(logging.Handler):
    """On the root logger: a record emitted inside an attempt goes to the attempt's log."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter(FORMAT))

    def handle(self, record: logging.LogRecord) -> bool:  # no handler lock: TaskLog has its own
        if not self.filter(record):
            return False
        self.emit(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        log = _active.get()
        if log is not None:
            try:
                log.write(self.format(record) + "\n")
            except Exception:
                self.handleError(record)
        resort = logging.lastResort
        if resort is not None and record.levelno >= resort.level and self._alone(record):
            resort.handle(record)  # what Python does when a record finds no handler

    def _alone(self, record: logging.LogRecord) -> bool:
        logger: logging.Logger | None = logging.getLogger(record.name)
        while logger is not None:
            if any(h is not self for h in logger.handlers):
                return False
            logger = logger.parent if logger.propagate else None
        return True


_HANDLER = _AttemptHandler()
_ROOT = logging.getLogger()


def _install() -> None:
    """Put the tees in front of sys.stdout / sys.stderr and the handler on the root logger,
    where they are not already."""
    with _install_lock:
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if stream is not None and type(stream) is not _Tee:
                setattr(sys, name, _Tee(stream))
        if _HANDLER not in _ROOT.handlers:
            _ROOT.addHandler(_HANDLER)
            task_logger = logging.getLogger(TASK_LOGGER)
            if task_logger.level == logging.NOTSET:
                task_logger.setLevel(logging.INFO)


def store_log(log: TaskLog, blobs: Any) -> LogRef | None:
    """Put a closed log's text in `blobs` (the artifact store); None when it is empty."""
    data = log.close()
    if not data:
        return None
    return LogRef(blobs.put_bytes(data), len(data), log.omitted)


def read_node_log(store: ExecutionStore, blobs: Any, execution_id: str, node_id: str,
                  attempt: int | None = None) -> str:
    """The text an attempt of a node wrote (the latest attempt by default); "" when it wrote
    nothing or the node never ran (a cache hit). `NotFoundError` names an unknown execution,
    node or attempt number."""
    record = store.get_execution(execution_id)
    nodes = {n.node_id: n for n in store.list_nodes(record.id)}
    node = nodes.get(node_id)
    if node is None:
        shown = ", ".join(list(nodes)[:12]) + (", ..." if len(nodes) > 12 else "")
        raise NotFoundError(f"execution {record.id} has no node {node_id!r}; its nodes are "
                            f"{shown or 'none'}.{did_you_mean(node_id, nodes)}")
    if attempt is None:
        chosen = node.attempts[-1] if node.attempts else None
    else:
        found = [a for a in node.attempts if a.number == attempt]
        if not found:
            tried = (f"attempts 1 to {len(node.attempts)}" if len(node.attempts) > 1 else
                     "1 attempt" if node.attempts else "no attempts (it did not run here)")
            raise NotFoundError(f"node {node_id} ({node.name}) of execution {record.id} has "
                                f"no attempt {attempt}: it has {tried}")
        chosen = found[0]
    if chosen is None or chosen.log is None:
        return ""
    return bytes(blobs.get_bytes(chosen.log.digest)).decode("utf-8", "replace")
