"""MLflow's JSON shapes for the model registry, and the MLflow-specific rules its routes keep.

Out: versions are strings (`"3"`), every version is in stage `"None"` (Slipstream has aliases,
not stages), `aliases` of a registered model are `[{alias, version}]`, of a version a list of
names; a version's `source` is shown through the app's `ArtifactUris` (`mlflow-artifacts:/...`).

Prompts: MLflow keeps prompts as registered models tagged `mlflow.prompt.is_prompt = 'true'`, and
its client adds ``tag.`mlflow.prompt.is_prompt` != 'true'`` to every model search. As in MLflow's
own store, that clause means "not a prompt" (so a model without the tag matches): `prompt_search`
takes it out of the filter and says whether to drop prompts from the answer.

Sources (`check_source`): what MLflow's server accepts for `model-versions/create` - a logged model
(`models:/m-...`, matching `model_id`), another version (`models:/name/N`, `models:/name/latest`,
`models:/name@alias`; stored as `models:/name/N`), a run's artifacts (`runs:/RUN/path`, matching
`run_id`), a location inside the run's or the logged model's artifacts (local paths and
`mlflow-artifacts:` must be), or any other URI without `..` segments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from slipstream._core.errors import InvalidInputError
from slipstream.entities.registry import ModelVersion, RegisteredModel
from slipstream.metadata.registry import ModelRegistryStore
from slipstream.protocol.search import REGISTERED_MODELS, Entity, Op, parse_filter, render
from slipstream.server.artifact_uris import PREFIX, ArtifactUris

#: The tag MLflow marks prompts with.
PROMPT_TAG = "mlflow.prompt.is_prompt"
#: MLflow's stage of every version here (stages are deprecated in MLflow; use aliases).
NO_STAGE = "None"


def _pairs(mapping: Any) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in mapping.items()]


def model_version_json(v: ModelVersion, uris: ArtifactUris) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": v.name, "version": str(v.version), "creation_timestamp": v.creation_timestamp,
        "last_updated_timestamp": v.last_updated_timestamp, "current_stage": NO_STAGE,
        "description": v.description, "source": uris.to_wire(v.source), "status": v.status,
        "tags": _pairs(v.tags), "aliases": list(v.aliases)}
    for key in ("user_id", "run_id", "model_id"):
        if getattr(v, key):
            out[key] = getattr(v, key)
    return out


def registered_model_json(m: RegisteredModel, uris: ArtifactUris) -> dict[str, Any]:
    return {"name": m.name, "creation_timestamp": m.creation_timestamp,
            "last_updated_timestamp": m.last_updated_timestamp, "description": m.description,
            "latest_versions": [model_version_json(v, uris) for v in m.latest_versions],
            "tags": _pairs(m.tags),
            "aliases": [{"alias": a, "version": str(n)} for a, n in sorted(m.aliases.items())]}


# -- prompts ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PromptSearch:
    """The filter to give the store, and whether prompts must be left out of its answer."""

    filter: str
    drop_prompts: bool

    def keep(self, model: RegisteredModel) -> bool:
        return not (self.drop_prompts and is_prompt(model))


def is_prompt(model: RegisteredModel) -> bool:
    return str(model.tags.get(PROMPT_TAG, "")).lower() == "true"


def prompt_search(filter_string: str) -> PromptSearch:
    """MLflow's reading of the prompt tag in a registered-model filter (see module doc): a
    search for prompts (`= 'true'`, `!= 'false'`) goes to the store as is; otherwise the prompt
    clauses come out and prompts are dropped from the answer."""
    clauses = parse_filter(filter_string, REGISTERED_MODELS)
    prompt = [c for c in clauses if c.entity is Entity.TAG and c.key == PROMPT_TAG]
    for clause in prompt:
        value = str(clause.value).lower()
        if (clause.op is Op.EQ and value == "true") or (clause.op is Op.NE and value == "false"):
            return PromptSearch(filter_string, False)
    if not prompt:
        return PromptSearch(filter_string, True)
    return PromptSearch(render(c for c in clauses if c not in prompt), True)


# -- sources ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Source:
    """A checked source: the location to store, and the run and logged model it came from."""

    source: str
    run_id: str | None
    model_id: str | None


def _invalid(source: str, why: str) -> InvalidInputError:
    return InvalidInputError(f"Invalid model version source: '{source}'. {why}")


def check_source(store: Any, uris: ArtifactUris, source: str, run_id: str | None,
                 model_id: str | None) -> Source:
    """The source of a new version, checked against the run or logged model it names (see the
    module doc); `store` is the app's store (tracking, logged models and registry)."""
    if not source:
        raise InvalidInputError("Missing value for required parameter 'source'.")
    parts = urlsplit(source)
    path = parts.path
    while (decoded := unquote(path)) != path:  # %252e%252e is '..' too
        path = decoded
    if ".." in path.split("/"):
        raise _invalid(source, "It must not contain '..' path segments.")
    if parts.scheme == "models":
        return _model_source(store, source, parts.netloc, unquote(parts.path), run_id, model_id)
    if parts.scheme == "runs":
        found = unquote(parts.path).lstrip("/").split("/", 1)[0]
        if parts.netloc or (run_id and run_id != found) or not found:
            raise _invalid(source, "The run_id request parameter has to match the run named "
                                   "by a runs:/ source.")
        return Source(source, found, model_id)
    location = uris.from_wire(source)
    if parts.scheme in ("", "file") or source.startswith(PREFIX):
        roots = []
        if run_id:
            roots.append(store.get_run(run_id).info.artifact_uri)
        if model_id:
            roots.append(store.get_logged_model(model_id).artifact_uri)
        if not any(_within(location, root) for root in roots):
            raise _invalid(source, "A local path or mlflow-artifacts: source has to lie within "
                                   "the artifacts of the run (run_id) or logged model "
                                   "(model_id) given with it.")
    return Source(location, run_id, model_id)


