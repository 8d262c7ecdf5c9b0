"""The fsspec backend, for `s3://` and any other fsspec URL. Imported only for non-local roots.

S3 endpoint resolution (first set wins): `storage_options` (`endpoint_url` or
`client_kwargs.endpoint_url`), then `SLIPSTREAM_S3_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3`,
`AWS_ENDPOINT_URL`. Uploads are single PUTs (or multipart uploads for large files), which S3
makes visible only when complete, so a killed writer never leaves a partial object. Other
filesystems (memory, sftp, ...) write to a hidden temp name in the shard folder and then `mv`.
"""

from __future__ import annotations

import contextlib
import copy
import os
import secrets
from collections.abc import Callable
from typing import Any, BinaryIO, cast

import fsspec
from fsspec.core import url_to_fs

from slipstream._core.errors import StoreUnavailableError
from slipstream.artifacts._backend import Backend, hash_file

S3_PROTOCOLS = frozenset({"s3", "s3a"})
# Object stores whose `makedirs` on a bucket would create it: check the bucket exists instead.
_BUCKET_PROTOCOLS = frozenset({"gs", "gcs", "az", "abfs", "abfss", "adl"})
_S3_ENDPOINT_ENV = ("SLIPSTREAM_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
# s3fs reads whole files under 2 * chunksize, and up to max_concurrency chunks at once above:
# these keep a put_file's memory near 16 MiB instead of s3fs's default (up to 10 x 50 MiB).
S3_PUT_KWARGS = {"chunksize": 8 * 1024 * 1024, "max_concurrency": 2}


def s3_options(storage_options: dict[str, Any]) -> dict[str, Any]:
    """A copy of `storage_options` with the endpoint filled in from the environment if unset."""
    options = copy.deepcopy(storage_options)
    client_kwargs = options.setdefault("client_kwargs", {})
    if options.get("endpoint_url") or client_kwargs.get("endpoint_url"):
        return options
    for name in _S3_ENDPOINT_ENV:
        if os.environ.get(name):
            client_kwargs["endpoint_url"] = os.environ[name]
            break
    return options


class FsspecBackend(Backend):
    """Objects at `<root>/cas/<2 hex>/<62 hex>` on an fsspec filesystem."""

    def __init__(self, root_uri: str, storage_options: dict[str, Any]) -> None:
        fs, root, protocol = open_filesystem(root_uri, storage_options)
        self.fs: fsspec.AbstractFileSystem = fs
        self.root = root
        self._is_s3 = protocol in S3_PROTOCOLS
        self._put_kwargs = dict(S3_PUT_KWARGS) if self._is_s3 else {}
        # Object stores publish an upload only when complete; elsewhere write + rename.
        self._uploads_are_atomic = uploads_are_atomic(protocol)
        self._check_reachable(root_uri, protocol)

    def _check_reachable(self, root_uri: str, protocol: str) -> None:
        """One cheap round trip: the bucket exists (object stores) or the folder can be made."""
        bucket = self.root.split("/", 1)[0]
        try:
            if protocol in S3_PROTOCOLS:
                self.fs.call_s3("head_bucket", Bucket=bucket)
                return
            if protocol in _BUCKET_PROTOCOLS:
                if not self.fs.exists(bucket):
                    raise FileNotFoundError(f"bucket {bucket!r} does not exist")
                return
            self.fs.makedirs(f"{self.root}/cas", exist_ok=True)
        except Exception as exc:
            raise unavailable(root_uri, "cannot be reached", exc) from None

    def _path(self, digest: str) -> str:
        return f"{self.root}/cas/{digest[:2]}/{digest[2:]}"

    def exists(self, digest: str) -> bool:
        return self._stored_size(digest) is not None

    def size(self, digest: str) -> int:
        size = self._stored_size(digest)
        if size is None:
            raise FileNotFoundError(self._path(digest))
        return size

    def read(self, digest: str) -> bytes:
        return cast(bytes, self.fs.cat_file(self._path(digest)))

    def open(self, digest: str) -> BinaryIO:
        return cast(BinaryIO, self.fs.open(self._path(digest), "rb"))

    def write_bytes(self, digest: str, data: bytes) -> None:
        if self._complete(digest, len(data)):
            return
        self._publish(digest, lambda target: self.fs.pipe_file(target, data))

    def write_file(self, path: str) -> str:
        digest = hash_file(path)
        if not self._complete(digest, os.path.getsize(path)):
            self._publish(digest, lambda target: self.fs.put_file(path, target, **self._put_kwargs))
        return digest

    def _publish(self, digest: str, write: Callable[[str], object]) -> None:
        publish(self.fs, self._path(digest), write, atomic=self._uploads_are_atomic)

    def download(self, digest: str, tmp_dest: str) -> None:
        self.fs.get_file(self._path(digest), tmp_dest)

    def uri(self, digest: str) -> str:
        return str(self.fs.unstrip_protocol(self._path(digest)))

    def _complete(self, digest: str, size: int) -> bool:
        return self._stored_size(digest) == size

    def _stored_size(self, digest: str) -> int | None:
        """The object's size, or None when absent: one HEAD on S3 (s3fs's `size` adds a LIST)."""
        path = self._path(digest)
        try:
            if self._is_s3:
                bucket, key = path.split("/", 1)
                head = self.fs.call_s3("head_object", Bucket=bucket, Key=key)
                return int(head["ContentLength"])
            return int(self.fs.size(path))
        except FileNotFoundError:
            return None


def open_filesystem(uri: str, storage_options: dict[str, Any]
                    ) -> tuple[fsspec.AbstractFileSystem, str, str]:
    """(filesystem, root path without a trailing '/', protocol) for an fsspec URL, the S3
    endpoint filled in from the environment; StoreUnavailableError naming a missing driver."""
    protocol = uri.split("://", 1)[0].lower()
    options = s3_options(storage_options) if protocol in S3_PROTOCOLS else storage_options
    try:
        fs, root = url_to_fs(uri, **options)
    except ImportError as exc:
        raise StoreUnavailableError(
            f"Artifact store {uri!r} needs an fsspec driver that is not installed: "
            f"{exc} (for s3:// run `pip install 'slipstream[s3]'`)"
        ) from None
    except Exception as exc:
        raise unavailable(uri, "cannot be opened", exc) from None
    return fs, str(root).rstrip("/"), protocol


def uploads_are_atomic(protocol: str) -> bool:
    """Whether the filesystem publishes an upload only when complete (object stores)."""
    return protocol in S3_PROTOCOLS | _BUCKET_PROTOCOLS


def publish(fs: fsspec.AbstractFileSystem, final: str, write: Callable[[str], object], *,
            atomic: bool) -> None:
    """Run `write(target)` so a file appears under `final` only when complete: straight to
    `final` on object stores (`atomic`), else to a hidden temp name beside it, then `mv`."""
    if atomic:
        write(final)
        return
    folder, _, name = final.rpartition("/")
    tmp = f"{folder}/.{name}.{secrets.token_hex(8)}.tmp"
    try:
        write(tmp)
        fs.mv(tmp, final)
    except BaseException:
        with contextlib.suppress(Exception):
            fs.rm_file(tmp)
        raise


def unavailable(root_uri: str, what: str, exc: BaseException) -> StoreUnavailableError:
    hint = ""
    if root_uri.split("://", 1)[0].lower() in S3_PROTOCOLS:
        hint = (
            " Check the bucket name and credentials, and the endpoint "
            "(storage_options client_kwargs.endpoint_url or SLIPSTREAM_S3_ENDPOINT_URL)."
        )
    return StoreUnavailableError(
        f"Artifact store {root_uri!r} {what}: {type(exc).__name__}: {exc}.{hint}"
    )
