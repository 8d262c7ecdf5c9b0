"""The HTTP/1.1 layer (serving.http) over real sockets, with a small handler instead of a model:
keep-alive, pipelining in order (a slow answer first), chunked bodies, 100-continue, 413 for an
oversize body, 400 for a malformed request, HTTP/1.0, many concurrent clients, and a shutdown
that finishes the request in flight."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from slipstream.serving.http import HttpServer, Later, Request, Response, new_event_loop
from slipstream.serving.run import bind
from tests.serving.helpers import running

LIMIT = 1000


def handler(request: Request) -> Response | Later:
    """Echoes the request; /slow?ms=N answers after N ms through a Later (as batching does)."""
    echo = json.dumps({"method": request.method, "path": request.path,
                       "query": request.query.decode(), "body": request.body.decode(),
                       "type": request.headers.get(b"content-type", b"").decode()}).encode()
    if request.path == "/slow":
        later = Later()
        delay = int(request.query.decode().split("=")[1]) / 1000
        asyncio.get_running_loop().call_later(delay, later.resolve, Response(200, echo))
        return later
    if request.path == "/boom":
        raise RuntimeError("a handler bug")
    return Response(201 if request.method == "POST" else 200, echo,
                    headers=[(b"x-echo", b"yes")])


@pytest.fixture
def url() -> Iterator[str]:
    with running(handler, max_body_bytes=LIMIT) as served:
        yield served


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def read_response(sock: socket.socket, buf: bytearray) -> tuple[int, dict[str, str], bytes]:
    """One response off `sock` (leftover bytes stay in `buf`): status, headers, body."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a whole response: {bytes(buf)!r}")
        buf += chunk
    end = buf.index(b"\r\n\r\n")
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers["content-length"])
    while len(buf) < end + 4 + length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside a body")
        buf += chunk
    body = bytes(buf[end + 4:end + 4 + length])
    del buf[:end + 4 + length]
    return int(lines[0].split()[1]), headers, body


def closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def post(path: str, body: bytes, extra: str = "") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body


def test_keep_alive_serves_many_requests_on_one_connection(url: str) -> None:
    conn = http.client.HTTPConnection(*url.removeprefix("http://").split(":"), timeout=10)
    conn.connect()
    first = conn.sock
    for i in range(5):
        conn.request("POST", f"/echo/{i}?q=1", body=b'{"a": 1}',
                     headers={"Content-Type": "application/json"})
        reply = conn.getresponse()
        answer = json.loads(reply.read())
        assert reply.status == 201 and reply.getheader("x-echo") == "yes"
        assert answer == {"method": "POST", "path": f"/echo/{i}", "query": "q=1",
                          "body": '{"a": 1}', "type": "application/json"}
        assert reply.getheader("connection") is None  # still open
    assert conn.sock is first
    conn.close()


def test_pipelined_requests_are_answered_in_order(url: str) -> None:
    sock = connect(url)
    sock.sendall(b"GET /slow?ms=150 HTTP/1.1\r\nHost: x\r\n\r\n" + post("/fast", b"1")
                 + b"GET /slow?ms=10 HTTP/1.1\r\nHost: x\r\n\r\n" + post("/last", b"22"))
    buf = bytearray()
    got = [read_response(sock, buf) for _ in range(4)]
    assert [(s, json.loads(b)["path"], json.loads(b)["query"]) for s, _, b in got] == [
        (200, "/slow", "ms=150"), (201, "/fast", ""), (200, "/slow", "ms=10"), (201, "/last", "")]
    sock.close()


def test_chunked_body_and_100_continue(url: str) -> None:
    sock = connect(url)
    sock.sendall(b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                 b"Expect: 100-continue\r\n\r\n")
    assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
    sock.sendall(b"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n")
    status, _, body = read_response(sock, bytearray())
    assert status == 201 and json.loads(body)["body"] == "hello, world"
    sock.close()


