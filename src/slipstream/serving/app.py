"""The inference server as a plain ASGI app (no framework on the request path).

Routes:
    GET  /v2/health/live, /v2/health/ready, /v2           Open Inference Protocol v2: health, server
    GET  /v2/models/{name}[/versions/{v}][/ready]          model metadata, readiness
    POST /v2/models/{name}[/versions/{v}]/infer            inference ({"inputs": [tensors]})
    GET  /v1/models/{name}, POST /v1/models/{name}:predict KServe v1 ({"instances": [...]})
    POST /invocations, GET /ping, /health, /version        MLflow's scoring server
    GET  /metrics                                          Prometheus text format

Every inference answer names the version that served it (X-Model-Version) and its route
(X-Slipstream-Target) and carries X-Request-ID. Bad input is a 400 (415, 413) naming the field;
a model error a 500 with the request id; a full queue a 503 with Retry-After.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from slipstream.serving.batching import ModelFailure, Overloaded
from slipstream.serving.config import ServingConfig
from slipstream.serving.inputs import InputError, Inputs, describe
from slipstream.serving.metrics import Metrics
from slipstream.serving.outputs import predictions, v2_outputs
from slipstream.serving.protocols import (
    UnsupportedMediaType,
    decode_mlflow,
    decode_v1,
    decode_v2,
    parse_json,
)
from slipstream.serving.reporter import Reporter
from slipstream.serving.routing import Router, Served, TargetWatcher
from slipstream.serving.sink import PredictionSink
from slipstream.serving.targets import TargetSource

log = logging.getLogger("slipstream.serving")

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]
_JSON = (b"content-type", b"application/json")
_TEXT = (b"content-type", b"text/plain; charset=utf-8")
_PROM = (b"content-type", b"text/plain; version=0.0.4; charset=utf-8")
_V2, _V1, _MLFLOW = "v2", "v1", "mlflow"


class _TooLarge(InputError):
    pass


class ServingApp:
    """The ASGI app; `create_serving_app` builds one."""

    def __init__(self, source: TargetSource, *, name: str, config: ServingConfig,
                 sink: PredictionSink | None) -> None:
        self.name = name
        self.config = config
        self.metrics = Metrics()
        self.metrics.worker.set((("pid", str(os.getpid())),), 1)
        self.router: Router | None = None
        self.watcher = TargetWatcher(source, config, self.metrics, self._swap)
        self.watcher.refresh()  # the first models load here: a bad URI fails before serving
        self.reporter = (Reporter(sink, name, sample_rate=config.sample_rate,
                                  interval=config.report_interval) if sink is not None else None)
        self._started = False
        from slipstream import __version__

        self._server_meta = json.dumps({"name": "slipstream", "version": __version__,
                                        "extensions": []}).encode()
        self._version = __version__

    def _swap(self, router: Router) -> None:
        self.router = router

    # ------------------------------------------------------------------------- life cycle

    def start(self) -> None:
        """Start polling the target source and reporting to the sink (idempotent)."""
        if not self._started:
            self._started = True
            self.watcher.start()
            if self.reporter is not None:
                self.reporter.start()

    def stop(self) -> None:
        self.watcher.stop()
        if self.reporter is not None:
            self.reporter.stop()

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if not self._started:
                self.start()
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self.start()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.stop()
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    # ---------------------------------------------------------------------------- routing

    async def _http(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        if path.startswith("/v2/models/"):
            parts = path[11:].split("/")
            name, version, tail = parts[0], None, parts[1:]
            if len(tail) >= 2 and tail[0] == "versions":
                version, tail = tail[1], tail[2:]
            action = tail[0] if len(tail) == 1 else "" if not tail else None
            if action == "infer":
                if method != "POST":
                    return await _error(send, 405, "infer takes POST")
                return await self._infer(_V2, name, version, scope, receive, send)
            if action in ("", "ready") and method == "GET":
                return await self._v2_model(name, version, action == "ready", send)
        elif path.startswith("/v1/models/"):
            rest = path[11:]
            if rest.endswith(":predict"):
                if method != "POST":
                    return await _error(send, 405, "predict takes POST")
                return await self._infer(_V1, rest[:-8], None, scope, receive, send)
            if "/" not in rest and ":" not in rest and method == "GET":
                if rest != self.name:
                    return await self._unknown(rest, send)
                return await _json(send, 200, {"name": self.name, "ready": self.ready})
        elif path == "/invocations":
            if method != "POST":
                return await _error(send, 405, "/invocations takes POST")
            return await self._infer(_MLFLOW, self.name, None, scope, receive, send)
        elif method == "GET":
            if path in ("/v2/health/live", "/v2/health/ready"):
                ok = self.ready or path.endswith("live")
                return await _json(send, 200 if ok else 503, {"live" if path.endswith("live")
                                                              else "ready": ok})
            if path in ("/v2", "/v2/"):
                return await _raw(send, 200, self._server_meta, _JSON)
            if path in ("/ping", "/health"):
                return await _raw(send, 200 if self.ready else 503, b"\n", _TEXT)
            if path == "/version":
                return await _raw(send, 200, self._version.encode(), _TEXT)
            if path == "/metrics":
                return await _raw(send, 200, self.metrics.render().encode(), _PROM)
        await _error(send, 404, f"no route {method} {path}")

    @property
    def ready(self) -> bool:
        return self.router is not None

    async def _unknown(self, name: str, send: Send) -> None:
        await _error(send, 404, f"model {name!r} is not served here; this server serves "
                                f"{self.name!r}")

    async def _v2_model(self, name: str, version: str | None, readiness: bool,
                        send: Send) -> None:
        if name != self.name:
            return await self._unknown(name, send)
        router = self.router
        served = None if router is None else (router.find(version) if version
                                              else router.served[0])
        if served is None:
            return await _error(send, 404, f"model {name!r} has no version {version!r} here")
        if readiness:
            return await _json(send, 200, {"name": name, "ready": True})
        versions = [s.version if s.resolved.number is None else str(s.resolved.number)
                    for s in router.served] if router else []
        outputs = getattr(getattr(served.model, "signature", None), "outputs", None)
        await _json(send, 200, {"name": name, "versions": versions,
                                "platform": str(getattr(served.model, "flavor", "python")),
                                "inputs": describe(served.input_schema),
                                "outputs": describe(outputs, "predict")})

    # -------------------------------------------------------------------------- inference

    async def _infer(self, protocol: str, name: str, version: str | None,
                     scope: dict[str, Any], receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = content_type = ""
        for key, value in scope["headers"]:
            if key == b"content-type":
                content_type = value.decode("latin-1")
            elif key == b"x-request-id":
                request_id = value.decode("latin-1")[:128]
        request_id = request_id or uuid.uuid4().hex
        router = self.router
        if name != self.name or router is None:
            await _drain(receive)
            return await self._unknown(name, send)
        served = router.pick() if version is None else router.find(version)
        if served is None:
            await _drain(receive)
            return await _error(send, 404, f"model {name!r} has no version {version!r} here")
        status, inputs, piece, parsed = 200, None, None, None
        headers = [_JSON, (b"x-request-id", request_id.encode()),
                   (b"x-model-version", served.version.encode()),
                   (b"x-slipstream-target", served.label.encode())]
        try:
            body = await self._body(receive)
            if protocol == _MLFLOW:
                inputs, _ = decode_mlflow(body, content_type, served.input_schema)
            else:
                parsed = parse_json(body)
                decode = decode_v2 if protocol == _V2 else decode_v1
                inputs, _ = decode(parsed, served.input_schema)
            piece = await served.batcher.submit(inputs)
            payload = self._answer(protocol, name, served, parsed, request_id, piece)
        except InputError as exc:
            status = 413 if isinstance(exc, _TooLarge) else (
                415 if isinstance(exc, UnsupportedMediaType) else 400)
            payload = _error_body(protocol, status, str(exc), request_id)
        except Overloaded as exc:
            status = 503
            headers.append((b"retry-after", b"1"))
            payload = _error_body(protocol, status, f"the server is overloaded ({exc}); retry "
                                                    "after a second", request_id)
        except ModelFailure as exc:
            status = 500
            log.error("request %s: the model %s failed: %s\n%s", request_id, served.version,
                      exc, exc.trace)
            payload = _error_body(protocol, status, f"the model failed: {exc}", request_id)
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
        seconds = time.perf_counter() - started
        self.metrics.request(protocol, status, served.label, served.version, seconds)
        if self.reporter is not None:
            self._report(served, request_id, inputs, piece, seconds * 1000, status)

    def _answer(self, protocol: str, name: str, served: Served, parsed: Any,
                request_id: str, piece: Any) -> bytes:
        if protocol != _V2:
            return json.dumps({"predictions": predictions(piece)}).encode()
        outputs = v2_outputs(piece, served.output_names)
        wanted = parsed.get("outputs") if isinstance(parsed, dict) else None
        if isinstance(wanted, list) and wanted:
            names = {o.get("name") for o in wanted if isinstance(o, dict)}
            outputs = [o for o in outputs if o["name"] in names] or outputs
        number = served.resolved.number
        answer: dict[str, Any] = {"model_name": name,
                                  "model_version": str(number) if number is not None
                                  else served.version,
                                  "id": parsed.get("id") or request_id, "outputs": outputs}
        return json.dumps(answer).encode()

    def _report(self, served: Served, request_id: str, inputs: Inputs | None, piece: Any,
                latency_ms: float, status: int) -> None:
        reporter = self.reporter
        assert reporter is not None
        reporter.observe(served.label, served.version, latency_ms, status)
        if reporter.sampled():
            given = None if inputs is None else {k: a.tolist() for k, a in inputs.arrays.items()}
            reporter.record(served.label, served.version, request_id, given,
                            None if piece is None else predictions(piece), latency_ms, status)

    async def _body(self, receive: Receive) -> bytes:
        message = await receive()
        body: bytes = message.get("body", b"")
        chunks, size = [body], len(body)
        while message.get("more_body"):
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            if size > self.config.max_body_bytes:
                break
        if size > self.config.max_body_bytes:
            raise _TooLarge(f"the body is larger than {self.config.max_body_bytes} bytes")
        return body if len(chunks) == 1 else b"".join(chunks)


def create_serving_app(source: TargetSource, *, name: str, config: ServingConfig | None = None,
                       sink: PredictionSink | None = None) -> ServingApp:
    """An ASGI app serving `source`'s targets under the model name `name`. The targets' models
    are loaded before it returns (a bad URI or model raises here); after start-up it re-reads
    the source every `config.poll_interval` seconds and swaps models without failing requests.
    `sink`, when given, receives per-version stats and sampled predictions from a thread."""
    return ServingApp(source, name=name, config=config or ServingConfig(), sink=sink)


def _error_body(protocol: str, status: int, message: str, request_id: str) -> bytes:
    if protocol == _MLFLOW:
        code = {400: "BAD_REQUEST", 413: "BAD_REQUEST", 415: "BAD_REQUEST",
                503: "TEMPORARILY_UNAVAILABLE"}.get(status, "INTERNAL_ERROR")
        return json.dumps({"error_code": code, "message": message,
                           "request_id": request_id}).encode()
    return json.dumps({"error": message, "request_id": request_id}).encode()


async def _drain(receive: Receive) -> None:
    message = await receive()
    while message.get("more_body"):
        message = await receive()


async def _json(send: Send, status: int, value: Any) -> None:
    await _raw(send, status, json.dumps(value).encode(), _JSON)


async def _error(send: Send, status: int, message: str) -> None:
    await _json(send, status, {"error": message})


async def _raw(send: Send, status: int, body: bytes, content_type: tuple[bytes, bytes]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [content_type, (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
