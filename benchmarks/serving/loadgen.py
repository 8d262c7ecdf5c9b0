"""A loopback HTTP/1.1 load generator for the serving benchmark (stdlib only, raw sockets).

    python loadgen.py latency --url http://127.0.0.1:P --requests FILE [--n 2000] [--max-s 8]
    python loadgen.py rate    --url http://127.0.0.1:P --requests FILE [--connections 32]
                              [--procs 2] [--seconds 4] [--warmup-s 1]
    python loadgen.py ceiling [--connections 32] [--procs 2] [--seconds 4]

`latency`: one keep-alive connection, closed loop: warm-up requests untimed, then up to --n
timed requests or --max-s seconds, whichever comes first; p50/p99 of each request's time from
the first byte sent to the last byte received. `rate`: --connections keep-alive connections
spread over --procs client processes, each connection closed-loop (send, read the whole
response, send the next) until the window ends; only responses completed inside the window
(after --warmup-s) count, non-2xx answers (503s shed under overload) are counted apart.
`ceiling`: `rate` against a trivial in-memory HTTP server (a fixed 2-byte answer) started here:
the client's own limit on this machine, and its CPU per request.

The requests file is JSON: {"path": "/invocations", "bodies": [str, ...]}; requests cycle over
the bodies. Only 127.0.0.1 is accepted; every mode is bounded in requests and in time and stops
by itself. One JSON line `{"tool": "loadgen", ...}` on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import selectors
import socket
import sys
import time
from typing import Any, cast
from urllib.parse import urlsplit

HARD_CAP_S = 60.0  # no mode runs longer than this, whatever the arguments


def build_requests(port: int, path: str, bodies: list[str]) -> list[bytes]:
    """The raw bytes of one POST per body (JSON, keep-alive)."""
    out = []
    for body in bodies:
        data = body.encode()
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n")
        out.append(head.encode() + data)
    return out


def parse_response(buf: bytes | bytearray) -> tuple[int, int, bytes, bool] | None:
    """(bytes consumed, status, body, server closes) of the first whole response in `buf`, or
    None while it is incomplete. Handles Content-Length and chunked bodies."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buf[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    closes = headers.get("connection") == "close"
    start = end + 4
    if "chunked" in headers.get("transfer-encoding", ""):
        body = bytearray()
        pos = start
        while True:
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                return None
            size = int(bytes(buf[pos:eol]).split(b";")[0], 16)
            if len(buf) < eol + 2 + size + 2:
                return None
            if size == 0:
                return eol + 4, status, bytes(body), closes
            body += buf[eol + 2:eol + 2 + size]
            pos = eol + 2 + size + 2
    length = int(headers.get("content-length", "0"))
    if len(buf) < start + length:
        return None
    return start + length, status, bytes(buf[start:start + length]), closes


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))]


# ------------------------------------------------------------------------------- latency


def one_request(sock: socket.socket, request: bytes) -> tuple[int, bytes, bool]:
    """Send `request` on a blocking socket and read its whole response."""
    sock.sendall(request)
    buf = bytearray()
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        buf += chunk
        got = parse_response(buf)
        if got is not None:
            return got[1], got[2], got[3]


def latency(port: int, requests: list[bytes], n: int, max_s: float, warmup: int) -> dict[str, Any]:
    """Closed loop on one keep-alive connection: `warmup` untimed, then up to `n` timed."""
    sock = connect(port)
    statuses: dict[int, int] = {}
    times: list[float] = []
    reconnects = 0
    began = time.perf_counter()
    deadline = began + min(max_s, HARD_CAP_S)
    body = b""
    for i in range(warmup + n):
        if i >= warmup and time.perf_counter() > deadline:
            break
        t0 = time.perf_counter()
        status, body, closes = one_request(sock, requests[i % len(requests)])
        elapsed = time.perf_counter() - t0
        if closes:
            sock.close()
            sock = connect(port)
            reconnects += 1
        if i >= warmup:
            times.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1
    sock.close()
    total = sum(times)
    return {"requests": len(times), "timed_s": round(total, 4),
            "p50_ms": _ms(percentile(times, 50)), "p99_ms": _ms(percentile(times, 99)),
            "mean_ms": _ms(total / len(times) if times else None),
            "per_s": round(len(times) / total, 1) if total else None,
            "statuses": statuses, "reconnects": reconnects,
            "last_body": body[:300].decode("utf-8", "replace")}


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 4)


