"""GET /api/v1/values/{digest}/preview and /values/{digest}: stored execution values previewed
by format (tables, arrays, JSON, text, images), code formats never opened, bad digests 4xx."""

from __future__ import annotations

import io
import json
import pickle
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from slipstream._core.settings import Settings
from tests.live_server import serve
from tests.ui.seed_flow import tiny_png

pytest.importorskip("fastapi")


def _get(url: str) -> tuple[int, Any, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body, kind = response.read(), response.headers.get("Content-Type", "")
            return response.status, json.loads(body) if "json" in kind else body, kind
    except urllib.error.HTTPError as error:
        return error.code, json.load(error), "application/json"


class _Exploding:
    def __reduce__(self) -> Any:
        return (eval, ("1/0",))  # would raise if the server ever unpickled it


def test_previews_by_format(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from slipstream.artifacts import open_artifact_store
    from slipstream.server.app import create_app

    settings = Settings(home=tmp_path, store_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        artifact_uri=str(tmp_path / "artifacts"))
    blobs = open_artifact_store(settings.artifact_uri)
    frame = pd.DataFrame({"x": np.arange(1000), "y": [float("inf"), None] + [0.5] * 998})
    parquet = io.BytesIO()
    frame.to_parquet(parquet, row_group_size=100)
    array = io.BytesIO()
    np.save(array, np.arange(12).reshape(3, 4))
    digests = {"parquet": blobs.put_bytes(parquet.getvalue()),
               "npy": blobs.put_bytes(array.getvalue()),
               "json": blobs.put_bytes(json.dumps({"o0": "hi"}).encode()),
               "bytes": blobs.put_bytes("héllo\n".encode()),
               "image": blobs.put_bytes(tiny_png()),
               "pickle": blobs.put_bytes(pickle.dumps(_Exploding()))}
    with serve(create_app(settings)) as url:
        def preview(kind: str, fmt: str, extra: str = "") -> Any:
            status, body, _ = _get(f"{url}/api/v1/values/{digests[kind]}/preview?fmt={fmt}{extra}")
            assert status == 200, body
            return body

        table = preview("parquet", "parquet", "&max_rows=5")
        assert (table["kind"], table["total_rows"]) == ("table", 1000)
        assert [c["name"] for c in table["columns"]] == ["x", "y"]
        assert table["rows"] == [[0, "inf"], [1, None], [2, 0.5], [3, 0.5], [4, 0.5]]
        grid = preview("npy", "npy")
        assert (grid["dtype"], grid["shape"], grid["items"]) == ("int64", [3, 4], list(range(12)))
        assert preview("json", "json")["value"] == {"o0": "hi"}
        assert preview("bytes", "bytes")["text"] == "héllo\n"
        assert preview("image", "bytes")["media_type"] == "image/png"
        assert preview("pickle", "pickle")["kind"] == "opaque"  # described, never unpickled

        status, body, kind = _get(f"{url}/api/v1/values/{digests['image']}")
        assert (status, kind, body) == (200, "image/png", tiny_png())
        status, body, kind = _get(f"{url}/api/v1/values/{digests['pickle']}")
        assert status == 200 and kind == "application/octet-stream"
        status, body, _ = _get(f"{url}/api/v1/values/nothex/preview?fmt=json")
        assert status == 400 and "sha256" in body["message"]
        status, body, _ = _get(f"{url}/api/v1/values/{'0' * 64}/preview?fmt=json")
        assert status == 404, body
