"""S3 specifics against the moto endpoint: endpoint configuration, bucket checks, real layout."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest

from slipstream._core.errors import StoreUnavailableError
from slipstream.artifacts import ArtifactStore, open_artifact_store
from tests.s3_fixture import make_bucket

pytestmark = pytest.mark.s3

MB = 1024 * 1024


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    name = f"art-{uuid.uuid4().hex[:12]}"
    make_bucket(s3_endpoint, name)
    return name


def _client(endpoint: str) -> object:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def test_objects_land_at_the_documented_keys(s3_endpoint: str, bucket: str) -> None:
    store = ArtifactStore(
        f"s3://{bucket}/team/a/", {"client_kwargs": {"endpoint_url": s3_endpoint}}
    )
    digest = store.put_bytes(b"payload")
    key = f"team/a/cas/{digest[:2]}/{digest[2:]}"
    assert store.uri(digest) == f"s3://{bucket}/{key}"
    body = _client(s3_endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()  # type: ignore[attr-defined]
    assert body == b"payload"


@pytest.mark.parametrize(
    "env_name", ["SLIPSTREAM_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
)
def test_endpoint_from_environment(
    s3_endpoint: str, bucket: str, env_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SLIPSTREAM_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(env_name, s3_endpoint)
    store = open_artifact_store(f"s3://{bucket}")
    assert store.get_bytes(store.put_bytes(b"via env")) == b"via env"


def test_storage_options_beat_environment(
    s3_endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLIPSTREAM_S3_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens
    options = {"client_kwargs": {"endpoint_url": s3_endpoint}}
    store = ArtifactStore(f"s3://{bucket}", options)
    assert store.exists(store.put_bytes(b"explicit"))
    assert options == {"client_kwargs": {"endpoint_url": s3_endpoint}}  # caller's dict untouched


def test_missing_bucket_is_unavailable(s3_endpoint: str) -> None:
    url = f"s3://no-such-bucket-{uuid.uuid4().hex[:8]}/prefix"
    with pytest.raises(StoreUnavailableError) as info:
        ArtifactStore(url, {"client_kwargs": {"endpoint_url": s3_endpoint}})
    message = str(info.value)
    assert url in message and "cannot be reached" in message
    assert "SLIPSTREAM_S3_ENDPOINT_URL" in message
    # ... and the check did not create it.
    buckets = _client(s3_endpoint).list_buckets()["Buckets"]  # type: ignore[attr-defined]
    assert url.split("/")[2] not in {b["Name"] for b in buckets}


def test_unreachable_endpoint_is_unavailable(s3_endpoint: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    options = {
        "client_kwargs": {"endpoint_url": dead},
        "config_kwargs": {"retries": {"max_attempts": 1}, "connect_timeout": 2},
    }
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match="cannot be reached"):
        ArtifactStore("s3://some-bucket", options)
    assert time.monotonic() - started < 20


_WRITER = """
import os, sys
from slipstream.artifacts import ArtifactStore
store = ArtifactStore(sys.argv[1], {"client_kwargs": {"endpoint_url": sys.argv[2]}})
print("ready", flush=True)
store.put_file(sys.argv[3])
print("done", flush=True)
"""


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.3])
def test_killed_upload_never_leaves_a_partial_object(
    s3_endpoint: str, bucket: str, tmp_path: Path, delay: float
) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(30 * MB))
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    url = f"s3://{bucket}/p"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, url, s3_endpoint, str(src)], stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    time.sleep(0.2)  # let the server finish handling the cut connection
    store = ArtifactStore(url, {"client_kwargs": {"endpoint_url": s3_endpoint}})
    if store.exists(digest):  # the upload may have won the race; then it must be whole
        assert store.size(digest) == 30 * MB
        assert hashlib.sha256(store.get_bytes(digest)).hexdigest() == digest
    listed = _client(s3_endpoint).list_objects_v2(Bucket=bucket)  # type: ignore[attr-defined]
    keys = [o["Key"] for o in listed.get("Contents", [])]
    assert keys in ([], [f"p/cas/{digest[:2]}/{digest[2:]}"])