# ------------------------------------------------------------------------------- rate


def _rate_worker(port: int, requests: list[bytes], conns: int, t_start: float, warmup_s: float,
                 seconds: float, offset: int, out: Any) -> None:
    """One client process: `conns` non-blocking keep-alive connections, each closed-loop."""
    window = (t_start + warmup_s, t_start + warmup_s + seconds)
    sel = selectors.DefaultSelector()
    state: dict[socket.socket, list[Any]] = {}  # sock -> [buffer, sent_at, next request index]
    counts = {"ok": 0, "other": 0, "all": 0, "reconnects": 0, "errors": 0}
    statuses: dict[int, int] = {}
    latencies: list[float] = []

    def send(sock: socket.socket, index: int) -> None:
        state[sock][1] = time.monotonic()
        state[sock][2] = index + 1
        sock.sendall(requests[index % len(requests)])  # small requests: one send in practice

    def open_conn(index: int) -> None:
        try:
            sock = connect(port)
        except OSError:  # the server is gone: this connection stays closed
            counts["errors"] += 1
            return
        sock.setblocking(False)
        state[sock] = [bytearray(), 0.0, index]
        sel.register(sock, selectors.EVENT_READ)
        send(sock, index)

    while time.monotonic() < t_start:
        time.sleep(0.001)
    for k in range(conns):
        open_conn(offset + k * 7)
    while True:
        now = time.monotonic()
        if now >= window[1]:
            break
        for key, _ in sel.select(timeout=min(0.05, window[1] - now)):
            sock = cast(socket.socket, key.fileobj)
            st = state[sock]
            try:
                chunk = sock.recv(65536)
            except (ConnectionError, BlockingIOError):
                chunk = b""
            if not chunk:  # closed by the server: count it and reconnect
                sel.unregister(sock)
                sock.close()
                del state[sock]
                counts["errors"] += 1
                open_conn(st[2])
                continue
            st[0] += chunk
            got = parse_response(st[0])
            if got is None:
                continue
            done = time.monotonic()
            consumed, status, _, closes = got
            del st[0][:consumed]
            counts["all"] += 1
            if window[0] <= done < window[1]:
                if 200 <= status < 300:
                    counts["ok"] += 1
                    latencies.append(done - st[1])
                else:
                    counts["other"] += 1
                statuses[status] = statuses.get(status, 0) + 1
            if closes:
                sel.unregister(sock)
                sock.close()
                del state[sock]
                counts["reconnects"] += 1
                open_conn(st[2])
            else:
                send(sock, st[2])
    for sock in list(state):
        sock.close()
    out.put({"counts": counts, "statuses": statuses, "latencies": latencies,
             "cpu_s": time.process_time()})


