"""Artifact routes over HTTP against hostile input, on MLflow's proxy and on the native API:
traversal ('..', absolute paths, backslashes, percent-encoded forms, symlinks out of the root)
is refused on upload and download with nothing written; uploads over the configured size limit
get a 413 naming the limit and publish nothing; files a browser would run come back as inert
attachments (text/plain, nosniff, a sandboxing CSP)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("fastapi")

LIMIT = 1000
PROXY = "/api/2.0/mlflow-artifacts/artifacts"


@dataclass(frozen=True)
class Server:
    url: str
    root: Path
    run_id: str

    @property
    def routes(self) -> dict[str, str]:
        return {"proxy": PROXY, "native": f"/api/v1/runs/{self.run_id}/artifacts"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from slipstream._core.settings import Settings
    from slipstream.metadata import open_tracking_store
    from slipstream.server.app import create_app
    from slipstream.tracking.client import TrackingClient
    from tests.live_server import serve

    folder = tmp_path_factory.mktemp("artifact-safety")
    settings = Settings(home=folder, store_url=f"sqlite:///{folder / 'store.db'}",
                        artifact_uri=str(folder / "artifacts"), max_upload_bytes=LIMIT)
    client = TrackingClient(open_tracking_store(settings.store_url, settings.artifact_uri))
    run_id = client.create_run(client.create_experiment("safety")).info.run_id
    client.close()
    with serve(create_app(settings)) as url:
        yield Server(url, folder / "artifacts", run_id)


def _raw(server: Server, method: str, path: str, body: object = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request with the path sent exactly as written (no client-side normalising)."""
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})  # type: ignore[arg-type]
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _files(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


TRAVERSALS = [
    "../../escaped.txt", "a/../../../escaped.txt", "%2e%2e/%2e%2e/escaped.txt",
    "%2E%2E%2Fescaped.txt", "a/%252e%252e/%252e%252e/escaped.txt", "/tmp/escaped.txt",
    "%2Ftmp%2Fescaped.txt", "..%5C..%5Cescaped.txt", "a\\..\\escaped.txt", "a/%00.txt",
    ".%2e/escaped.txt",
]


@pytest.mark.parametrize("route", ["proxy", "native"])
@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_is_refused_both_ways(server: Server, route: str, path: str) -> None:
    base = server.routes[route]
    before = _files(server.root.parent)
    status, _, body = _raw(server, "PUT", f"{base}/{path}", b"evil")
    assert status == 400, body
    assert json.loads(body)["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "Invalid artifact path" in json.loads(body)["message"]
    status, _, body = _raw(server, "GET", f"{base}/{path}")
    assert status == 400 and json.loads(body)["error_code"] == "INVALID_PARAMETER_VALUE", body
    if route == "proxy":  # the native API deletes no single files
        status, _, body = _raw(server, "DELETE", f"{base}/{path}")
        assert status == 400 and json.loads(body)["error_code"] == "INVALID_PARAMETER_VALUE"
    assert _files(server.root.parent) == before
    assert not Path("/tmp/escaped.txt").exists()


@pytest.mark.parametrize("route", ["proxy", "native"])
def test_listing_a_folder_outside_is_refused(server: Server, route: str) -> None:
    status, _, body = _raw(server, "GET", f"{server.routes[route]}?path=..%2F..")
    assert status == 400 and json.loads(body)["error_code"] == "INVALID_PARAMETER_VALUE", body


@pytest.mark.parametrize("route", ["proxy", "native"])
def test_a_symlink_out_of_the_root_is_refused(server: Server, route: str,
                                              tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    base = server.routes[route]
    inside = server.root if route == "proxy" else _run_folder(server)
    inside.mkdir(parents=True, exist_ok=True)
    link = inside / f"link-{route}"
    link.symlink_to(outside, target_is_directory=True)
    try:
        status, _, body = _raw(server, "PUT", f"{base}/{link.name}/new.txt", b"evil")
        assert status == 400 and json.loads(body)["error_code"] == "INVALID_PARAMETER_VALUE"
        status, _, body = _raw(server, "GET", f"{base}/{link.name}/secret.txt")
        assert status == 400 and body != b"secret"
        assert [p.name for p in outside.iterdir()] == ["secret.txt"]
    finally:
        link.unlink()


def _run_folder(server: Server) -> Path:
    from slipstream.artifacts.run_files import local_folder
    from slipstream.metadata import open_tracking_store

    store = open_tracking_store(f"sqlite:///{server.root.parent / 'store.db'}", str(server.root))
    try:
        folder = local_folder(store.get_run(server.run_id).info.artifact_uri)
    finally:
        store.close()
    assert folder is not None
    return folder


def _chunks(size: int) -> Iterator[bytes]:
    for _ in range(size // 100):
        yield b"x" * 100


@pytest.mark.parametrize("route", ["proxy", "native"])
@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_an_upload_over_the_limit_is_413_naming_it(server: Server, route: str,
                                                   streamed: bool) -> None:
    base = server.routes[route]
    name = f"big-{route}-{streamed}.bin"
    body = _chunks(LIMIT + 100) if streamed else b"x" * (LIMIT + 1)
    status, _, answer = _raw(server, "PUT", f"{base}/{name}", body)  # a generator goes chunked
    assert status == 413, answer
    message = json.loads(answer)["message"]
    assert f"upload limit of {LIMIT} bytes" in message and "SLIPSTREAM_MAX_UPLOAD_BYTES" in message
    assert not any(p.name.startswith((name, f".{name}")) for p in _files(server.root.parent))
    status, _, _ = _raw(server, "PUT", f"{base}/{name}", b"x" * LIMIT)  # at the limit: fine
    assert status in (200, 204)
    assert _raw(server, "GET", f"{base}/{name}")[2] == b"x" * LIMIT


ACTIVE = {"page.html": b"<html><script>alert(1)</script></html>",
          "image.svg": b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
          "code.js": b"alert(1)", "doc.xhtml": b"<html xmlns='http://www.w3.org/1999/xhtml'/>",
          "feed.xml": b"<a/>"}


@pytest.mark.parametrize("route", ["proxy", "native"])
@pytest.mark.parametrize("name", sorted(ACTIVE))
def test_active_content_downloads_inert(server: Server, route: str, name: str) -> None:
    base = server.routes[route]
    assert _raw(server, "PUT", f"{base}/pages/{name}", ACTIVE[name])[0] in (200, 204)
    status, headers, body = _raw(server, "GET", f"{base}/pages/{name}")
    assert status == 200 and body == ACTIVE[name]
    assert headers["content-type"].startswith("text/plain")
    assert headers["content-disposition"].startswith("attachment")
    assert headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in headers["content-security-policy"]
    assert "default-src 'none'" in headers["content-security-policy"]


def test_the_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from slipstream._core.errors import InvalidInputError
    from slipstream._core.settings import DEFAULT_MAX_UPLOAD_BYTES, Settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLIPSTREAM_HOME", str(tmp_path))
    assert Settings.load().max_upload_bytes == DEFAULT_MAX_UPLOAD_BYTES
    monkeypatch.setenv("SLIPSTREAM_MAX_UPLOAD_BYTES", "2048")
    assert Settings.load().max_upload_bytes == 2048
    monkeypatch.setenv("SLIPSTREAM_MAX_UPLOAD_BYTES", "lots")
    with pytest.raises(InvalidInputError, match=r"SLIPSTREAM_MAX_UPLOAD_BYTES.*'lots'"):
        Settings.load()
