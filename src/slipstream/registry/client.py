"""`RegistryClient`: the model registry API (MlflowClient's method names) on a
`ModelRegistryStore`, with a version's lineage filled in from the run that produced it.

Given a tracking store, `create_model_version(..., run_id=...)` records the run's execution and
node, the execution's workflow version (from the execution store, when given) and the run's
training datasets (`registry.lineage`); explicit keyword arguments win. Creating a version of a
model that does not exist creates the model (as MLflow's `register_model` does). Alias moves
record the user (the OS user unless one is given). `lineage(name, version)` walks back from a
version to its run, node, execution, workflow and data, and on to the deployments serving it.
"""

from __future__ import annotations

import contextlib
import getpass
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from slipstream._core.errors import InvalidInputError, NotFoundError, SlipstreamError
from slipstream.entities.registry import (
    AliasEvent,
    DeployedAt,
    ModelLineage,
    ModelVersion,
    RegisteredModel,
)
from slipstream.entities.tracking import Dataset
from slipstream.metadata.base import ExecutionStore
from slipstream.metadata.deployments import DeploymentStore
from slipstream.metadata.registry import SEARCH_REGISTRY_DEFAULT, ModelRegistryStore
from slipstream.metadata.tracking import AlreadyExistsError, TrackingStore
from slipstream.registry import lineage as _lineage
from slipstream.registry.sources import resolve_source

if TYPE_CHECKING:
    from slipstream._core.settings import Settings

T = TypeVar("T")
LATEST = "latest"


class PagedList(list[T]):
    """One page of search results; `token` fetches the next page (None on the last)."""

    def __init__(self, items: Iterable[T], token: str | None) -> None:
        super().__init__(items)
        self.token = token