def rate(port: int, requests: list[bytes], connections: int, procs: int, seconds: float,
         warmup_s: float) -> dict[str, Any]:
    """Requests/s over the window with `connections` connections in `procs` processes."""
    seconds = min(seconds, HARD_CAP_S / 2)
    warmup_s = min(warmup_s, HARD_CAP_S / 4)
    procs = max(1, min(procs, connections))
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    t_start = time.monotonic() + 0.3
    workers = []
    for p in range(procs):
        share = connections // procs + (1 if p < connections % procs else 0)
        workers.append(ctx.Process(target=_rate_worker, daemon=True,
                                   args=(port, requests, share, t_start, warmup_s, seconds,
                                         p * 1000, queue)))
    for w in workers:
        w.start()
    results = [queue.get(timeout=warmup_s + seconds + 30) for _ in workers]
    for w in workers:
        w.join(timeout=10)
    ok = sum(r["counts"]["ok"] for r in results)
    lat = [x for r in results for x in r["latencies"]]
    statuses: dict[str, int] = {}
    for r in results:
        for status, n in r["statuses"].items():
            statuses[str(status)] = statuses.get(str(status), 0) + n
    total_all = sum(r["counts"]["all"] for r in results)
    cpu = sum(r["cpu_s"] for r in results)
    return {"connections": connections, "procs": procs, "seconds": seconds, "warmup_s": warmup_s,
            "ok": ok, "per_s": round(ok / seconds, 1),
            "non_2xx": sum(r["counts"]["other"] for r in results), "statuses": statuses,
            "p50_ms": _ms(percentile(lat, 50)), "p99_ms": _ms(percentile(lat, 99)),
            "disconnects": sum(r["counts"]["errors"] for r in results),
            "answered_all": total_all,
            "client_cpu_us_per_request": round(cpu / total_all * 1e6, 1) if total_all else None}


# ------------------------------------------------------------------------------- ceiling


class _Trivial(asyncio.Protocol):
    """Answers every request with a fixed 200 and a 2-byte body, reading requests by length."""

    ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.buf = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end]).lower()
            at = head.find(b"content-length:")
            length = int(head[at + 15:].split(b"\r\n")[0]) if at >= 0 else 0
            if len(self.buf) < end + 4 + length:
                return
            del self.buf[:end + 4 + length]
            self.transport.write(self.ANSWER)


def _trivial_server(sock: socket.socket, lifetime_s: float) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_Trivial, sock=sock)
        async with server:
            await asyncio.sleep(lifetime_s)

    asyncio.run(main())


def ceiling(connections: int, procs: int, seconds: float, warmup_s: float) -> dict[str, Any]:
    """`rate` against the trivial server, run in its own process on a free loopback port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    ctx = multiprocessing.get_context("fork")
    server = ctx.Process(target=_trivial_server, args=(sock, warmup_s + seconds + 20), daemon=True)
    server.start()
    sock.close()
    try:
        body = json.dumps({"dataframe_split": {"columns": ["a"], "data": [[1.0]]}})
        return rate(port, build_requests(port, "/", [body]), connections, procs, seconds, warmup_s)
    finally:
        server.terminate()
        server.join(timeout=10)


# ------------------------------------------------------------------------------- cli


def loopback_port(url: str) -> int:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or not parts.port:
        raise SystemExit(f"--url must be http://127.0.0.1:PORT (loopback only), not {url!r}")
    return parts.port


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["latency", "rate", "ceiling"])
    parser.add_argument("--url", help="http://127.0.0.1:PORT")
    parser.add_argument("--requests", help="JSON file {path, bodies}")
    parser.add_argument("--label", default="", help="copied into the record")
    parser.add_argument("--n", type=int, default=2000, help="latency: timed requests at most")
    parser.add_argument("--warmup", type=int, default=200, help="latency: untimed requests")
    parser.add_argument("--max-s", type=float, default=8.0, help="latency: time bound")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--seconds", type=float, default=4.0, help="rate: measured window")
    parser.add_argument("--warmup-s", type=float, default=1.0, help="rate: window start delay")
    args = parser.parse_args(argv)
    record: dict[str, Any] = {"tool": "loadgen", "mode": args.mode, "label": args.label}
    if args.mode == "ceiling":
        record.update(ceiling(args.connections, args.procs, args.seconds, args.warmup_s))
    else:
        if not args.url or not args.requests:
            parser.error(f"{args.mode} needs --url and --requests")
        port = loopback_port(args.url)
        with open(args.requests) as fh:
            spec = json.load(fh)
        requests = build_requests(port, spec["path"], spec["bodies"])
        if args.mode == "latency":
            record.update(latency(port, requests, args.n, args.max_s, args.warmup))
        else:
            record.update(rate(port, requests, args.connections, args.procs, args.seconds,
                               args.warmup_s))
    record["cpus"] = os.cpu_count()
    print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
