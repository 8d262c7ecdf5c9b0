"""What a model URI given to `RegistryClient.register` points at: the files' location to record
as the version's `source`, and the run and logged model it came from.

- `runs:/RUN_ID/PATH`: the run's logged model named PATH when it has one (MLflow 3's reading),
  else the run's artifacts under PATH.
- `models:/m-<id>`: a logged model; its files, and its source run.
- `models:/NAME/VERSION` or `models:/NAME@ALIAS`: another registered version (copied: same
  files, run, logged model and lineage).
- anything else is the files' location as given (`s3://…`, `file://…`, `mlflow-artifacts:/…`);
  a plain path is made absolute.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from slipstream._core.errors import InvalidInputError
from slipstream.entities.registry import ModelVersion
from slipstream.metadata.logged_models import LoggedModelStore
from slipstream.metadata.registry import ModelRegistryStore
from slipstream.metadata.tracking import TrackingStore

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_RUNS = re.compile(r"^runs:/+([^/]+)(?:/(.*))?$")
_MODEL_ID = re.compile(r"^models:/+(m-[^/@]+)/*$")
_MODEL_VERSION = re.compile(r"^models:/+([^/@]+)(?:/([^/@]+)|@([^/@]+))/*$")


@dataclass(frozen=True, slots=True)
class ResolvedSource:
    """Where a version's files are and what produced them; `copied_from` when the URI named
    another registered version."""

    source: str
    run_id: str | None = None
    model_id: str | None = None
    copied_from: ModelVersion | None = None


def resolve_source(uri: str, store: ModelRegistryStore,
                   tracking: TrackingStore | None) -> ResolvedSource:
    """Resolve a model URI (see the module doc); NotFoundError for an unknown run, logged model
    or version, InvalidInputError for a malformed URI or one needing a tracking store here
    absent."""
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidInputError(f"Invalid model source {uri!r:.100}: give runs:/RUN_ID/PATH, "
                                "models:/m-<id>, models:/NAME/VERSION or a folder URL.")
    uri = uri.strip()
    if uri.startswith("runs:"):
        return _from_run(uri, _need(tracking, uri))
    if uri.startswith("models:"):
        return _from_models(uri, store, tracking)
    if _SCHEME.match(uri) and not re.match(r"^[A-Za-z]:[\\/]", uri):  # not C:\…
        return ResolvedSource(uri)
    return ResolvedSource(os.path.abspath(os.path.expanduser(uri)))


def _from_run(uri: str, tracking: TrackingStore) -> ResolvedSource:
    found = _RUNS.match(uri)
    if found is None:
        raise InvalidInputError(f"Invalid runs URI {uri!r}: expected runs:/RUN_ID/PATH.")
    run_id, path = found.group(1), (found.group(2) or "").strip("/")
    run = tracking.get_run(run_id)
    if path and isinstance(tracking, LoggedModelStore):
        for output in run.outputs:
            model = tracking.get_logged_model(output.model_id)
            if model.name == path:
                return ResolvedSource(model.artifact_uri, run_id, model.model_id)
    base = run.info.artifact_uri.rstrip("/")
    return ResolvedSource(f"{base}/{path}" if path else base, run_id)


def _from_models(uri: str, store: ModelRegistryStore,
                 tracking: TrackingStore | None) -> ResolvedSource:
    by_id = _MODEL_ID.match(uri)
    if by_id is not None:
        logged = _need(tracking, uri)
        if not isinstance(logged, LoggedModelStore):
            raise InvalidInputError(f"Cannot resolve {uri!r}: the tracking store has no logged "
                                    "models.")
        model = logged.get_logged_model(by_id.group(1))
        return ResolvedSource(model.artifact_uri, model.source_run_id, model.model_id)
    found = _MODEL_VERSION.match(uri)
    if found is None:
        raise InvalidInputError(f"Invalid models URI {uri!r}: expected models:/m-<id>, "
                                "models:/NAME/VERSION or models:/NAME@ALIAS.")
    name, version, alias = found.groups()
    if alias is not None:
        other = store.get_model_version_by_alias(name, alias)
    elif version == "latest":
        latest = store.get_registered_model(name).latest_versions
        if not latest:
            raise InvalidInputError(f"Cannot resolve {uri!r}: model {name!r} has no versions.")
        other = latest[0]
    else:
        other = store.get_model_version(name, version)
    return ResolvedSource(other.source, other.run_id, other.model_id, other)


def _need(tracking: TrackingStore | None, uri: str) -> TrackingStore:
    if tracking is None:
        raise InvalidInputError(f"Cannot resolve {uri!r}: this registry client has no "
                                "tracking store.")
    return tracking
