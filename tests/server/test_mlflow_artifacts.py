"""The artifact proxy with the real `mlflow` client: runs get `mlflow-artifacts:` URIs, files go up
and come back byte-identical through /api/2.0/mlflow-artifacts, and the same files are what
Slipstream's TrackingClient sees on the store (and the other way round). Raw HTTP checks the
refusals: traversal in every spelling is a 400 and writes nothing, a missing file is a 404."""

from __future__ import annotations

import http.client
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from slipstream.artifacts.run_files import FileInfo, open_repository
from tests.server.conftest import Served, serve

PROXY = "/api/2.0/mlflow-artifacts/artifacts"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / "sub" / "deeper").mkdir(parents=True)
    (folder / "train.csv").write_text("a,b\n1,2\n")
    (folder / "sub" / "weights.bin").write_bytes(os.urandom(70_000))
    (folder / "sub" / "deeper" / "note.md").write_text("# deep")
    return folder


def test_mlflow_client_round_trips_files_and_folders(mlflow_client_env: Any, tracking: Any,
                                                     served: Served, tmp_path: Path) -> None:
    mlflow = mlflow_client_env
    picture = tmp_path / "confusion.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(5000))
    folder = _folder(tmp_path)
    experiment_id = mlflow.create_experiment("artifacts-roundtrip")
    with mlflow.start_run(experiment_id=experiment_id) as run:
        mlflow.log_artifact(str(picture))
        mlflow.log_artifact(str(picture), artifact_path="plots")
        mlflow.log_artifacts(str(folder), artifact_path="data")
        mlflow.log_text("first try ✓", "notes/notes.txt")
        mlflow.log_dict({"precision": 0.9}, "report.json")
        mlflow.log_dict({"layers": [1, 2]}, "config.yaml")
    run_id = run.info.run_id
    assert run.info.artifact_uri == f"mlflow-artifacts:/{experiment_id}/{run_id}/artifacts"
    experiment = mlflow.get_experiment(experiment_id)
    assert experiment.artifact_location == f"mlflow-artifacts:/{experiment_id}"

    client = mlflow.MlflowClient()
    root = {(f.path, f.is_dir) for f in client.list_artifacts(run_id)}
    assert root == {("confusion.png", False), ("plots", True), ("data", True),
                    ("notes", True), ("report.json", False), ("config.yaml", False)}
    sizes = {f.path: f.file_size for f in client.list_artifacts(run_id)}
    assert sizes["confusion.png"] == picture.stat().st_size and sizes["data"] is None
    nested = client.list_artifacts(run_id, "data/sub")
    assert [(f.path, f.is_dir) for f in nested] == [("data/sub/deeper", True),
                                                    ("data/sub/weights.bin", False)]

    one = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="plots/confusion.png",
                                              dst_path=str(tmp_path / "one"))
    assert Path(one).read_bytes() == picture.read_bytes()
    copied = client.download_artifacts(run_id, "data", str(tmp_path / "folder"))
    assert _tree(Path(copied)) == _tree(folder)
    everything = Path(mlflow.artifacts.download_artifacts(run_id=run_id,
                                                          dst_path=str(tmp_path / "all")))
    assert (everything / "notes" / "notes.txt").read_text() == "first try ✓"
    assert json.loads((everything / "report.json").read_text()) == {"precision": 0.9}
    assert yaml.safe_load((everything / "config.yaml").read_text()) == {"layers": [1, 2]}

    # The same files, seen by Slipstream on the store, and where MLflow's layout puts them.
    stored = tracking.get_run(run_id).info.artifact_uri
    assert stored == f"{served.artifact_root}/{experiment_id}/{run_id}/artifacts"
    assert _tree(Path(stored) / "data") == _tree(folder)
    assert FileInfo("data/sub/weights.bin", False, 70_000) in tracking.list_artifacts(
        run_id, "data/sub")
    local = tracking.download_artifacts(run_id, "plots", tmp_path / "ss")
    assert (Path(local) / "confusion.png").read_bytes() == picture.read_bytes()


def test_files_logged_by_slipstream_download_with_mlflow(mlflow_client_env: Any, tracking: Any,
                                                         tmp_path: Path) -> None:
    mlflow = mlflow_client_env
    folder = _folder(tmp_path)
    experiment_id = tracking.create_experiment("logged-by-slipstream")
    run_id = tracking.create_run(experiment_id).info.run_id
    tracking.log_artifacts(run_id, folder, "inputs")
    tracking.log_dict(run_id, {"k": 1}, "meta/k.json")
    tracking.end_run(run_id)

    copied = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="inputs",
                                                 dst_path=str(tmp_path / "down"))
    assert _tree(Path(copied)) == _tree(folder)
    listed = [f.path for f in mlflow.MlflowClient().list_artifacts(run_id)]
    assert listed == ["inputs", "meta"]
    text = mlflow.artifacts.load_text(f"runs:/{run_id}/meta/k.json")
    assert json.loads(text) == {"k": 1}


