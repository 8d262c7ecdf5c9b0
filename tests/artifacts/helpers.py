"""Helpers that look at a store's storage directly (not through the API under test)."""

from __future__ import annotations

import os
import re

from slipstream.artifacts import ArtifactStore
from slipstream.artifacts._local import LocalBackend
from slipstream.artifacts._remote import FsspecBackend

OBJECT_NAME = re.compile(r"cas/[0-9a-f]{2}/[0-9a-f]{62}")


def stored_paths(store: ArtifactStore) -> list[str]:
    """Every file under the store root, relative to it, as listed by the storage itself."""
    backend = store._backend
    if isinstance(backend, LocalBackend):
        root = os.path.dirname(str(backend.cas_dir))
        return sorted(
            os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
            for folder, _, names in os.walk(root)
            for name in names
        )
    assert isinstance(backend, FsspecBackend)
    backend.fs.invalidate_cache()
    prefix = backend.root + "/"
    return sorted(p.removeprefix(prefix) for p in backend.fs.find(backend.root))


def assert_only_complete_objects(store: ArtifactStore) -> None:
    """No temp or stray files: every stored path is `cas/xx/<62 hex>` and matches its hash."""
    paths = stored_paths(store)
    strays = [p for p in paths if not OBJECT_NAME.fullmatch(p)]
    assert strays == [], f"unexpected files in store: {strays}"
    import hashlib

    for p in paths:
        digest = p[4:6] + p[7:]
        assert hashlib.sha256(store.get_bytes(digest)).hexdigest() == digest
