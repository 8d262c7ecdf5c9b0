"""`ArtifactUris`: how the server shows artifact locations on the wire.

The store keeps real locations (`/srv/artifacts/1/<run>/artifacts`, `s3://bucket/1/...`). A client
can only upload through the server's proxy if it is handed `mlflow-artifacts:` URIs, so every
location under the server's artifact root goes out as `mlflow-artifacts:/<rest>`, and an
`mlflow-artifacts:` URI a client sends (experiments/create's artifact_location) comes back in as
the real location. Locations outside the root pass through unchanged.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from slipstream.artifacts.run_files import MLFLOW_ARTIFACTS_SCHEME, check_path

PREFIX = f"{MLFLOW_ARTIFACTS_SCHEME}:"


class ArtifactUris:
    """Maps locations under `root` to and from `mlflow-artifacts:/...` (identity without root)."""

    def __init__(self, root: str | None) -> None:
        self.root = root.rstrip("/") if root else None
        self._roots = _spellings(self.root) if self.root else ()

    def to_wire(self, location: str) -> str:
        """`mlflow-artifacts:/<rest>` for a location under the root, else `location`."""
        for root in self._roots:
            if location == root:
                return f"{PREFIX}/"
            if location.startswith(f"{root}/"):
                return f"{PREFIX}/{location[len(root) + 1:].strip('/')}"
        return location

    def from_wire(self, uri: str) -> str:
        """The real location of an `mlflow-artifacts:` URI (checked: no '..'), else `uri`."""
        if not uri.startswith(PREFIX) or self.root is None:
            return uri
        rest = check_path(urlsplit(uri).path.lstrip("/"), allow_root=True)
        return f"{self.root}/{rest}" if rest else self.root


def _spellings(root: str) -> tuple[str, ...]:
    """The root as given, and its other spelling for a local folder (path <-> file://)."""
    if root.startswith("file://"):
        return root, root[len("file://"):]
    if "://" not in root:
        return root, f"file://{root}"
    return (root,)


def artifact_uris(request: Request) -> ArtifactUris:
    """The app's mapper (`create_app`); identity when the app has none."""
    uris: ArtifactUris | None = getattr(request.app.state, "artifact_uris", None)
    return uris or ArtifactUris(None)


#: Route parameter type: `def route(uris: Uris)`.
Uris = Annotated[ArtifactUris, Depends(artifact_uris)]
