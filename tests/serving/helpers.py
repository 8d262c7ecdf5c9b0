"""Serving test helpers: a server for an app on a free loopback port (serving.http's server on
its own event loop in a thread, the socket from serving.run.bind as in `slipstream serve`), a
keep-alive JSON client, models logged through `ss.models`, and the Prometheus text parsed."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from slipstream.models.flavors.python_function import PythonModel

COLUMNS = ["tenure", "charges", "calls"]


@contextlib.contextmanager
def running(app: Any, *, max_body_bytes: int | None = None) -> Iterator[str]:
    """Serve `app` (a ServingApp, or any handler with `max_body_bytes`) until the block ends;
    yields its URL."""
    from slipstream.serving.http import HttpServer, new_event_loop
    from slipstream.serving.run import bind

    handle = getattr(app, "handle", app)
    limit = max_body_bytes or app.config.max_body_bytes
    sock = bind("127.0.0.1", 0)
    server = HttpServer(handle, max_body_bytes=limit)
    started = threading.Event()

    def run() -> None:
        loop = new_event_loop()
        try:
            loop.run_until_complete(server.serve(sock, started.set))
        finally:
            loop.close()

    if hasattr(app, "start"):
        app.start()
    thread = threading.Thread(target=run, daemon=True, name="serving-test-server")
    thread.start()
    try:
        if not started.wait(15):
            raise RuntimeError("the test server did not start")
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.shutdown_threadsafe()
        thread.join(timeout=15)
        if hasattr(app, "stop"):
            app.stop()
        sock.close()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """One keep-alive connection (one per thread)."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        host, port = url.removeprefix("http://").split(":")
        self._conn = http.client.HTTPConnection(host, int(port), timeout=timeout)

    def request(self, method: str, path: str, body: Any = None, *,
                content_type: str = "application/json",
                headers: dict[str, str] | None = None) -> Reply:
        data = body if isinstance(body, bytes) or body is None else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        sent = {"Content-Type": content_type, **(headers or {})}
        self._conn.request(method, path, body=data, headers=sent)
        response = self._conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                     response.read())

    def post(self, path: str, body: Any, **kw: Any) -> Reply:
        return self.request("POST", path, body, **kw)

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def close(self) -> None:
        self._conn.close()


def frame(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(np.round(rng.normal(size=(n, len(COLUMNS))), 4), columns=COLUMNS)


def log_lr(registered: str | None = None, sign: float = 1.0) -> Any:
    """A LogisticRegression on a 3-column DataFrame, logged with its signature (from an input
    example) in a new run; returns the ModelInfo."""
    from sklearn.linear_model import LogisticRegression

    import slipstream as ss
    import slipstream.models

    x = frame()
    model = LogisticRegression().fit(x, (sign * (x["tenure"] + x["charges"]) > 0).astype(int))
    with ss.start_run():
        return slipstream.models.log_model(model, input_example=x.head(5),
                                           registered_model_name=registered)


def log_python(model: Any, example: Any, registered: str | None = None) -> Any:
    import slipstream as ss
    import slipstream.models

    with ss.start_run():
        return slipstream.models.log_model(model, input_example=example,
                                           registered_model_name=registered)


class Echo(PythonModel):
    """Returns tenure * 10 + `offset`; raises on a negative tenure; sleeps `delay` per call."""

    def __init__(self, offset: float = 0.0, delay: float = 0.0) -> None:
        self.offset = offset
        self.delay = delay

    def predict(self, context: Any, model_input: Any) -> Any:
        if self.delay:
            time.sleep(self.delay)
        tenure = np.asarray(model_input["tenure"], dtype=float)
        if (tenure < 0).any():
            raise ValueError("tenure must not be negative")
        return tenure * 10 + self.offset


_SAMPLE = re.compile(r'^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)$')


def metric_samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    """The samples of a Prometheus text page: (name, labels, value)."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out.append((m.group(1), labels, float(m.group(3))))
    return out


def metric_total(text: str, name: str, **labels: str) -> float:
    return sum(v for n, lab, v in metric_samples(text)
               if n == name and all(lab.get(k) == w for k, w in labels.items()))
