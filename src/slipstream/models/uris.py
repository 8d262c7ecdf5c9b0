"""Model URIs: where a model folder is, and a local copy of it.

    runs:/RUN_ID/PATH        the run's logged model named PATH, else its artifacts under PATH
    models:/NAME/VERSION     a registered version (also models:/NAME/latest)
    models:/NAME@ALIAS       the version the alias points at now (re-resolve to see it move)
    models:/m-<id>           a logged model
    a folder, file://, s3://…, mlflow-artifacts:/…    the folder itself

The registry lookups are `registry.sources.resolve_source`'s; `download_model` copies the folder
through the artifact repository its URI names (a local folder is used in place), after checking
that the folder may be loaded here (`models.trust`: an indirect URI must resolve inside the
configured artifact stores, and a server-side load trusts nothing outside them).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.artifacts.run_files import MLFLOW_ARTIFACTS_SCHEME, local_folder, open_repository
from slipstream.models.descriptor import DESCRIPTOR_FILE
from slipstream.models.trust import check_trusted
from slipstream.registry.sources import resolve_source

if TYPE_CHECKING:
    from slipstream.registry.client import RegistryClient
    from slipstream.tracking.client import TrackingClient

_temporary: list[tuple[int, Path]] = []
_cleanup_hooked = False
_LOGGED_MODEL = re.compile(r"^models:/+m-[^/@]+/*$")
_ALIAS = re.compile(r"^models:/+[^/@]+@([^/@]+)/*$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """A model URI resolved: `artifact_uri` is where the model folder is; `name`, `version` and
    `alias` are set for registry URIs, `run_id` / `model_id` when known."""

    uri: str
    artifact_uri: str
    name: str | None = None
    version: int | None = None
    alias: str | None = None
    run_id: str | None = None
    model_id: str | None = None
    #: The tracking server's URL when `artifact_uri` is an mlflow-artifacts: URI.
    tracking_server_url: str | None = None
    #: The artifact root of the store the URI was looked up in (trusted like the settings').
    store_root: str | None = None


def resolve_model_uri(uri: str, *, registry: RegistryClient | None = None,
                      tracking: TrackingClient | None = None) -> ResolvedModel:
    """Resolve `uri` (see the module doc) on the given clients (default: the settings' stores).
    NotFoundError for an unknown run, logged model, model, version or alias; InvalidInputError
    for a malformed URI."""
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidInputError(f"Invalid model URI {uri!r:.100}: give runs:/RUN_ID/PATH, "
                                "models:/NAME/VERSION, models:/NAME@ALIAS, models:/m-<id> or a "
                                "folder URL")
    text = uri.strip()
    needs_stores = text.startswith(("runs:", "models:"))
    if not needs_stores:
        folder = _folder_uri(text)
        server = None
        if folder.lower().startswith(f"{MLFLOW_ARTIFACTS_SCHEME}:"):  # through the server
            server = _tracking_server_url(registry, tracking)
        given = registry.tracking if registry is not None else (
            tracking.store if tracking is not None else None)
        return ResolvedModel(uri, folder, tracking_server_url=server,
                             store_root=getattr(given, "artifact_root", None))
    if registry is not None:
        store, tracking_store = registry.store, registry.tracking
    else:
        from slipstream.models.stores import default_registry
        from slipstream.tracking.fluent import default_tracking_client

        client = tracking or default_tracking_client()
        tracking_store = client.store
        # runs:/ and models:/m-… need only the tracking store (a server without registry routes)
        by_name = text.startswith("models:") and not _LOGGED_MODEL.match(text)
        store = default_registry(client).store if by_name else None
    found = resolve_source(text, store, tracking_store)  # type: ignore[arg-type]
    version = found.copied_from
    alias = _ALIAS.match(text)
    return ResolvedModel(
        uri, found.source, name=version.name if version else None,
        version=version.version if version else None,
        alias=alias.group(1) if alias else None, run_id=found.run_id, model_id=found.model_id,
        tracking_server_url=getattr(tracking_store, "tracking_server_url", None),
        store_root=getattr(tracking_store, "artifact_root", None))


def download_model(resolved: ResolvedModel, dst_path: str | Path | None = None, *,
                   server_side: bool = False, trusted: bool = False) -> Path:
    """A local folder holding the model: the folder itself when it is local (and `dst_path` is
    not given), else a copy in `dst_path` (default: a temporary folder removed at exit).
    `UntrustedModelError` when the folder may not be loaded (`models.trust.check_trusted`;
    `server_side` for loads the server makes, `trusted` for a caller's explicit opt-in)."""
    if not trusted:
        check_trusted(resolved, server_side=server_side)
    local = local_folder(resolved.artifact_uri)
    if local is not None and not local.exists():
        raise NotFoundError(f"No model at {resolved.artifact_uri}: the folder does not exist")
    if local is not None and dst_path is None:
        if not (local / DESCRIPTOR_FILE).is_file():
            raise _not_a_model(resolved)
        return local
    repository = open_repository(resolved.artifact_uri,
                                 tracking_server_url=resolved.tracking_server_url)
    if not any(entry.path.rsplit("/", 1)[-1] == DESCRIPTOR_FILE
               for entry in repository.list("")):
        raise _not_a_model(resolved)
    target = Path(dst_path) if dst_path is not None else temporary_folder()
    return Path(repository.download("", target))


def temporary_folder() -> Path:
    """A new folder for a model copy, removed when the process exits."""
    global _cleanup_hooked
    folder = Path(tempfile.mkdtemp(prefix="slipstream-model-"))
    _temporary.append((os.getpid(), folder))
    if not _cleanup_hooked:
        _cleanup_hooked = True
        atexit.register(_remove_temporary)
    return folder


def _remove_temporary() -> None:
    for pid, folder in _temporary:
        if pid == os.getpid():  # not a forked child's inherited list
            shutil.rmtree(folder, ignore_errors=True)
    _temporary.clear()


def _not_a_model(resolved: ResolvedModel) -> InvalidInputError:
    where = resolved.artifact_uri if resolved.artifact_uri == resolved.uri else (
        f"{resolved.artifact_uri} (from {resolved.uri})")
    return InvalidInputError(f"No model at {where}: the folder has no {DESCRIPTOR_FILE} file "
                             "(log one with ss.models.log_model)")


def _tracking_server_url(registry: RegistryClient | None,
                         tracking: TrackingClient | None) -> str | None:
    if registry is not None:
        return getattr(registry.tracking, "tracking_server_url", None)
    if tracking is None:
        from slipstream.tracking.fluent import default_tracking_client

        tracking = default_tracking_client()
    return tracking.store.tracking_server_url


def _folder_uri(text: str) -> str:
    """A folder path made absolute, or a URL whose scheme an artifact repository reads."""
    scheme = _SCHEME.match(text)
    if scheme is None or re.match(r"^[A-Za-z]:[\\/]", text):  # a path (also C:\...)
        return os.path.abspath(os.path.expanduser(text))
    name = scheme.group(1).lower()
    import fsspec

    if name not in ("file", MLFLOW_ARTIFACTS_SCHEME) and name not in fsspec.available_protocols():
        raise InvalidInputError(
            f"Invalid model URI {text!r:.200}: unknown scheme {name!r}; give runs:/RUN_ID/PATH, "
            "models:/NAME/VERSION, models:/NAME@ALIAS, models:/m-<id>, a folder path or an "
            "artifact URL (file://, s3://, mlflow-artifacts:/...)")
    return text
