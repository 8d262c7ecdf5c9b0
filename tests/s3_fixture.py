"""A local S3-compatible endpoint for tests: moto's server on 127.0.0.1, a free port.

Shared by every suite that talks to S3. The lead's tests/conftest.py registers it with

    from tests.s3_fixture import s3_endpoint  # noqa: F401

(until then tests/artifacts/conftest.py imports it the same way). Tests get the endpoint URL
and pass it to code under test explicitly, e.g.
`ArtifactStore("s3://bucket", {"client_kwargs": {"endpoint_url": s3_endpoint}})` or by setting
`SLIPSTREAM_S3_ENDPOINT_URL` with monkeypatch. Create buckets with `make_bucket`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import pytest

_FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """Start moto's threaded S3 server for the session; yield its URL (http://127.0.0.1:PORT).

    Sets fake AWS credentials and region in the environment while it runs, so no real account
    is ever used; the previous environment is restored afterwards.
    """
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    with pytest.MonkeyPatch.context() as mp:
        for name, value in _FAKE_AWS_ENV.items():
            mp.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def make_bucket(endpoint: str, name: str) -> None:
    """Create bucket `name` on the S3 endpoint (no error if it already exists)."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=name)