def test_the_proxy_over_http_repository(served: Served, tmp_path: Path) -> None:
    """Slipstream's own mlflow-artifacts client (stdlib http.client) against the proxy."""
    repository = open_repository("mlflow-artifacts:/9/r/artifacts", tracking_server_url=served.url)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    repository.put("models/big.bin", big)
    repository.put_bytes("a.txt", b"A")
    assert repository.list() == [FileInfo("a.txt", False, 1), FileInfo("models", True, None)]
    assert repository.list("models") == [FileInfo("models/big.bin", False, big.stat().st_size)]
    assert Path(served.artifact_root, "9", "r", "artifacts", "a.txt").read_bytes() == b"A"
    copied = repository.download("models", tmp_path / "down")
    assert (Path(copied) / "big.bin").read_bytes() == big.read_bytes()
    repository.delete("models")
    assert repository.list() == [FileInfo("a.txt", False, 1)]
    from slipstream._core.errors import NotFoundError

    with pytest.raises(NotFoundError):
        repository.read("models/big.bin")


def _raw(served: Served, method: str, path: str, body: bytes | None = None
         ) -> tuple[int, dict[str, str], bytes]:
    """One request with the path sent exactly as written (no client-side normalising)."""
    parts = urlsplit(served.url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        connection.request(method, path, body=body)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", [
    "../../escaped.txt", "a/../../../escaped.txt", "%2e%2e/%2e%2e/escaped.txt",
    "%2E%2E%2Fescaped.txt", "a/%252e%252e/%252e%252e/escaped.txt", "/tmp/escaped.txt",
    "..%5C..%5Cescaped.txt", "a\\..\\escaped.txt",
])
def test_traversal_is_refused_and_writes_nothing(served: Served, path: str) -> None:
    before = {p for p in Path(served.artifact_root).parent.rglob("*")}
    status, _, body = _raw(served, "PUT", f"{PROXY}/{path}", b"evil")
    assert status == 400, body
    assert json.loads(body)["error_code"] == "INVALID_PARAMETER_VALUE"
    status, _, body = _raw(served, "GET", f"{PROXY}/{path}")
    assert status == 400 and json.loads(body)["error_code"] == "INVALID_PARAMETER_VALUE"
    assert {p for p in Path(served.artifact_root).parent.rglob("*")} == before
    assert not Path("/tmp/escaped.txt").exists()


