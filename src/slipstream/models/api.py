"""`ss.models.*`: log, load and register models on the default stores.

`log_model` saves the model folder locally (everything is checked there, so bad input writes
nothing to the stores), then creates an MLflow-3 logged model in the run's experiment, uploads
the folder into the logged model's artifact location, marks it READY and links it as an output
of the run; with `registered_model_name` it also registers a version, whose lineage (node,
execution, workflow version, datasets) the registry reads from the run. If the upload fails the
logged model is marked FAILED, its partial files are removed and nothing is registered.

The run is the active run, or inside a workflow task the task's run (created on first use);
outside both, `log_model` refuses. Every other call takes a model URI (`models.uris`).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slipstream._core.context import current_context
from slipstream._core.errors import InvalidInputError
from slipstream.entities.registry import ModelVersion
from slipstream.entities.tracking import LoggedModelStatus, ModelOutput
from slipstream.metadata.logged_models import LoggedModelStore
from slipstream.metadata.registry import check_model_name
from slipstream.models.descriptor import read_descriptor, write_descriptor
from slipstream.models.flavors import Flavor
from slipstream.models.folder import choose_flavor, load_native, load_pyfunc_folder, save_model
from slipstream.models.pyfunc import PyFuncModel
from slipstream.models.signature import ModelSignature
from slipstream.models.stores import default_registry, registry_for_lineage
from slipstream.models.uris import ResolvedModel, download_model, resolve_model_uri
from slipstream.registry.lineage import training_datasets
from slipstream.tracking import fluent
from slipstream.tracking.client import TrackingClient


@dataclass(frozen=True)
class ModelInfo:
    """What `log_model` logged: the logged model (`model_id`, `model_uri` = models:/m-<id>,
    `artifact_uri`), its run, flavor and signature, and the registered version if any."""

    model_id: str
    name: str
    model_uri: str
    artifact_uri: str
    run_id: str
    flavor: str
    signature: ModelSignature | None
    model_uuid: str
    utc_time_created: str
    registered_model_version: int | None = None
    registered_model_name: str | None = None

    @property
    def artifact_path(self) -> str:
        return self.name


def log_model(model: Any, name: str = "model", signature: ModelSignature | None = None,
              input_example: Any = None, registered_model_name: str | None = None,
              flavor: str | Flavor | None = None, pip_requirements: Sequence[str] | None = None,
              *, tags: Mapping[str, Any] | None = None) -> ModelInfo:
    """Log `model` from the active run (or the running task's run); see the module doc."""
    _check_model_name(name)
    if registered_model_name is not None:
        check_model_name(registered_model_name)
    chosen = choose_flavor(model, flavor)
    active = _run_to_log_to()
    client = active.client
    store = client.store
    if not isinstance(store, LoggedModelStore):
        raise InvalidInputError(f"The tracking store {type(store).__name__} cannot hold logged "
                                "models")
    run = client.get_run(active.run_id)
    datasets = [{"name": d.name, "digest": d.digest, "source": d.source}
                for d in training_datasets(run.inputs)]
    with tempfile.TemporaryDirectory(prefix="slipstream-log-model-") as tmp:
        folder = save_model(model, Path(tmp) / name, flavor=chosen, signature=signature,
                            input_example=input_example, pip_requirements=pip_requirements,
                            run_id=active.run_id, artifact_path=name, datasets=datasets)
        logged = store.create_logged_model(
            run.info.experiment_id, name, active.run_id,
            tags={str(k): str(v) for k, v in (tags or {}).items()}, model_type=chosen.name)
        try:
            descriptor = read_descriptor(folder)
            descriptor = {"artifact_path": descriptor.pop("artifact_path"),
                          "flavors": descriptor.pop("flavors"), "model_id": logged.model_id,
                          **descriptor}
            write_descriptor(folder, descriptor)
            _upload(folder, logged.artifact_uri, store.tracking_server_url)
        except BaseException as exc:
            _fail(store, logged.model_id, logged.artifact_uri, store.tracking_server_url, exc)
            raise
    store.finalize_logged_model(logged.model_id, LoggedModelStatus.READY)
    store.log_outputs(active.run_id, [ModelOutput(logged.model_id, 0)])
    version = None
    if registered_model_name is not None:
        with registry_for_lineage(client) as registry:
            version = registry.register(f"models:/{logged.model_id}", registered_model_name)
    found = descriptor.get("signature")
    return ModelInfo(
        logged.model_id, name, f"models:/{logged.model_id}", logged.artifact_uri,
        active.run_id, chosen.name, ModelSignature.from_dict(found) if found else None,
        str(descriptor["model_uuid"]), str(descriptor["utc_time_created"]),
        version.version if version is not None else None,
        registered_model_name if version is not None else None)


def load_model(model_uri: str, dst_path: str | Path | None = None, *,
               trusted: bool = False) -> Any:
    """The native model object (estimator, nn.Module, PythonModel, ...) at `model_uri`. A
    runs:/ or models:/ URI whose folder is outside the configured artifact stores is refused
    (UntrustedModelError) unless `trusted` (README, "Trust model")."""
    return load_native(download_model(resolve(model_uri), dst_path, trusted=trusted))


def load_pyfunc(model_uri: str, dst_path: str | Path | None = None, *,
                trusted: bool = False) -> PyFuncModel:
    """The model at `model_uri` behind `PyFuncModel.predict` (`trusted`: as `load_model`)."""
    return load_pyfunc_folder(download_model(resolve(model_uri), dst_path, trusted=trusted))


def resolve(model_uri: str) -> ResolvedModel:
    """Where `model_uri` points now (see `models.uris`), on the active run's or default stores."""
    return resolve_model_uri(model_uri, tracking=_client())


def register_model(model_uri: str, name: str, tags: Mapping[str, Any] | None = None,
                   description: str | None = None) -> ModelVersion:
    """A new version of registered model `name` (created if new) from `model_uri`."""
    check_model_name(name)
    with registry_for_lineage(_client()) as registry:
        return registry.register(model_uri, name,
                                 {str(k): str(v) for k, v in (tags or {}).items()}, description)


def set_alias(name: str, alias: str, version: int | str) -> None:
    """Point `alias` at a version of `name` (moving it if set); the move is recorded."""
    default_registry(_client()).set_registered_model_alias(name, alias, version)


def delete_alias(name: str, alias: str) -> None:
    """Remove an alias of `name`; NotFoundError if it is not set."""
    default_registry(_client()).delete_registered_model_alias(name, alias)


def get_model_version(name: str, version: int | str) -> ModelVersion:
    """A version by number (`3`, `"3"`), `"latest"`, or alias (`"champion"`, `"@champion"`)."""
    return default_registry(_client()).resolve_version(name, version)


def search_model_versions(filter_string: str = "", max_results: int = 1000,
                          order_by: Sequence[str] | None = None) -> list[ModelVersion]:
    """Versions matching an MLflow filter (`name = 'churn'`, `run_id = '…'`, `tags.k = 'v'`,
    `execution_id = '…'`), newest first unless `order_by` says otherwise."""
    registry = default_registry(_client())
    found: list[ModelVersion] = []
    token: str | None = None
    while len(found) < max_results:
        page = registry.search_model_versions(filter_string, min(1000, max_results - len(found)),
                                              order_by, token)
        found.extend(page)
        token = page.token
        if not token:
            break
    return found


# -- internals --------------------------------------------------------------------------------

def _client() -> TrackingClient:
    active = fluent.active_run()
    return active.client if active is not None else fluent.default_tracking_client()


def _run_to_log_to() -> fluent.ActiveRun:
    active = fluent.active_run()
    if active is not None:
        return active
    ctx = current_context()
    if ctx is not None and ctx.execution_id:
        return fluent.run_for_logging()  # the task's run, created on first use
    raise InvalidInputError("log_model: there is no run to log the model to; call it inside "
                            "`with ss.start_run():` or inside a workflow task")


def _check_model_name(name: object) -> None:
    if not isinstance(name, str) or not name.strip() or "/" in name or "\\" in name or (
            name in (".", "..")):
        raise InvalidInputError(f"Invalid model name {name!r:.100}: a non-empty name without "
                                "'/' or '\\' (e.g. 'model')")


def _upload(folder: Path, artifact_uri: str, server: str | None) -> None:
    from slipstream.artifacts.run_files import open_repository

    repository = open_repository(artifact_uri, tracking_server_url=server)
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        repository.put(file.relative_to(folder).as_posix(), file)


def _fail(store: LoggedModelStore, model_id: str, artifact_uri: str, server: str | None,
          exc: BaseException) -> None:
    """Mark the logged model FAILED and remove what reached its folder (best effort: the
    upload's own error is the one raised)."""
    from slipstream.artifacts.run_files import open_repository

    try:
        repository = open_repository(artifact_uri, tracking_server_url=server)
        for entry in repository.list(""):
            repository.delete(entry.path)
    except Exception as cleanup:
        print(f"slipstream: removing the partial upload of {model_id}: {cleanup}",
              file=sys.stderr)
    try:
        store.finalize_logged_model(model_id, LoggedModelStatus.FAILED)
    except Exception as mark:
        print(f"slipstream: marking {model_id} FAILED after {exc!r}: {mark}", file=sys.stderr)


__all__ = ["ModelInfo", "delete_alias", "get_model_version", "load_model", "load_pyfunc",
           "log_model", "register_model", "resolve", "search_model_versions", "set_alias"]
