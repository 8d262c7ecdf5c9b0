"""The inference server's routes and handlers, independent of the HTTP layer: `handle(request)`
answers at once, or (for inference, which waits for its micro-batch) with a `Later` that the
batcher's callback resolves.

Routes:
    GET  /v2/health/live, /v2/health/ready, /v2           Open Inference Protocol v2: health, server
    GET  /v2/models/{name}[/versions/{v}][/ready]          model metadata, readiness
    POST /v2/models/{name}[/versions/{v}]/infer            inference ({"inputs": [tensors]})
    GET  /v1/models/{name}, POST /v1/models/{name}:predict KServe v1 ({"instances": [...]})
    POST /invocations, GET /ping, /health, /version        MLflow's scoring server
    GET  /metrics                                          Prometheus text format (every worker's)

Every inference answer names the version that served it (X-Model-Version) and its route
(X-Slipstream-Target) and carries X-Request-ID. Bad input is a 400 (415, 413) naming the field;
a model error a 500 with the request id; a full queue a 503 with Retry-After. Until the models
have loaded, live is 200 and ready (and inference) 503.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
from collections.abc import Mapping
from typing import Any

from slipstream.serving.batching import ModelFailure, Overloaded
from slipstream.serving.config import ServingConfig
from slipstream.serving.http import JSON, TEXT, Later, Request, Response
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
from slipstream.serving.shared import SharedMetrics
from slipstream.serving.sink import PredictionSink
from slipstream.serving.targets import TargetSource

log = logging.getLogger("slipstream.serving")

_PROM = b"text/plain; version=0.0.4; charset=utf-8"
_V2, _V1, _MLFLOW = "v2", "v1", "mlflow"
_EMPTY: dict[bytes, bytes] = {}

Answer = Response | Later


class ServingApp:
    """The server's state and handlers; `create_serving_app` builds one."""

    def __init__(self, source: TargetSource, *, name: str, config: ServingConfig,
                 sink: PredictionSink | None, metrics: Metrics | None = None,
                 known: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.config = config
        self.metrics = metrics or Metrics()
        self.metrics.worker.set((("pid", str(os.getpid())),), 1)
        self.router: Router | None = None
        self.watcher = TargetWatcher(source, config, self.metrics, self._swap, known)
        self.reporter = (Reporter(sink, name, sample_rate=config.sample_rate,
                                  interval=config.report_interval) if sink is not None else None)
        self.shared: SharedMetrics | None = None  # set when other workers share the port
        self._started = False
        self._ids = itertools.count()
        self._id_prefix = os.urandom(6).hex()
        from slipstream import __version__

        self._server_meta = json.dumps({"name": "slipstream", "version": __version__,
                                        "extensions": []}).encode()
        self._version = __version__.encode()

    def _swap(self, router: Router) -> None:
        self.router = router

    # ------------------------------------------------------------------------- life cycle

    def load(self) -> None:
        """Resolve the targets and load their models (raises on a bad URI or model)."""
        self.watcher.refresh()

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

    @property
    def ready(self) -> bool:
        return self.router is not None

    # ---------------------------------------------------------------------------- routing

    def handle(self, request: Request) -> Answer:
        """The answer to `request` (see the module doc for the routes)."""
        path, method = request.path, request.method
        if path == "/invocations":
            if method != "POST":
                return _error(405, "/invocations takes POST")
            return self._infer(_MLFLOW, self.name, None, request)
        if path.startswith("/v2/models/"):
            parts = path[11:].split("/")
            name, version, tail = parts[0], None, parts[1:]
            if len(tail) >= 2 and tail[0] == "versions":
                version, tail = tail[1], tail[2:]
            action = tail[0] if len(tail) == 1 else "" if not tail else None
            if action == "infer":
                if method != "POST":
                    return _error(405, "infer takes POST")
                return self._infer(_V2, name, version, request)
            if action in ("", "ready") and method == "GET":
                return self._v2_model(name, version, action == "ready")
        elif path.startswith("/v1/models/"):
            rest = path[11:]
            if rest.endswith(":predict"):
                if method != "POST":
                    return _error(405, "predict takes POST")
                return self._infer(_V1, rest[:-8], None, request)
            if "/" not in rest and ":" not in rest and method == "GET":
                if rest != self.name:
                    return self._unknown(rest)
                return _json(200, {"name": self.name, "ready": self.ready})
        elif method == "GET":
            if path in ("/v2/health/live", "/v2/health/ready"):
                live = path.endswith("live")
                ok = live or self.ready
                return _json(200 if ok else 503, {"live" if live else "ready": ok})
            if path in ("/v2", "/v2/"):
                return Response(200, self._server_meta)
            if path in ("/ping", "/health"):
                return Response(200 if self.ready else 503, b"\n", TEXT)
            if path == "/version":
                return Response(200, self._version, TEXT)
            if path == "/metrics":
                text = self.shared.render() if self.shared else self.metrics.render()
                return Response(200, text.encode(), _PROM)
        return _error(404, f"no route {method} {path}")

    def _unknown(self, name: str) -> Response:
        if self.router is None and name == self.name:
            return _error(503, f"model {name!r} is still loading", [(b"retry-after", b"1")])
        return _error(404, f"model {name!r} is not served here; this server serves "
                           f"{self.name!r}")

    def _v2_model(self, name: str, version: str | None, readiness: bool) -> Response:
        router = self.router
        if name != self.name or router is None:
            return self._unknown(name)
        served = router.find(version) if version else router.served[0]
        if served is None:
            return _error(404, f"model {name!r} has no version {version!r} here")
        if readiness:
            return _json(200, {"name": name, "ready": True})
        versions = [s.version if s.resolved.number is None else str(s.resolved.number)
                    for s in router.served]
        outputs = getattr(getattr(served.model, "signature", None), "outputs", None)
        return _json(200, {"name": name, "versions": versions,
                           "platform": str(getattr(served.model, "flavor", "python")),
                           "inputs": describe(served.input_schema),
                           "outputs": describe(outputs, "predict")})

    # -------------------------------------------------------------------------- inference

    def _infer(self, protocol: str, name: str, version: str | None, request: Request) -> Answer:
        started = time.perf_counter()
        headers = request.headers
        given = headers.get(b"x-request-id")
        request_id = (given[:128].decode("latin-1") if given
                      else f"{self._id_prefix}{next(self._ids):010x}")
        router = self.router
        if name != self.name or router is None:
            return self._unknown(name)
        served = router.pick() if version is None else router.find(version)
        if served is None:
            return _error(404, f"model {name!r} has no version {version!r} here")
        extra = [(b"x-request-id", request_id.encode()), served.version_header,
                 served.label_header]
        parsed = inputs = None
        try:
            if protocol == _MLFLOW:
                content_type = headers.get(b"content-type", b"").decode("latin-1")
                inputs, _ = decode_mlflow(request.body, content_type, served.input_schema)
            else:
                parsed = parse_json(request.body)
                decode = decode_v2 if protocol == _V2 else decode_v1
                inputs, _ = decode(parsed, served.input_schema)
            later = Later()

            def done(piece: Any, failure: BaseException | None) -> None:
                later.resolve(self._answer(protocol, name, served, parsed, request_id, inputs,
                                           piece, failure, extra, started))

            served.batcher.submit(inputs, done)
            return later
        except InputError as exc:
            status = 415 if isinstance(exc, UnsupportedMediaType) else 400
            return self._done(protocol, served, request_id, inputs, None, status,
                              _error_body(protocol, status, str(exc), request_id), extra,
                              started)
        except Overloaded as exc:
            extra.append((b"retry-after", b"1"))
            return self._done(protocol, served, request_id, inputs, None, 503,
                              _error_body(protocol, 503, f"the server is overloaded ({exc}); "
                                          "retry after a second", request_id), extra, started)

    def _answer(self, protocol: str, name: str, served: Served, parsed: Any, request_id: str,
                inputs: Inputs | None, piece: Any, failure: BaseException | None,
                extra: list[tuple[bytes, bytes]], started: float) -> Response:
        if failure is not None:
            trace = failure.trace if isinstance(failure, ModelFailure) else ""
            log.error("request %s: the model %s failed: %s\n%s", request_id, served.version,
                      failure, trace)
            return self._done(protocol, served, request_id, inputs, None, 500,
                              _error_body(protocol, 500, f"the model failed: {failure}",
                                          request_id), extra, started)
        if protocol != _V2:
            body = json.dumps({"predictions": predictions(piece)}).encode()
        else:
            body = self._v2_answer(name, served, parsed, request_id, piece)
        return self._done(protocol, served, request_id, inputs, piece, 200, body, extra,
                          started)

    def _v2_answer(self, name: str, served: Served, parsed: Any, request_id: str,
                   piece: Any) -> bytes:
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

    def _done(self, protocol: str, served: Served, request_id: str, inputs: Inputs | None,
              piece: Any, status: int, body: bytes, extra: list[tuple[bytes, bytes]],
              started: float) -> Response:
        seconds = time.perf_counter() - started
        self.metrics.request(protocol, status, served.label, served.version, seconds)
        if self.reporter is not None:
            self._report(served, request_id, inputs, piece, seconds * 1000, status)
        return Response(status, body, JSON, extra)

    def _report(self, served: Served, request_id: str, inputs: Inputs | None, piece: Any,
                latency_ms: float, status: int) -> None:
        reporter = self.reporter
        assert reporter is not None
        reporter.observe(served.label, served.version, latency_ms, status)
        if reporter.sampled():
            given = None if inputs is None else {k: a.tolist() for k, a in inputs.arrays.items()}
            reporter.record(served.label, served.version, request_id, given,
                            None if piece is None else predictions(piece), latency_ms, status)


def create_serving_app(source: TargetSource, *, name: str, config: ServingConfig | None = None,
                       sink: PredictionSink | None = None, load: bool = True,
                       metrics: Metrics | None = None,
                       known: Mapping[str, Any] | None = None) -> ServingApp:
    """The server for `source`'s targets under the model name `name`. With `load` the targets'
    models are loaded before it returns (a bad URI or model raises here); otherwise call
    `load()`. After `start()` it re-reads the source every `config.poll_interval` seconds and
    swaps models without failing requests. `sink`, when given, receives per-version stats and
    sampled predictions from a thread. `known` maps model URIs already resolved to their
    ResolvedModel (the first load uses them instead of resolving again)."""
    app = ServingApp(source, name=name, config=config or ServingConfig(), sink=sink,
                     metrics=metrics, known=known)
    if load:
        app.load()
    return app


def _error_body(protocol: str, status: int, message: str, request_id: str) -> bytes:
    if protocol == _MLFLOW:
        code = {400: "BAD_REQUEST", 413: "BAD_REQUEST", 415: "BAD_REQUEST",
                503: "TEMPORARILY_UNAVAILABLE"}.get(status, "INTERNAL_ERROR")
        return json.dumps({"error_code": code, "message": message,
                           "request_id": request_id}).encode()
    return json.dumps({"error": message, "request_id": request_id}).encode()


def _json(status: int, value: Any) -> Response:
    return Response(status, json.dumps(value).encode())


def _error(status: int, message: str,
           headers: list[tuple[bytes, bytes]] | tuple[()] = ()) -> Response:
    return Response(status, json.dumps({"error": message}).encode(), JSON, headers)
