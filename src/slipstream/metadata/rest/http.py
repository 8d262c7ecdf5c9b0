"""`JsonHttp`: JSON requests to a Slipstream server over the stdlib's `http.client`.

One persistent keep-alive connection per thread (a thread-local), re-opened once when the
server has closed an idle connection; a forked child opens its own instead of sharing the
parent's sockets. Error answers (`{"error_code", "message"}`) become the
exceptions the SQL stores raise, with the server's message:

    RESOURCE_DOES_NOT_EXIST            NotFoundError
    RESOURCE_ALREADY_EXISTS            AlreadyExistsError
    INVALID_PARAMETER_VALUE (any 4xx)  InvalidInputError
    ENDPOINT_NOT_FOUND, not JSON       StoreUnavailableError (not a Slipstream server, or too old)
    5xx                                InternalError (the server's bug, with its message)
    no connection, timeout             StoreUnavailableError ("cannot reach the Slipstream
                                       server at ...")
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import urllib.parse
from collections.abc import Mapping
from typing import Any

from slipstream._core.errors import (
    InternalError,
    InvalidInputError,
    NotFoundError,
    StoreUnavailableError,
)

#: Seconds to wait for a connection or an answer.
DEFAULT_TIMEOUT = 30.0
_HEADERS = {"Content-Type": "application/json", "Accept": "application/json",
            "User-Agent": "slipstream-rest-store"}
#: Failures that mean "the kept-alive connection was closed under us": retried once, fresh.
_STALE = (http.client.RemoteDisconnected, http.client.CannotSendRequest,
          http.client.BadStatusLine, BrokenPipeError, ConnectionResetError,
          ConnectionAbortedError)


class JsonHttp:
    """JSON over HTTP(S) to one base URL (which may carry a path prefix)."""

    def __init__(self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise InvalidInputError(f"Invalid Slipstream server URL {base_url!r}: use "
                                    "http://host:port or https://host")
        self.base_url = base_url.rstrip("/")
        self._https = parsed.scheme == "https"
        self._host = parsed.hostname
        self._port = parsed.port
        self._prefix = parsed.path.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()
        #: Every open connection with the thread it belongs to (closed once that thread ends).
        self._all: list[tuple[threading.Thread, http.client.HTTPConnection]] = []
        self._all_lock = threading.Lock()
        self._pid = os.getpid()

    # -- requests ---------------------------------------------------------------------------

    def get(self, path: str, query: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, query=query)

    def request(self, method: str, path: str, body: Any = None,
                query: Mapping[str, Any] | None = None) -> Any:
        """Send one request; the decoded JSON answer (None for 204), or the mapped error."""
        target = self._prefix + path
        if query:
            pairs = [(k, v) for k, v in query.items() if v is not None]
            target += "?" + urllib.parse.urlencode(pairs, doseq=True)
        payload = None if body is None else json.dumps(body, allow_nan=False).encode()
        status, data = self._exchange(method, target, payload)
        if status == 204 or (not data and status < 300):
            return None
        decoded = _decode(data)
        if status < 300 and decoded is not None:
            return decoded
        raise self._error(method, path, status, decoded, data)

    def _exchange(self, method: str, target: str, payload: bytes | None) -> tuple[int, bytes]:
        for attempt in (0, 1):
            conn, fresh = self._connection()
            try:
                conn.request(method, target, body=payload, headers=_HEADERS)
                response = conn.getresponse()
                data = response.read()
                if response.will_close:
                    self._drop(conn)
                return response.status, data
            except _STALE as exc:
                self._drop(conn)
                if fresh or attempt:
                    raise self._unreachable(exc) from None
            except (OSError, http.client.HTTPException) as exc:
                self._drop(conn)
                raise self._unreachable(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    # -- connections ------------------------------------------------------------------------

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        if os.getpid() != self._pid:  # forked: the sockets belong to the parent
            self._pid, self._local, self._all = os.getpid(), threading.local(), []
            self._all_lock = threading.Lock()
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn, False
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = kind(self._host, self._port, timeout=self.timeout)
        self._local.conn = conn
        with self._all_lock:
            ended = [(t, c) for t, c in self._all if not t.is_alive()]
            self._all = [(t, c) for t, c in self._all if t.is_alive()]
            self._all.append((threading.current_thread(), conn))
        for _, stale in ended:  # connections of threads that have finished
            stale.close()
        return conn, True

    def _drop(self, conn: http.client.HTTPConnection) -> None:
        conn.close()
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None
        with self._all_lock:
            self._all = [(t, c) for t, c in self._all if c is not conn]

    def close(self) -> None:
        """Close every thread's connection (a later request opens a new one)."""
        with self._all_lock:
            conns, self._all = self._all, []
        for _, conn in conns:
            conn.close()
        self._local = threading.local()

    # -- errors -----------------------------------------------------------------------------

    def _unreachable(self, exc: BaseException) -> StoreUnavailableError:
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, TimeoutError):
            reason = f"no answer within {self.timeout:g} s"
        return StoreUnavailableError(
            f"cannot reach the Slipstream server at {self.base_url} ({reason}). Is "
            "`slipstream server` running there? Check SLIPSTREAM_TRACKING_URI.")

    def _error(self, method: str, path: str, status: int, decoded: Any,
               raw: bytes) -> Exception:
        from slipstream.metadata.tracking import AlreadyExistsError

        code = decoded.get("error_code") if isinstance(decoded, dict) else None
        message = decoded.get("message") if isinstance(decoded, dict) else None
        if code is None or message is None or code == "ENDPOINT_NOT_FOUND":
            text = raw[:200].decode(errors="replace")
            return StoreUnavailableError(
                f"{self.base_url} answered {method} {path} with HTTP {status} ({text!r}): it "
                "does not look like a Slipstream server with the /api/v1 API.")
        if code == "RESOURCE_DOES_NOT_EXIST":
            return NotFoundError(message)
        if code == "RESOURCE_ALREADY_EXISTS":
            return AlreadyExistsError(message)
        if status >= 500:
            return InternalError(f"The Slipstream server at {self.base_url} failed on {method} "
                                 f"{path}: {message}")
        return InvalidInputError(message)


def _decode(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None


def quote(segment: str) -> str:
    """A value as one URL path segment."""
    return urllib.parse.quote(segment, safe="")


def safe_segment(kind: str, value: object) -> str:
    """An id as one URL path segment; NotFoundError (no request) for one no entity can have."""
    text = str(value)
    if not text or "/" in text or text in (".", ".."):
        raise NotFoundError(f"{kind} with id={text!r} not found")
    return quote(text)