class RegistryClient:
    """Registered models, versions, tags, aliases and lineage on one registry store; `tracking`
    (runs, logged models) and `executions` (workflow executions) fill in lineage."""

    def __init__(self, store: ModelRegistryStore, tracking: TrackingStore | None = None,
                 executions: ExecutionStore | None = None, *,
                 deployments: DeploymentStore | None = None) -> None:
        self.store = store
        self.tracking = tracking
        self.executions = executions
        self.deployments = deployments
        self._owned: list[object] = []

    @classmethod
    def from_settings(cls, settings: Settings) -> RegistryClient:
        """A client on the settings' tracking store (which holds the registry) and, when the
        store URL is a SQL database, its execution and deployment stores; `close()` closes
        them."""
        from slipstream.metadata import open_execution_store, open_tracking_store
        from slipstream.metadata.factory import open_deployment_store

        tracking = open_tracking_store(settings.tracking_store_url, settings.artifact_uri)
        if not isinstance(tracking, ModelRegistryStore):
            tracking.close()
            raise InvalidInputError(
                f"The tracking store {settings.tracking_store_url!r} has no model registry.")
        executions = deployments = None
        if settings.store_url.split(":", 1)[0].split("+", 1)[0] in (
                "sqlite", "postgresql", "postgres"):
            executions = open_execution_store(settings.store_url)
            deployments = open_deployment_store(settings.store_url)
        client = cls(tracking, tracking, executions, deployments=deployments)
        client._owned = [s for s in (tracking, executions, deployments) if s is not None]
        return client

    def close(self) -> None:
        """Close the stores `from_settings` opened (stores passed in stay open)."""
        for store in self._owned:
            store.close()  # type: ignore[attr-defined]
        self._owned = []

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- registered models --------------------------------------------------------------------

    def create_registered_model(self, name: str, tags: Mapping[str, str] | None = None,
                                description: str | None = None) -> RegisteredModel:
        """A new model without versions; AlreadyExistsError if the name is taken."""
        return self.store.create_registered_model(name, _str_tags(tags), description or "")

    def get_registered_model(self, name: str) -> RegisteredModel:
        return self.store.get_registered_model(name)

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        return self.store.rename_registered_model(name, new_name)

    def update_registered_model(self, name: str,
                                description: str | None = None) -> RegisteredModel:
        """Set the model's description."""
        return self.store.update_registered_model(name, description or "")

    def delete_registered_model(self, name: str) -> None:
        """Delete the model with its versions, tags, aliases and alias history."""
        self.store.delete_registered_model(name)

    def search_registered_models(self, filter_string: str | None = None,
                                 max_results: int = SEARCH_REGISTRY_DEFAULT,
                                 order_by: Sequence[str] | None = None,
                                 page_token: str | None = None) -> PagedList[RegisteredModel]:
        """Models matching an MLflow filter (`name LIKE 'churn%'`, `tags.team = 'x'`)."""
        found, token = self.store.search_registered_models(
            filter_string or "", max_results, list(order_by or ()), page_token)
        return PagedList(found, token)

    def set_registered_model_tag(self, name: str, key: str, value: object) -> None:
        self.store.set_registered_model_tag(name, key, str(value))

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        self.store.delete_registered_model_tag(name, key)

    # -- versions -----------------------------------------------------------------------------

    def create_model_version(self, name: str, source: str, run_id: str | None = None,
                             model_id: str | None = None,
                             tags: Mapping[str, str] | None = None,
                             description: str | None = None, *, user_id: str | None = None,
                             execution_id: str | None = None, node_id: str | None = None,
                             workflow_version: str | None = None,
                             datasets: Sequence[Dataset] | None = None) -> ModelVersion:
        """The model's next version (the model is created if new), its lineage read from the
        run (`run_id`, or the logged model's source run) unless given here."""
        if run_id is None and model_id and self.tracking is not None:
            run_id = self._logged_model_run(model_id)
        found = _lineage.RunLineage()
        if run_id and self.tracking is not None:
            found = _lineage.from_run(self.tracking.get_run(run_id), self.executions)
        execution_id = execution_id or found.execution_id
        if node_id is None and execution_id == found.execution_id:
            node_id = found.node_id  # the run's node, unless another execution was named
        if workflow_version is None:
            workflow_version = found.workflow_version
            if workflow_version is None and execution_id != found.execution_id:
                record = _lineage.find_execution(self.executions, execution_id)
                workflow_version = record.workflow_version if record is not None else None
        created = self._ensure_model(name)
        try:
            return self.store.create_model_version(
                name, source, run_id, model_id, _str_tags(tags), description or "",
                user_id if user_id is not None else _user(),
                execution_id=execution_id, node_id=node_id,
                workflow_version=workflow_version,
                datasets=found.datasets if datasets is None else tuple(datasets))
        except SlipstreamError:
            if created:  # bad input writes nothing: not even the model made for it
                with contextlib.suppress(SlipstreamError):
                    self.store.delete_registered_model(name)
            raise

    def register(self, source: str, name: str, tags: Mapping[str, str] | None = None,
                 description: str | None = None) -> ModelVersion:
        """A new version of `name` from a model URI (`runs:/RUN_ID/PATH`, `models:/m-<id>`,
        `models:/NAME/VERSION`, `models:/NAME@ALIAS`, or a folder URL); a version copied from
        another keeps that version's lineage."""
        resolved = resolve_source(source, self.store, self.tracking)
        copied = resolved.copied_from
        if copied is None:
            return self.create_model_version(name, resolved.source, resolved.run_id,
                                             resolved.model_id, tags, description)
        return self.create_model_version(
            name, resolved.source, resolved.run_id, resolved.model_id, tags, description,
            execution_id=copied.execution_id, node_id=copied.node_id,
            workflow_version=copied.workflow_version, datasets=copied.datasets)

    def copy_model_version(self, src_model_uri: str, dst_name: str) -> ModelVersion:
        """A new version of `dst_name` with the files, run and lineage of the version
        `src_model_uri` names (`models:/NAME/VERSION` or `models:/NAME@ALIAS`)."""
        if not isinstance(src_model_uri, str) or not src_model_uri.startswith("models:/"):
            raise InvalidInputError(f"Invalid source {src_model_uri!r:.100} to copy: give "
                                    "models:/NAME/VERSION or models:/NAME@ALIAS.")
        return self.register(src_model_uri, dst_name)

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        """One version by number (`3` or `"3"`)."""
        return self.store.get_model_version(name, version)

    def get_latest_version(self, name: str) -> ModelVersion:
        """The model's newest version; NotFoundError when it has none."""
        latest = self.store.get_registered_model(name).latest_versions
        if not latest:
            raise NotFoundError(f"Registered model {name!r} has no versions yet.")
        return latest[0]

    def get_latest_versions(self, name: str,
                            stages: Sequence[str] | None = None) -> list[ModelVersion]:
        """MLflow's (stage-era) call: the newest version in a list, empty before the first;
        Slipstream has no stages, so only `None`, `[]` or `["None"]` are accepted."""
        if stages and [s.lower() for s in stages] != ["none"]:
            raise InvalidInputError(f"Model stages {list(stages)!r} are not supported: use "
                                    "aliases (set_registered_model_alias) instead.")
        return list(self.store.get_registered_model(name).latest_versions)

    def resolve_version(self, name: str, ref: int | str) -> ModelVersion:
        """A version by number (`3`, `"3"`), `latest`, or alias (`champion` or `@champion`)."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
            return self.store.get_model_version(name, ref)
        if not isinstance(ref, str) or not ref.strip():
            raise InvalidInputError(f"Invalid version {ref!r:.100} of model {name!r}: give a "
                                    "number, 'latest' or an alias.")
        ref = ref.strip()
        if ref.lower() == LATEST:
            return self.get_latest_version(name)
        return self.store.get_model_version_by_alias(name, ref.removeprefix("@"))

    def get_model_version_download_uri(self, name: str, version: int | str) -> str:
        """Where the version's files are (its `source`)."""
        return self.store.get_model_version(name, version).source

    def update_model_version(self, name: str, version: int | str,
                             description: str | None = None) -> ModelVersion:
        """Set the version's description."""
        return self.store.update_model_version(name, version, description or "")

    def delete_model_version(self, name: str, version: int | str) -> None:
        """Delete one version and the aliases pointing at it (its number is not reused)."""
        self.store.delete_model_version(name, version)

    def set_model_version_tag(self, name: str, version: int | str, key: str,
                              value: object) -> None:
        self.store.set_model_version_tag(name, version, key, str(value))

    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        self.store.delete_model_version_tag(name, version, key)

    def search_model_versions(self, filter_string: str | None = None,
                              max_results: int = SEARCH_REGISTRY_DEFAULT,
                              order_by: Sequence[str] | None = None,
                              page_token: str | None = None) -> PagedList[ModelVersion]:
        """Versions matching an MLflow filter (`name = 'churn'`, `run_id = '…'`, and
        `execution_id`, `node_id`, `workflow_version`, `datasets.name`, `datasets.digest`),
        newest first."""
        found, token = self.store.search_model_versions(
            filter_string or "", max_results, list(order_by or ()), page_token)
        return PagedList(found, token)

    def list_model_versions(self, name: str) -> list[ModelVersion]:
        """Every version of one model, newest first."""
        self.store.get_registered_model(name)  # NotFoundError for an unknown model
        return self._all_versions(f"name = {_quote(name)}")

    # -- aliases ------------------------------------------------------------------------------

    def set_registered_model_alias(self, name: str, alias: str, version: int | str,
                                   user_id: str | None = None) -> None:
        """Point `alias` at a version (moving it if set), recorded with the user."""
        self.store.set_model_alias(name, alias, version,
                                   user_id if user_id is not None else _user())

    def delete_registered_model_alias(self, name: str, alias: str,
                                      user_id: str | None = None) -> None:
        """Remove an alias, recorded with the user; NotFoundError if it is not set."""
        self.store.delete_model_alias(name, alias, user_id if user_id is not None else _user())

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        return self.store.get_model_version_by_alias(name, alias)

    def get_alias_history(self, name: str, alias: str | None = None) -> list[AliasEvent]:
        """Every move of the model's aliases (or of one alias), oldest first."""
        return self.store.get_alias_history(name, alias)

    # -- lineage ------------------------------------------------------------------------------

    def lineage(self, name: str, version: int | str) -> ModelLineage:
        """Data -> node -> run -> model version -> deployment for one version (`version` as
        in `resolve_version`): the workflow's name read from the execution store, the routes
        serving it from the deployment store, when the client has them."""
        found = self.resolve_version(name, version)
        execution = _lineage.find_execution(self.executions, found.execution_id)
        return ModelLineage(
            found.name, found.version, found.source, found.datasets, found.execution_id,
            found.node_id, execution.workflow_name if execution is not None else None,
            found.workflow_version or (execution.workflow_version if execution else None),
            found.run_id, found.model_id, self._deployed_at(found))

    def get_deployments_for_version(self, name: str, version: int | str) -> list[DeployedAt]:
        """The deployment routes serving one version now (none without a deployment
        store)."""
        return list(self._deployed_at(self.resolve_version(name, version)))

    def get_model_versions_for_execution(self, execution_id: str,
                                         node_id: str | None = None) -> list[ModelVersion]:
        """The versions trained by one execution (or one of its nodes), newest first."""
        query = f"execution_id = {_quote(execution_id)}"
        if node_id is not None:
            query += f" AND node_id = {_quote(node_id)}"
        return self._all_versions(query)

    def get_model_versions_for_dataset(self, name: str | None = None,
                                       digest: str | None = None) -> list[ModelVersion]:
        """The versions trained on a dataset with this name and/or digest, newest first."""
        clauses = [f"datasets.{field} = {_quote(value)}"
                   for field, value in (("name", name), ("digest", digest)) if value is not None]
        if not clauses:
            raise InvalidInputError("Name the dataset: give its name, its digest or both.")
        return self._all_versions(" AND ".join(clauses))

    def get_model_versions_for_run(self, run_id: str) -> list[ModelVersion]:
        """The versions registered from one run, newest first."""
        return self._all_versions(f"run_id = {_quote(run_id)}")

    # -- helpers ------------------------------------------------------------------------------

    def _all_versions(self, filter_string: str) -> list[ModelVersion]:
        out: list[ModelVersion] = []
        token: str | None = None
        while True:
            page, token = self.store.search_model_versions(filter_string, 1000, [], token)
            out.extend(page)
            if token is None:
                return out

    def _deployed_at(self, version: ModelVersion) -> tuple[DeployedAt, ...]:
        if self.deployments is None:
            return ()
        from slipstream.registry.deployed import deployed_at

        return deployed_at(version, self.store, self.deployments)

    def _ensure_model(self, name: str) -> bool:
        """Create the model unless it exists; True when this call created it."""
        try:
            self.store.get_registered_model(name)
        except NotFoundError:
            try:
                self.store.create_registered_model(name)
            except AlreadyExistsError:  # created meanwhile elsewhere
                return False
            return True
        return False

    def _logged_model_run(self, model_id: str) -> str | None:
        from slipstream.metadata.logged_models import LoggedModelStore

        if not isinstance(self.tracking, LoggedModelStore):
            return None
        return self.tracking.get_logged_model(model_id).source_run_id


def _str_tags(tags: Mapping[str, object] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (tags or {}).items()}


def _quote(value: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"Invalid id {value!r:.100}: it must be a non-empty string.")
    return "'" + value.replace("'", "''") + "'"  # the filter language doubles quotes


def _user() -> str:
    """The OS user (as tracking's system tags name it), "unknown" when it cannot be told."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry, no LOGNAME
        return "unknown"
