"""The native API is imported and built on first use (`server.deferred_routes`): a new app does
not import its route modules, and the first request under /api/v1, or the first OpenAPI
document, finds every route there."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.server.conftest import serve

_NATIVE_MODULES = ("experiments", "runs", "artifacts", "logged_models", "registry",
                   "registry_schemas", "schemas", "executions", "workflows", "studies")


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_new_app_answers_mlflow_without_importing_the_native_routes(tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import asyncio, json, sys
        from slipstream._core.settings import Settings
        from slipstream.server.app import create_app

        home = {str(tmp_path)!r}
        app = create_app(Settings(home=home, store_url=f"sqlite:///{{home}}/t.db",
                                  artifact_uri=f"{{home}}/artifacts"))

        async def get(path, query=""):
            sent = []
            scope = {{"type": "http", "asgi": {{"version": "3.0"}}, "http_version": "1.1",
                     "method": "GET", "scheme": "http", "path": path,
                     "raw_path": path.encode(), "query_string": query.encode(),
                     "root_path": "", "headers": [(b"host", b"t")], "client": ("t", 1),
                     "server": ("t", 80)}}
            async def receive():
                return {{"type": "http.request", "body": b"", "more_body": False}}
            async def send(message):
                sent.append(message)
            await app(scope, receive, send)
            return sent[0]["status"]

        def imported():
            prefix = "slipstream.server.routes.native."
            return sorted(m[len(prefix):] for m in sys.modules if m.startswith(prefix))

        async def main():
            made = imported()
            mlflow = await get("/api/2.0/mlflow/experiments/get", "experiment_id=0")
            after_mlflow = imported()
            native = await get("/api/v1/experiments/0")
            return made, mlflow, after_mlflow, native, imported()

        print(json.dumps(asyncio.run(main())))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    made, mlflow, after_mlflow, native, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert not set(made) & set(_NATIVE_MODULES), made
    assert mlflow == 200
    assert not set(after_mlflow) & set(_NATIVE_MODULES), after_mlflow
    assert native == 200
    assert set(_NATIVE_MODULES) <= set(loaded), loaded


def test_the_first_openapi_document_lists_the_native_routes(tmp_path: Path) -> None:
    with serve(f"sqlite:///{tmp_path / 't.db'}", str(tmp_path / "artifacts"), tmp_path) as s:
        status, spec = _get(f"{s.url}/openapi.json")
        assert status == 200
        paths = set(spec["paths"])
        for path in ("/api/v1/experiments", "/api/v1/runs/{run_id}/log-batch",
                     "/api/v1/registered-models", "/api/v1/studies",
                     "/api/2.0/mlflow/runs/create"):
            assert path in paths, path
        assert "RegisteredModelOut" in spec["components"]["schemas"]


def test_the_first_native_request_and_an_unknown_native_path(tmp_path: Path) -> None:
    with serve(f"sqlite:///{tmp_path / 't.db'}", str(tmp_path / "artifacts"), tmp_path) as s:
        status, body = _get(f"{s.url}/api/v1/nothing-here")
        assert status == 404 and body["error_code"] == "ENDPOINT_NOT_FOUND"
        status, body = _get(f"{s.url}/api/v1/experiments/0")
        assert status == 200 and body["name"] == "Default"
