"""How the server serves the console (no browser): the bundle's files with their cache headers,
index.html for client routes, the API's own 404s and 405s untouched, and a page that says how
to build the bundle when there is none. `slipstream ui` prints its address and serves it."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")


class _Answer:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status_code = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.text = body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.text)


class _Client:
    """Raw HTTP against the live server (paths sent exactly as written)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def request(self, method: str, path: str) -> _Answer:
        import http.client

        host = self.url.removeprefix("http://")
        conn = http.client.HTTPConnection(host, timeout=10)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            return _Answer(response.status, response.headers, response.read())
        finally:
            conn.close()

    def get(self, path: str) -> _Answer:
        return self.request("GET", path)

    def head(self, path: str) -> _Answer:
        return self.request("HEAD", path)

    def post(self, path: str) -> _Answer:
        return self.request("POST", path)


@contextlib.contextmanager
def _client(tmp_path: Path, bundle: Path | None) -> Iterator[_Client]:
    from slipstream._core.settings import Settings
    from slipstream.server.app import create_app
    from slipstream.server.console import ConsoleFallback
    from tests.live_server import serve

    settings = Settings(home=tmp_path, store_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        artifact_uri=str(tmp_path / "artifacts"))
    app = create_app(settings)
    fallback = app.router.default
    assert isinstance(fallback, ConsoleFallback)
    fallback.folder = bundle if bundle is not None else tmp_path / "no-bundle"
    with serve(app) as url:
        yield _Client(url)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "ui_dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><div id=root></div>")
    (folder / "assets" / "index-abc123.js").write_text("console.log(1)")
    (folder / "robots.txt").write_text("User-agent: *")
    (tmp_path / "secret.txt").write_text("not for you")
    return folder


def test_pages_and_files_with_their_cache_headers(tmp_path: Path, bundle: Path) -> None:
    with _client(tmp_path, bundle) as client:
        for path in ("/", "/executions", "/executions/84f645a9", "/runs/abc"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert "id=root" in page.text
            assert page.headers["cache-control"] == "no-cache"
        asset = client.get("/assets/index-abc123.js")
        assert asset.text == "console.log(1)"
        assert "javascript" in asset.headers["content-type"]
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert client.get("/robots.txt").headers["cache-control"] == "public, max-age=3600"
        assert client.head("/").status_code == 200


def test_the_api_keeps_its_own_errors(tmp_path: Path, bundle: Path) -> None:
    with _client(tmp_path, bundle) as client:
        for path in ("/api/v1/nothing", "/api/2.0/mlflow/nothing", "/assets/gone.js",
                     "/favicon.ico", "/assets/../../secret.txt", "/%2e%2e/secret.txt"):
            missing = client.get(path)
            assert missing.status_code == 404, path
            assert missing.json()["error_code"] == "ENDPOINT_NOT_FOUND", path
        assert client.post("/executions").status_code == 404  # not the console's 405
        assert client.get("/api/v1/experiments").status_code == 200


def test_without_a_bundle_pages_say_how_to_build_it(tmp_path: Path) -> None:
    with _client(tmp_path, None) as client:
        page = client.get("/executions")
        assert page.status_code == 503
        assert "bash scripts/build_ui.sh" in page.text
        assert client.get("/api/v1/experiments").status_code == 200


def test_slipstream_ui_prints_its_address_and_serves_the_console(tmp_path: Path) -> None:
    from slipstream.server.console import BUNDLE

    slipstream = Path(sys.executable).with_name("slipstream")
    proc = subprocess.Popen([str(slipstream), "--home", str(tmp_path), "ui"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.search(r"Slipstream console on (http://127\.0\.0\.1:\d+)", line)
        assert found, line
        with urllib.request.urlopen(found.group(1) + "/api/v1/experiments", timeout=30) as r:
            assert r.status == 200
        if (BUNDLE / "index.html").is_file():
            with urllib.request.urlopen(found.group(1) + "/executions", timeout=10) as r:
                assert b"<div id=\"root\">" in r.read()
        assert str(tmp_path) in line  # the embedded defaults under --home
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err


def test_slipstream_ui_names_a_taken_port(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run([str(Path(sys.executable).with_name("slipstream")), "--home",
                               str(tmp_path), "ui", "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
