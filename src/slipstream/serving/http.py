"""The inference server's HTTP/1.1 layer: an asyncio protocol on httptools' parser that hands
each request to a handler directly (no ASGI messages) and writes each response with one
`transport.write` (status line, headers and body together).

    handler(Request) -> Response | Later

A handler answers at once, or returns a `Later` that the micro-batcher resolves. Connections
are kept alive (HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "keep-alive") and may
pipeline: answers go out in request order. Bodies come by Content-Length or chunked; one larger
than `max_body_bytes` is a 413 and the connection closes; a request httptools cannot parse is a
400 and the connection closes. `HttpServer.shutdown()` stops accepting, lets requests in flight
finish (up to a grace period) and closes idle connections.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import http
import logging
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import httptools

log = logging.getLogger("slipstream.serving")

JSON = b"application/json"
TEXT = b"text/plain; charset=utf-8"
_STATUS = {s.value: f"HTTP/1.1 {s.value} {s.phrase}\r\n".encode() for s in http.HTTPStatus}
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_MAX_PIPELINE = 64  # answers owed on one connection beyond which it stops reading
IDLE_TIMEOUT_S = 30.0


class Request:
    """One parsed request: method and path as str, header names lower-case bytes."""

    __slots__ = ("body", "headers", "method", "path", "query")

    def __init__(self, method: str, path: str, query: bytes, headers: dict[bytes, bytes],
                 body: bytes) -> None:
        self.method, self.path, self.query, self.headers, self.body = (
            method, path, query, headers, body)


class Response:
    """A status, a body, its content type and any further headers (name, value) in bytes."""

    __slots__ = ("body", "content_type", "headers", "status")

    def __init__(self, status: int, body: bytes, content_type: bytes = JSON,
                 headers: list[tuple[bytes, bytes]] | tuple[()] = ()) -> None:
        self.status, self.body, self.content_type, self.headers = (
            status, body, content_type, headers)


class Later:
    """An answer to come: a handler returns one and calls `resolve(response)` when it has it
    (the micro-batcher's callback does); the connection writes it then, in the same loop turn."""

    __slots__ = ("_response", "_then")

    def __init__(self) -> None:
        self._response: Response | None = None
        self._then: Callable[[Response], None] | None = None

    def resolve(self, response: Response) -> None:
        if self._then is not None:
            self._then(response)
        else:
            self._response = response

    def then(self, callback: Callable[[Response], None]) -> None:
        if self._response is not None:
            callback(self._response)
        else:
            self._then = callback


Handler = Callable[[Request], "Response | Later"]


def encode(response: Response, keep_alive: bool, head_only: bool = False) -> bytes:
    """The response's bytes on the wire: status line, headers, blank line, body."""
    status = _STATUS.get(response.status) or f"HTTP/1.1 {response.status} \r\n".encode()
    parts = [status, b"content-type: ", response.content_type, b"\r\ncontent-length: ",
             str(len(response.body)).encode(), b"\r\n"]
    for name, value in response.headers:
        parts += (name, b": ", value, b"\r\n")
    if not keep_alive:
        parts.append(b"connection: close\r\n")
    parts.append(b"\r\n")
    if not head_only:
        parts.append(response.body)
    return b"".join(parts)


def _error(status: int, message: str) -> Response:
    return Response(status, ('{{"error": "{}"}}'.format(message.replace('"', "'"))).encode())


class _Slot:
    """An answer owed on a connection, in request order."""

    __slots__ = ("close", "data")

    def __init__(self) -> None:
        self.data: bytes | None = None
        self.close = False


class HttpProtocol(asyncio.Protocol):
    """One client connection."""

    def __init__(self, server: HttpServer) -> None:
        self._server = server
        self._handler = server.handler
        self._max_body = server.max_body_bytes
        self._parser = httptools.HttpRequestParser(self)
        self._transport: Any = None
        self._owed: collections.deque[_Slot] = collections.deque()
        self._url = b""
        self._headers: dict[bytes, bytes] = {}
        self._body: list[bytes] = []
        self._size = 0
        self._closing = False  # no more requests are read; close once the owed are written
        self._paused = False
        self.last_active = time.monotonic()

    # ------------------------------------------------------------------ asyncio callbacks

    def connection_made(self, transport: Any) -> None:
        self._transport = transport
        self._server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._server.connections.discard(self)
        self._closing = True
        self._transport = None

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        self.last_active = time.monotonic()
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:  # an upgrade is not taken: answer, then close
            self._closing = True
            if not self._owed:
                self._close()
        except httptools.HttpParserError as exc:
            if not self._closing:
                self._reject(400, f"malformed HTTP request: {exc}")

    def pause_writing(self) -> None:
        self._pause()

    def resume_writing(self) -> None:
        self._resume()

    # ---------------------------------------------------------------- parser callbacks

    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = {}
        self._body = []
        self._size = 0

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        seen = self._headers.get(name)
        self._headers[name] = value if seen is None else seen + b", " + value

    def on_headers_complete(self) -> None:
        length = self._headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self._max_body:
            self._reject(413, f"the body is larger than {self._max_body} bytes")
            raise httptools.HttpParserError("body too large")
        if self._headers.get(b"expect", b"").lower() == b"100-continue":
            self._transport.write(_CONTINUE)

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > self._max_body:
            self._reject(413, f"the body is larger than {self._max_body} bytes")
            raise httptools.HttpParserError("body too large")
        self._body.append(body)

    def on_message_complete(self) -> None:
        parser = self._parser
        method = parser.get_method().decode("ascii")
        raw, _, query = self._url.partition(b"?")
        path = raw.decode("latin-1")
        if "%" in path:
            path = unquote(path)
        body = self._body[0] if len(self._body) == 1 else b"".join(self._body)
        keep_alive = parser.should_keep_alive() and not self._server.stopping
        head = method == "HEAD"
        request = Request("GET" if head else method, path, query, self._headers, body)
        try:
            answer = self._handler(request)
        except Exception:
            log.exception("the handler failed on %s %s", method, path)
            answer = _error(500, "internal server error")
        if isinstance(answer, Response):
            data = encode(answer, keep_alive, head)
            if not self._owed:  # the common case: nothing owed before it, write it now
                self._transport.write(data)
                if not keep_alive:
                    self._closing = True
                    self._close()
                return
            slot = _Slot()
            slot.data, slot.close = data, not keep_alive
            self._owed.append(slot)
            self._flush()
        else:
            slot = _Slot()
            slot.close = not keep_alive
            self._owed.append(slot)
            self._server.in_flight += 1
            answer.then(lambda response: self._finished(response, slot, head))
            if len(self._owed) >= _MAX_PIPELINE:
                self._pause()
        if not keep_alive:
            self._closing = True

    # --------------------------------------------------------------------------- answers

    def _finished(self, response: Response, slot: _Slot, head: bool) -> None:
        self._server.in_flight -= 1
        slot.data = encode(response, not slot.close, head)
        self._flush()
        self._server.idle.set()

    def _flush(self) -> None:
        owed = self._owed
        transport = self._transport
        while owed and owed[0].data is not None:
            slot = owed.popleft()
            if transport is None:
                continue  # the client went away: its answers are dropped
            transport.write(slot.data)
            if slot.close:
                self._closing = True
                owed.clear()
                self._close()
                return
        if self._paused and len(owed) < _MAX_PIPELINE // 2:
            self._resume()
        if self._closing and not owed:
            self._close()

    def _reject(self, status: int, message: str) -> None:
        """Answer `status` after what is owed, then close (the stream cannot be trusted)."""
        slot = _Slot()
        slot.data, slot.close = encode(_error(status, message), False), True
        self._owed.append(slot)
        self._closing = True
        self._flush()

    def _pause(self) -> None:
        if not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()

    def _resume(self) -> None:
        if self._paused and self._transport is not None:
            self._paused = False
            self._transport.resume_reading()

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    @property
    def busy(self) -> bool:
        """Whether an answer is still owed."""
        return bool(self._owed)

    def close(self, abort: bool = False) -> None:
        """Close the connection (`abort`: without flushing what is buffered)."""
        self._closing = True
        if self._transport is not None:
            if abort:
                self._transport.abort()
            else:
                self._transport.close()

    def close_if_idle(self, older_than: float | None = None) -> None:
        """Close the connection when nothing is owed (and, given `older_than`, it has been
        quiet since that monotonic time)."""
        if not self._owed and (older_than is None or self.last_active < older_than):
            self._closing = True
            self._close()


class HttpServer:
    """Serves `handler` on listening sockets until `shutdown()`."""

    def __init__(self, handler: Handler, *, max_body_bytes: int,
                 idle_timeout: float = IDLE_TIMEOUT_S) -> None:
        self.handler = handler
        self.max_body_bytes = max_body_bytes
        self.idle_timeout = idle_timeout
        self.connections: set[HttpProtocol] = set()
        self.in_flight = 0
        self.stopping = False
        self.idle = asyncio.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sock: socket.socket, started: Callable[[], Any] | None = None,
                    grace: float = 10.0) -> None:
        """Accept on `sock` until shutdown, then finish what is in flight (at most `grace`
        seconds) and close every connection."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await self._loop.create_server(lambda: HttpProtocol(self), sock=sock,
                                                backlog=2048)
        sweeper = self._loop.create_task(self._sweep())
        if started is not None:
            started()
        try:
            await self._stop.wait()
        finally:
            self.stopping = True
            server.close()
            sweeper.cancel()
            deadline = time.monotonic() + grace
            while any(c.busy for c in self.connections) and time.monotonic() < deadline:
                for conn in list(self.connections):
                    conn.close_if_idle()
                self.idle.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.idle.wait(), 0.1)
            for conn in list(self.connections):
                conn.close(abort=conn.busy)  # past the grace period: drop what is still owed
            await asyncio.sleep(0)

    def shutdown(self) -> None:
        """Stop serving (from the loop's thread)."""
        if self._stop is not None:
            self._stop.set()

    def shutdown_threadsafe(self) -> None:
        """Stop serving, from any thread."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.shutdown)

    async def _sweep(self) -> None:
        """Close connections idle for longer than `idle_timeout`."""
        while True:
            await asyncio.sleep(min(5.0, self.idle_timeout))
            limit = time.monotonic() - self.idle_timeout
            for conn in list(self.connections):
                conn.close_if_idle(older_than=limit)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """The server's event loop: asyncio's own. (uvloop's costs less per request, but it reads
    one waiting connection per loop turn while a callback is ready, so the requests that
    arrive during a predict call do not meet in the next batch, nor fill the queue that sheds
    load.)"""
    return asyncio.new_event_loop()