def _model_source(store: Any, source: str, netloc: str, path: str, run_id: str | None,
                  model_id: str | None) -> Source:
    if netloc:
        raise _invalid(source, "Registered model sources must use this server's registry "
                               "(models:/..., no host).")
    ref = path.lstrip("/")
    if ref.startswith("m-") and "/" not in ref:
        if model_id and model_id != ref:
            raise _invalid(source, "The model_id request parameter has to match the logged "
                                   "model named by the source.")
        store.get_logged_model(ref)  # it must exist
        return Source(source, run_id, ref)
    version = _referenced_version(store, source, ref)
    if (run_id and run_id != version.run_id) or (model_id and model_id != version.model_id):
        raise _invalid(source, "The run_id and model_id request parameters must match the "
                               "referenced model version.")
    return Source(f"models:/{version.name}/{version.version}", version.run_id,
                  version.model_id)


def _referenced_version(store: ModelRegistryStore, source: str, ref: str) -> ModelVersion:
    if "@" in ref:
        name, alias = ref.rsplit("@", 1)
        return store.get_model_version_by_alias(name, alias)
    name, _, number = ref.rpartition("/")
    if name and number.lower() == "latest":
        newest = store.get_registered_model(name).latest_versions
        if not newest:
            raise _invalid(source, f"Registered model {name!r} has no versions yet.")
        return newest[0]
    if not name or not number.isdigit():
        raise _invalid(source, "Use models:/<model_id>, models:/<name>/<version>, "
                               "models:/<name>/latest or models:/<name>@<alias>.")
    return store.get_model_version(name, number)


def _within(location: str, root: str) -> bool:
    location, root = _plain(location), _plain(root).rstrip("/")
    return location == root or location.startswith(f"{root}/")


def _plain(uri: str) -> str:
    return uri[len("file://"):] if uri.startswith("file://") else uri


def download_uri(store: Any, uris: ArtifactUris, version: ModelVersion) -> str:
    """Where the version's files are, as the client downloads them (`mlflow-artifacts:/...` for
    locations under the server's root): a logged model's or run's artifacts for `models:/` and
    `runs:/` sources, another version's files for `models:/name/N`, else the source itself."""
    source = version.source
    for _ in range(10):  # a version registered from a version registered from ...
        parts = urlsplit(source)
        ref = unquote(parts.path).lstrip("/")
        if parts.scheme == "models" and ref.startswith("m-"):
            return uris.to_wire(store.get_logged_model(ref).artifact_uri)
        if parts.scheme == "models":
            name, _, number = ref.rpartition("/")
            source = store.get_model_version(name, number).source
            continue
        if parts.scheme == "runs":
            run, _, inner = ref.partition("/")
            root = store.get_run(run).info.artifact_uri.rstrip("/")
            return uris.to_wire(f"{root}/{inner}" if inner else root)
        return uris.to_wire(source)
    raise InvalidInputError(f"Model version {version.name}/{version.version}: its source "
                            f"{version.source!r} refers to versions too deeply.")