@pytest.mark.parametrize("how", ["content-length", "chunked"])
def test_oversize_body_is_413_and_closes(url: str, how: str) -> None:
    sock = connect(url)
    big = b"x" * (LIMIT + 1)
    if how == "content-length":
        sock.sendall(post("/big", big))
    else:
        sock.sendall(b"POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     + b"".join(b"%x\r\n%s\r\n" % (100, big[:100]) for _ in range(11)))
    status, headers, body = read_response(sock, bytearray())
    assert status == 413 and headers["connection"] == "close"
    assert str(LIMIT) in json.loads(body)["error"]
    assert closed(sock)
    # a body of exactly the limit is fine
    fine = connect(url)
    fine.sendall(post("/ok", b"y" * LIMIT))
    assert read_response(fine, bytearray())[0] == 201
    fine.close()


@pytest.mark.parametrize("garbage", [b"NOT HTTP AT ALL\r\n\r\n",
                                     b"GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
                                     b"POST / HTTP/1.1\r\nContent-Length: zz\r\n\r\n"])
def test_malformed_request_is_400_and_closes(url: str, garbage: bytes) -> None:
    sock = connect(url)
    sock.sendall(garbage)
    status, headers, body = read_response(sock, bytearray())
    assert status == 400 and headers["connection"] == "close"
    assert "malformed" in json.loads(body)["error"]
    assert closed(sock)


def test_handler_error_is_500_and_the_connection_goes_on(url: str) -> None:
    sock = connect(url)
    buf = bytearray()
    sock.sendall(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_response(sock, buf)[0] == 500
    assert read_response(sock, buf)[0] == 200
    sock.close()


def test_http_1_0_closes_unless_keep_alive_and_head_has_no_body(url: str) -> None:
    sock = connect(url)
    sock.sendall(b"GET /old HTTP/1.0\r\n\r\n")
    status, headers, _ = read_response(sock, bytearray())
    assert status == 200 and headers["connection"] == "close" and closed(sock)
    sock = connect(url)
    buf = bytearray()
    sock.sendall(b"GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    assert read_response(sock, buf)[0] == 200
    sock.sendall(b"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
    head = bytearray()
    while head.count(b"\r\n\r\n") < 2:  # HEAD: headers with the length, no body
        head += sock.recv(65536)
    first = bytes(head).split(b"\r\n\r\n")[0]
    assert first.startswith(b"HTTP/1.1 200") and b"content-length: " in first
    assert bytes(head).split(b"\r\n\r\n", 1)[1].startswith(b"HTTP/1.1 200")
    sock.close()


def test_many_concurrent_clients(url: str) -> None:
    def client(k: int) -> list[str]:
        conn = http.client.HTTPConnection(*url.removeprefix("http://").split(":"), timeout=20)
        paths = []
        for i in range(25):
            path = "/slow" if i % 5 == 0 else f"/c{k}/{i}"
            conn.request("GET", path + ("?ms=2" if path == "/slow" else ""))
            paths.append(json.loads(conn.getresponse().read())["path"])
        conn.close()
        return paths

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(client, range(32)))
    for k, paths in enumerate(results):
        assert paths == ["/slow" if i % 5 == 0 else f"/c{k}/{i}" for i in range(25)]


def test_shutdown_finishes_the_request_in_flight_then_stops_accepting() -> None:
    sock = bind("127.0.0.1", 0)
    server = HttpServer(handler, max_body_bytes=LIMIT)
    started = threading.Event()
    loop = new_event_loop()
    thread = threading.Thread(target=lambda: loop.run_until_complete(
        server.serve(sock, started.set)), daemon=True)
    thread.start()
    assert started.wait(10)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    client = connect(url)
    idle = connect(url)
    client.sendall(b"GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n")
    threading.Timer(0.1, server.shutdown_threadsafe).start()
    status, _headers, body = read_response(client, bytearray())
    assert status == 200 and json.loads(body)["path"] == "/slow"
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert closed(idle)
    loop.close()
    sock.close()
    with pytest.raises(OSError):
        connect(url).sendall(b"GET / HTTP/1.1\r\n\r\n")
