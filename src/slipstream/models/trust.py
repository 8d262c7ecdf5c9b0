"""Which model folders may be loaded (loading a model unpickles it, which runs its code).

    a direct location the caller names        a folder, file://, s3://...: trusted in local
    (load_model("/my/model"), slipstream serve)  calls, since the caller chose it; refused in
                                              server-side loads unless inside the stores
    an indirect URI (runs:/, models:/)        must resolve inside the configured stores
    mlflow-artifacts:/...                     inside the tracking server's root by construction

The configured stores are the settings' artifact root (SLIPSTREAM_ARTIFACT_URI) plus any roots
the caller adds. A registry version's source or a run's artifact location outside them (which
anyone who can write to the registry could point anywhere) is refused with
`UntrustedModelError`; a local caller who trusts it anyway passes `trusted=True`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from slipstream._core.errors import InvalidInputError
from slipstream.artifacts.run_files import MLFLOW_ARTIFACTS_SCHEME, local_folder

if TYPE_CHECKING:
    from slipstream.models.uris import ResolvedModel


class UntrustedModelError(InvalidInputError):
    """A model folder outside the configured stores, where this load does not trust it."""


def configured_roots(extra: Sequence[str] = ()) -> tuple[str, ...]:
    """The settings' artifact root, then `extra`."""
    from slipstream._core.settings import Settings

    return (Settings.load().artifact_uri, *extra)


def is_indirect(uri: str) -> bool:
    """True for URIs looked up in a store (runs:/, models:/), whose target someone else set."""
    return uri.strip().lower().startswith(("runs:", "models:"))


def check_trusted(resolved: ResolvedModel, *, server_side: bool = False,
                  roots: Sequence[str] | None = None) -> None:
    """UntrustedModelError unless the folder `resolved` names may be loaded here (see the
    module doc): inside `roots` (default: `configured_roots()` and the artifact root of the
    store the URI was looked up in), or a direct location in a local (not `server_side`)
    call."""
    location = resolved.artifact_uri
    if location.lower().startswith(f"{MLFLOW_ARTIFACTS_SCHEME}:"):
        return
    if not server_side and not is_indirect(resolved.uri):
        return
    store = (resolved.store_root,) if resolved.store_root else ()
    allowed = tuple(roots) if roots is not None else configured_roots(store)
    if any(_inside(location, root) for root in allowed):
        return
    how = "a server-side load" if server_side else f"{resolved.uri!r} points there"
    fix = ("log it to the configured artifact store (ss.models.log_model) and give its "
           "models:/ URI"
           if server_side else
           "pass trusted=True to load it anyway if you trust whoever wrote that location")
    raise UntrustedModelError(
        f"Refusing to load the model at {location!r}: it is outside the configured artifact "
        f"stores ({', '.join(map(repr, allowed))}) and {how}; loading a model runs its pickled "
        f"code. To load it, {fix}")


def _inside(location: str, root: str) -> bool:
    local, local_root = local_folder(location), local_folder(root)
    if local is not None or local_root is not None:
        if local is None or local_root is None:
            return False
        target = os.path.realpath(local)
        base = os.path.realpath(local_root)
        return target == base or target.startswith(base.rstrip(os.sep) + os.sep)
    if ".." in location.split("/"):
        return False
    base = root.rstrip("/")
    return location.rstrip("/") == base or location.startswith(f"{base}/")
