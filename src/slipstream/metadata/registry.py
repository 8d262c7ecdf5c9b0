"""The model registry part of the store interface (MLflow's semantics): registered models,
their auto-numbered versions, tags, and aliases with an audit trail of every move. The SQL
tracking store implements it next to `TrackingStore` (one store URL opens both).

Names are 1-256 characters without path separators; a taken name raises AlreadyExistsError.
Versions count from 1 per model and are never reused; creating versions concurrently (from
several processes) gives each a distinct number. An alias names one version of a model; names
that read like versions (`v3`, `12`) and `latest` are refused, as MLflow does. Deleting a model
deletes its versions, tags, aliases and alias history. Unknown names, versions and aliases raise
NotFoundError; bad input raises InvalidInputError and writes nothing. A version's lineage
(execution, node, workflow version, training datasets) is written once, when it is created.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence

from slipstream._core.errors import InvalidInputError
from slipstream.entities.registry import AliasEvent, ModelVersion, RegisteredModel
from slipstream.entities.tracking import Dataset
from slipstream.metadata.validation import check_text_name

#: MLflow's default page size for registered-model and model-version searches.
SEARCH_REGISTRY_DEFAULT = 100
SEARCH_REGISTRY_MAX = 1000
MAX_MODEL_NAME_LENGTH = 256
MAX_ALIAS_LENGTH = 255
_ALIAS = re.compile(r"^[\w\-]+$")
_VERSION_LIKE = re.compile(r"^(v?\d+|latest)$", re.IGNORECASE)


def check_model_name(name: object) -> str:
    """A registered model name: a non-empty string of at most 256 characters without `/` or
    `\\`."""
    text = check_text_name("registered model name", name, MAX_MODEL_NAME_LENGTH)
    if "/" in text or "\\" in text:
        raise InvalidInputError(f"Invalid registered model name {text!r:.300}: it must not "
                                "contain path separators ('/' or '\\').")
    return text


def check_alias(alias: object) -> str:
    """An alias name: letters, digits, `_` and `-`, at most 255 characters, not version-like
    (`v1`, `7`) nor `latest`."""
    if not isinstance(alias, str) or not _ALIAS.match(alias):
        raise InvalidInputError(f"Invalid alias {alias!r:.100}: aliases are non-empty and may "
                                "only contain letters, digits, '_' and '-'.")
    if len(alias) > MAX_ALIAS_LENGTH:
        raise InvalidInputError(f"Alias {alias[:40]!r}... is {len(alias)} characters long; the "
                                f"limit is {MAX_ALIAS_LENGTH}.")
    if _VERSION_LIKE.match(alias):
        raise InvalidInputError(f"Invalid alias {alias!r}: aliases cannot look like a version "
                                "('v1', '12') or be 'latest', which name versions already.")
    return alias


def check_version(version: object) -> int:
    """A version number: a positive int, or a string of digits (MLflow sends strings)."""
    if isinstance(version, bool):
        raise InvalidInputError(f"Invalid model version {version!r}.")
    if isinstance(version, str) and version.strip().isdigit():
        version = int(version)
    if not isinstance(version, int) or version < 1:
        raise InvalidInputError(f"Invalid model version {version!r:.100}: it must be a positive "
                                "integer.")
    return version


class ModelRegistryStore(ABC):
    """Persistence for registered models, their versions, tags and aliases."""

    # -- registered models --------------------------------------------------------------------

    @abstractmethod
    def create_registered_model(self, name: str, tags: Mapping[str, str] | None = None,
                                description: str = "") -> RegisteredModel:
        """A new model without versions; AlreadyExistsError if the name is taken."""

    @abstractmethod
    def get_registered_model(self, name: str) -> RegisteredModel:
        """One model with its tags, aliases and newest version."""

    @abstractmethod
    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Rename a model (its versions, tags and aliases follow)."""

    @abstractmethod
    def update_registered_model(self, name: str, description: str) -> RegisteredModel:
        """Set the model's description."""

    @abstractmethod
    def delete_registered_model(self, name: str) -> None:
        """Delete the model with its versions, tags, aliases and alias history."""

    @abstractmethod
    def search_registered_models(self, filter_string: str = "",
                                 max_results: int = SEARCH_REGISTRY_DEFAULT,
                                 order_by: Sequence[str] = (), page_token: str | None = None,
                                 ) -> tuple[list[RegisteredModel], str | None]:
        """Models matching an MLflow filter (`name LIKE 'churn%'`, `tags.team = 'x'`), ordered
        by `order_by` (name, creation_timestamp, last_updated_timestamp; then by name); one
        page and the next page's token."""

    @abstractmethod
    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        """Set (or overwrite) one tag of the model."""

    @abstractmethod
    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Remove one tag; NotFoundError when the model has no such tag."""

    # -- versions -----------------------------------------------------------------------------

    @abstractmethod
    def create_model_version(self, name: str, source: str, run_id: str | None = None,
                             model_id: str | None = None,
                             tags: Mapping[str, str] | None = None, description: str = "",
                             user_id: str = "", *, execution_id: str | None = None,
                             node_id: str | None = None, workflow_version: str | None = None,
                             datasets: Sequence[Dataset] = ()) -> ModelVersion:
        """The model's next version (READY), numbered after its highest one ever, with its
        lineage: the execution and node that trained it, the workflow version and the datasets
        it was trained on (kept in the order given)."""

    @abstractmethod
    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        """One version with its tags and aliases."""

    @abstractmethod
    def update_model_version(self, name: str, version: int | str,
                             description: str) -> ModelVersion:
        """Set the version's description."""

    @abstractmethod
    def delete_model_version(self, name: str, version: int | str) -> None:
        """Delete one version, its tags and the aliases pointing at it (its number is not
        reused)."""

    @abstractmethod
    def set_model_version_tag(self, name: str, version: int | str, key: str,
                              value: str) -> None:
        """Set (or overwrite) one tag of the version."""

    @abstractmethod
    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        """Remove one tag; NotFoundError when the version has no such tag."""

    @abstractmethod
    def search_model_versions(self, filter_string: str = "",
                              max_results: int = SEARCH_REGISTRY_DEFAULT,
                              order_by: Sequence[str] = (), page_token: str | None = None,
                              ) -> tuple[list[ModelVersion], str | None]:
        """Versions matching an MLflow filter (`name = 'churn'`, `run_id = '…'`,
        `tags.k = 'v'`, `version_number > 2`, the lineage attributes `execution_id`,
        `node_id`, `workflow_version`, and `datasets.name` / `datasets.digest`: trained on
        such a dataset); newest first unless `order_by` says otherwise;
        one page and the next page's token."""

    # -- aliases ------------------------------------------------------------------------------

    @abstractmethod
    def set_model_alias(self, name: str, alias: str, version: int | str,
                        user_id: str = "") -> None:
        """Point `alias` at a version (moving it if set), recording who moved it and when."""

    @abstractmethod
    def delete_model_alias(self, name: str, alias: str, user_id: str = "") -> None:
        """Remove an alias, recording who removed it; NotFoundError if it is not set."""

    @abstractmethod
    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version `alias` points at."""

    @abstractmethod
    def get_alias_history(self, name: str, alias: str | None = None) -> list[AliasEvent]:
        """Every move of the model's aliases (or of one alias), oldest first."""
