"""`HttpRepository`: `mlflow-artifacts:/<path>` files through a tracking server's artifact proxy
(`/api/2.0/mlflow-artifacts/artifacts`), with the standard library's `http.client`.

Uploads stream the local file as the PUT body; downloads stream the response into a temp file.
An error answer in MLflow's shape (`{"error_code", "message"}`) becomes NotFoundError (404
RESOURCE_DOES_NOT_EXIST), InvalidInputError (other 4xx) or StoreUnavailableError (5xx, or no
answer at all).
"""

from __future__ import annotations

import http.client
import json
import mimetypes
import os
from contextlib import AbstractContextManager
from typing import BinaryIO, cast
from urllib.parse import quote, urlencode, urlsplit

from slipstream._core.errors import InvalidInputError, NotFoundError, StoreUnavailableError
from slipstream.artifacts.run_files import (
    ArtifactRepository,
    FileInfo,
    check_path,
    join_path,
    staged_writer,
)

PROXY_PATH = "/api/2.0/mlflow-artifacts/artifacts"
_TIMEOUT = 120.0
_BLOCK = 1024 * 1024


class HttpRepository(ArtifactRepository):
    """Files under `mlflow-artifacts:/<root>` on the server at `server_url`."""

    def __init__(self, uri: str, server_url: str) -> None:
        server = urlsplit(server_url)
        if server.scheme not in ("http", "https") or not server.netloc:
            raise InvalidInputError(
                f"Artifact URI {uri!r} needs an http(s):// tracking server URL, got "
                f"{server_url!r}")
        parsed = urlsplit(uri)
        self.uri = uri.rstrip("/")
        self._root = check_path(parsed.path.lstrip("/"), allow_root=True)
        self._https = server.scheme == "https"
        self._netloc = parsed.netloc or server.netloc
        self._base = f"{server.path.rstrip('/')}{PROXY_PATH}"
        self._server = f"{server.scheme}://{self._netloc}"

    def _target(self, path: str, *, allow_root: bool = True) -> tuple[str, str]:
        """(checked path in this repository, its path from the server's artifact root)."""
        relative = check_path(path, allow_root=allow_root)
        return relative, join_path(self._root, relative)

    def _connection(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        return kind(self._netloc, timeout=_TIMEOUT, blocksize=_BLOCK)

    def _request(self, method: str, url: str, body: BinaryIO | bytes | None = None,
                 headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        """Send one request; the answer when it is a success, else the mapped error."""
        connection = self._connection()
        try:
            connection.request(method, url, body=body, headers=headers or {})
            response = connection.getresponse()
        except OSError as exc:
            connection.close()
            raise StoreUnavailableError(
                f"Tracking server {self._server} did not answer {method} {url}: "
                f"{type(exc).__name__}: {exc}") from None
        if response.status < 400:
            return response
        raw = response.read()
        connection.close()
        raise _error(response.status, raw, f"{method} {self._server}{url}")

    def _file_url(self, remote: str) -> str:
        return f"{self._base}/{quote(remote)}"

    def put(self, path: str, local_path: str | os.PathLike[str]) -> None:
        _, remote = self._target(path, allow_root=False)
        size = os.path.getsize(local_path)
        headers = {"Content-Length": str(size), "Content-Type": _content_type(remote)}
        with open(local_path, "rb") as source:
            response = self._request("PUT", self._file_url(remote), source, headers)
        response.read()
        response.close()

    def writer(self, path: str) -> AbstractContextManager[BinaryIO]:
        self._target(path, allow_root=False)
        return staged_writer(self, path)

    def list(self, path: str = "") -> list[FileInfo]:
        relative, remote = self._target(path)
        response = self._request("GET", f"{self._base}?{urlencode({'path': remote})}")
        payload = json.loads(response.read() or b"{}")
        response.close()
        found: list[FileInfo] = []
        for entry in payload.get("files", []):
            name = check_path(str(entry["path"]))
            size = entry.get("file_size")
            found.append(FileInfo(join_path(relative, name), bool(entry.get("is_dir")),
                                  None if size is None else int(size)))
        return sorted(found, key=lambda f: f.path)

    def open(self, path: str) -> BinaryIO:
        _, remote = self._target(path, allow_root=False)
        return cast(BinaryIO, self._request("GET", self._file_url(remote)))

    def delete(self, path: str) -> None:
        _, remote = self._target(path, allow_root=False)
        try:
            response = self._request("DELETE", self._file_url(remote))
        except NotFoundError:
            return
        response.read()
        response.close()


def _content_type(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def _error(status: int, raw: bytes, what: str) -> Exception:
    try:
        body = json.loads(raw)
        code, message = str(body.get("error_code", "")), str(body.get("message", ""))
    except (ValueError, AttributeError):
        code, message = "", raw[:500].decode("utf-8", "replace")
    text = f"{what}: HTTP {status} {code}: {message}".rstrip(": ")
    if status == 404 and code in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"):
        return NotFoundError(message or text)
    if 400 <= status < 500:
        return InvalidInputError(text)
    return StoreUnavailableError(text)
