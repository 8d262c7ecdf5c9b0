"""Run the inference server: serving.http's HTTP/1.1 server (asyncio's loop) on a socket
bound here, in this process for one worker, or in N spawned worker processes sharing one
listening socket (each loads its own models and batches its own requests; the kernel spreads
connections between them). Each answers as soon as it listens (ready once its models are
loaded); SIGTERM or SIGINT stops it after the requests in flight."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from slipstream._core.errors import InvalidInputError, UserError
from slipstream.serving.config import ServingConfig
from slipstream.serving.sink import PredictionSink
from slipstream.serving.targets import TargetSource

SourceFactory = Callable[[], TargetSource]
SinkFactory = Callable[[], PredictionSink | None]
log = logging.getLogger("slipstream.serving")


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port); a one-line error when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP (not 0): asyncio sets TCP_NODELAY only on sockets that say they are
    # TCP, and without it a response written in two parts waits ~40 ms for a delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InvalidInputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(source_factory: SourceFactory, *, name: str, host: str = "127.0.0.1",
          port: int = 8080, workers: int = 1, config: ServingConfig | None = None,
          sink_factory: SinkFactory | None = None,
          on_ready: Callable[[str], None] | None = None, log_level: str = "warning",
          known: Mapping[str, Any] | None = None) -> None:
    """Serve the targets `source_factory()` returns under `name` until interrupted.

    The socket is bound first and answers at once (live 200, ready 503) while the models load;
    a model that cannot load stops the server with an InvalidInputError. With workers > 1 each
    worker process calls the factories itself (so they must pickle: a module-level function or
    a functools.partial). `on_ready(url)` is called once every worker has loaded its models.
    `known` maps a model URI to its ResolvedModel when the caller resolved it already (used
    for the first load only, so it is not resolved twice)."""
    if workers < 1:
        raise InvalidInputError(f"workers must be at least 1, not {workers}")
    config = config or ServingConfig()
    sock = bind(host, port)
    if workers == 1:
        try:
            _serve_one(source_factory, sink_factory, name, config, sock, log_level, known,
                       lambda: on_ready and on_ready(_url(host, sock)), None, None)
        finally:
            sock.close()
        return
    _supervise(source_factory, sink_factory, name, config, sock, workers, log_level, known,
               on_ready)


def _url(host: str, sock: socket.socket) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{sock.getsockname()[1]}"


def _serve_one(source_factory: SourceFactory, sink_factory: SinkFactory | None, name: str,
               config: ServingConfig, sock: socket.socket, log_level: str,
               known: Mapping[str, Any] | None, loaded: Callable[[], Any],
               failed: Callable[[str], Any] | None, metrics_dir: str | None) -> None:
    """Serve on `sock` in this process until SIGTERM or SIGINT (in the main thread): the HTTP
    server starts at once and the models load in a thread; then `loaded()`. A load failure
    stops the server and raises InvalidInputError (or calls `failed(why)` when given). With
    `metrics_dir` the worker's metrics are shared with the other workers' through it."""
    from slipstream.serving.app import create_serving_app
    from slipstream.serving.http import HttpServer, new_event_loop

    _log_level(log_level)
    sink = sink_factory() if sink_factory is not None else None
    app = create_serving_app(source_factory(), name=name, config=config, sink=sink, load=False,
                             known=known)
    loop = new_event_loop()
    if metrics_dir is not None:
        _share_metrics(app, metrics_dir, loop)
    server = HttpServer(app.handle, max_body_bytes=config.max_body_bytes)
    failure: list[str] = []

    def load() -> None:
        try:
            app.load()
        except Exception as exc:
            failure.append(f"{type(exc).__name__}: {exc}" if not isinstance(exc, UserError)
                           else str(exc))
            server.shutdown_threadsafe()
            return
        app.start()
        loaded()

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, server.shutdown)
    loader = threading.Thread(target=load, daemon=True, name="slipstream-serve-load")
    try:
        loop.run_until_complete(server.serve(sock, loader.start))
    finally:
        app.stop()
        if app.shared is not None:
            app.shared.close()
        loop.close()
    if failure:
        why = f"could not load the model to serve: {failure[0]}"
        if failed is None:
            raise InvalidInputError(why)
        failed(why)


def _share_metrics(app: Any, folder: str, loop: asyncio.AbstractEventLoop) -> None:
    """Publish the app's metrics to `folder` from the loop every PUBLISH_INTERVAL_S, and answer
    /metrics with every worker's."""
    from slipstream.serving.shared import PUBLISH_INTERVAL_S, SharedMetrics

    shared = app.shared = SharedMetrics(folder, app.metrics)

    def tick() -> None:
        shared.publish()
        loop.call_later(PUBLISH_INTERVAL_S, tick)

    loop.call_soon(tick)


def _log_level(name: str) -> None:
    level = logging.getLevelName(name.upper())
    if isinstance(level, int):
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        log.setLevel(level)


def _worker(source_factory: SourceFactory, sink_factory: SinkFactory | None, name: str,
            config: ServingConfig, sock: socket.socket, log_level: str,
            known: Mapping[str, Any] | None, metrics_dir: str, ready: Any) -> None:
    """One worker process: serve on the shared socket, load the models, report readiness."""
    pid = os.getpid()
    try:
        _serve_one(source_factory, sink_factory, name, config, sock, log_level, known,
                   lambda: ready.put(("ready", pid, "")),
                   lambda why: ready.put(("failed", pid, why)), metrics_dir)
    except Exception as exc:
        ready.put(("failed", pid, f"{type(exc).__name__}: {exc}"))


def _supervise(source_factory: SourceFactory, sink_factory: SinkFactory | None, name: str,
               config: ServingConfig, sock: socket.socket, workers: int, log_level: str,
               known: Mapping[str, Any] | None, on_ready: Callable[[str], None] | None) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Queue()
    metrics_dir = tempfile.mkdtemp(prefix="slipstream-serve-metrics-")
    procs = [ctx.Process(target=_worker, args=(source_factory, sink_factory, name, config, sock,
                                                log_level, known, metrics_dir, ready),
                         name=f"slipstream-serve-worker-{i}", daemon=False)
             for i in range(workers)]
    stopping = threading.Event()

    def stop(signum: int, _frame: Any) -> None:
        stopping.set()

    main = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)} if main else {}
    try:
        for proc in procs:
            proc.start()
        waiting = workers
        while waiting and not stopping.is_set():
            try:
                state, pid, why = ready.get(timeout=0.2)
            except Exception:  # queue.Empty
                if not any(p.is_alive() for p in procs):
                    raise InvalidInputError("every worker exited before it was ready") from None
                continue
            if state == "failed":
                raise InvalidInputError(f"worker {pid} could not start: {why}")
            waiting -= 1
        if not stopping.is_set() and on_ready is not None:
            on_ready(_url(sock.getsockname()[0], sock))
        while not stopping.is_set() and any(p.is_alive() for p in procs):
            stopping.wait(0.5)
    finally:
        for proc in procs:
            if proc.is_alive() and proc.pid is not None:
                os.kill(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in procs:
            proc.join(timeout=max(0.1, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=2)
        for s, handler in previous.items():
            signal.signal(s, handler)
        sock.close()
        shutil.rmtree(metrics_dir, ignore_errors=True)