def test_symlink_out_of_the_root_is_refused(served: Served, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    Path(served.artifact_root).mkdir(parents=True, exist_ok=True)
    link = Path(served.artifact_root) / f"link-{tmp_path.name}"
    link.symlink_to(outside, target_is_directory=True)
    try:
        status, _, body = _raw(served, "PUT", f"{PROXY}/{link.name}/new.txt", b"evil")
        assert status == 400 and json.loads(body)["error_code"] == "INVALID_PARAMETER_VALUE"
        status, _, _ = _raw(served, "GET", f"{PROXY}/{link.name}/secret.txt")
        assert status == 400
        assert [p.name for p in outside.iterdir()] == ["secret.txt"]
    finally:
        link.unlink()


def test_download_answers(served: Served) -> None:
    status, _, body = _raw(served, "GET", f"{PROXY}/nothing/here.txt")
    assert status == 404 and json.loads(body)["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    page = b"<html><script>alert(1)</script></html>"
    assert _raw(served, "PUT", f"{PROXY}/pages/report.html", page)[0] == 200
    status, headers, body = _raw(served, "GET", f"{PROXY}/pages/report.html")
    assert status == 200 and body == page
    assert headers["content-type"].startswith("text/plain")
    assert headers["content-disposition"].startswith("attachment")
    assert headers["x-content-type-options"] == "nosniff"
    status, headers, _ = _raw(served, "GET", f"{PROXY}/pages")
    assert status == 400  # a folder is not a file
    status, _, body = _raw(served, "GET", f"{PROXY}?path=pages")
    assert json.loads(body) == {"files": [{"path": "report.html", "is_dir": False,
                                           "file_size": len(page)}]}
    assert json.loads(_raw(served, "GET", f"{PROXY}?path=empty/folder")[2]) == {}
    assert _raw(served, "DELETE", f"{PROXY}/pages/report.html")[0] == 200
    assert json.loads(_raw(served, "GET", f"{PROXY}?path=pages")[2]) == {}


def test_server_info(served: Served) -> None:
    status, _, body = _raw(served, "GET", "/api/3.0/mlflow/server-info")
    info = json.loads(body)
    assert status == 200
    assert info["store_type"] == "SqlStore"
    assert info["multipart_uploads_enabled"] is False
    assert info["multipart_downloads_enabled"] is False
    assert info["workspaces_enabled"] is False
    assert info["features_enabled"] == {"gateway": False}


def test_artifact_location_sent_as_mlflow_artifacts_is_stored_real(
        mlflow_client_env: Any, tracking: Any, served: Served) -> None:
    mlflow = mlflow_client_env
    experiment_id = mlflow.create_experiment("custom-place",
                                             artifact_location="mlflow-artifacts:/custom/place")
    assert mlflow.get_experiment(experiment_id).artifact_location == (
        "mlflow-artifacts:/custom/place")
    stored = tracking.get_experiment(experiment_id).artifact_location
    assert stored == f"{served.artifact_root}/custom/place"
    with pytest.raises(Exception, match="Invalid artifact path"):
        mlflow.create_experiment("sneaky", artifact_location="mlflow-artifacts:/../../etc")


def test_slipstream_client_over_the_rest_store(served: Served, mlflow_client_env: Any,
                                               tmp_path: Path) -> None:
    """A TrackingClient whose store is the server: runs say mlflow-artifacts:/..., and the
    client resolves that against the store's tracking_server_url (the proxy)."""
    from slipstream.metadata import open_tracking_store
    from slipstream.tracking.client import TrackingClient

    client = TrackingClient(open_tracking_store(served.url))
    try:
        assert client.store.tracking_server_url == served.url
        experiment_id = client.create_experiment("over-rest")
        run_id = client.create_run(experiment_id).info.run_id
        assert client.get_run(run_id).info.artifact_uri == (
            f"mlflow-artifacts:/{experiment_id}/{run_id}/artifacts")
        folder = _folder(tmp_path)
        client.log_artifacts(run_id, folder, "data")
        client.log_dict(run_id, {"ok": True}, "meta.json")
        assert [f.path for f in client.list_artifacts(run_id)] == ["data", "meta.json"]
        copied = client.download_artifacts(run_id, "data", tmp_path / "back")
        assert _tree(Path(copied)) == _tree(folder)
        client.end_run(run_id)
    finally:
        client.close()
    on_disk = Path(served.artifact_root, experiment_id, run_id, "artifacts")
    assert json.loads((on_disk / "meta.json").read_text()) == {"ok": True}
    mlflow = mlflow_client_env
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/meta.json") == {"ok": True}


@pytest.fixture(scope="module")
def served_on_s3(s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A second server whose artifact root is an S3 bucket (moto)."""
    from tests.s3_fixture import make_bucket

    bucket = f"served-{uuid.uuid4().hex[:10]}"
    make_bucket(s3_endpoint, bucket)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLIPSTREAM_S3_ENDPOINT_URL", s3_endpoint)
        folder = tmp_path_factory.mktemp("s3-server")
        with serve(f"sqlite:///{folder / 'tracking.db'}", f"s3://{bucket}/mlruns",
                   folder) as served:
            yield served


def test_a_server_with_an_s3_artifact_root(served_on_s3: Served, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    mlflow = pytest.importorskip("mlflow")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    mlflow.set_tracking_uri(served_on_s3.url)
    try:
        folder = _folder(tmp_path)
        with mlflow.start_run() as active:
            mlflow.log_artifacts(str(folder), artifact_path="data")
            mlflow.log_text("on s3", "notes.txt")
        run_id = active.info.run_id
        assert active.info.artifact_uri == f"mlflow-artifacts:/0/{run_id}/artifacts"
        client = mlflow.MlflowClient()
        assert [(f.path, f.is_dir) for f in client.list_artifacts(run_id)] == [
            ("data", True), ("notes.txt", False)]
        copied = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="data",
                                                     dst_path=str(tmp_path / "down"))
        assert _tree(Path(copied)) == _tree(folder)
        assert _raw(served_on_s3, "PUT", f"{PROXY}/%2e%2e/escape.txt", b"x")[0] == 400
    finally:
        mlflow.set_tracking_uri(None)
    # Slipstream reads the same objects straight from the bucket.
    repository = open_repository(f"{served_on_s3.artifact_root}/0/{run_id}/artifacts")
    assert repository.read("notes.txt") == b"on s3"
