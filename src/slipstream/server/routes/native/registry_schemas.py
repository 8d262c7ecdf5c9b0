"""Request and response models of the native model registry API (`/api/v1/registered-models`,
`/api/v1/model-versions`), documented field by field.

Responses are built by `slipstream.metadata.rest.codec` (`registered_model_json`,
`model_version_json`, `alias_event_json`) and checked against these models by the tests. Versions
are integers here (MLflow's routes send them as strings); aliases of a model map alias -> version.
"""

from __future__ import annotations

from pydantic import Field

from slipstream.entities.registry import ModelVersionStatus
from slipstream.server.routes.native.schemas import (
    INT64_MAX,
    DatasetModel,
    Millis,
    Model,
    NextPageToken,
    Out,
    Tags,
)

# -- answers ------------------------------------------------------------------------------------


class ModelVersionOut(Out):
    name: str = Field(description="The registered model.")
    version: int = Field(description="Numbered from 1 per model, never reused.")
    source: str = Field(description="Where the version's files are: an artifact location, or "
                                    "models:/<model_id> for a logged model.")
    creation_timestamp: Millis
    last_updated_timestamp: Millis
    run_id: str | None = Field(None, description="The run that produced it.")
    model_id: str | None = Field(None, description="The logged model it was registered from.")
    status: ModelVersionStatus
    description: str
    user_id: str = Field(description="Who registered it.")
    tags: Tags
    aliases: list[str] = Field(description="The aliases pointing at this version.")
    execution_id: str | None = Field(
        None, description="Lineage: the workflow execution whose run trained it.")
    node_id: str | None = Field(None, description="Lineage: the node of that execution.")
    workflow_version: str | None = Field(None, description="Lineage: the workflow's version.")
    datasets: list[DatasetModel] = Field(
        description="Lineage: the datasets it was trained on, in the order given.")


class RegisteredModelOut(Out):
    name: str
    creation_timestamp: Millis
    last_updated_timestamp: Millis
    description: str
    tags: Tags
    aliases: dict[str, int] = Field(description="Alias -> the version it points at.")
    latest_versions: list[ModelVersionOut] = Field(
        description="The newest version (none before the first).")


class RegisteredModelPage(Out):
    registered_models: list[RegisteredModelOut]
    next_page_token: NextPageToken = None


class ModelVersionPage(Out):
    model_versions: list[ModelVersionOut]
    next_page_token: NextPageToken = None


class AliasEventOut(Out):
    name: str
    alias: str
    from_version: int | None = Field(description="None when the alias was set.")
    to_version: int | None = Field(description="None when the alias was deleted.")
    user_id: str = Field(description="Who moved it.")
    timestamp: Millis


class AliasHistory(Out):
    events: list[AliasEventOut] = Field(description="Every move, oldest first.")


# -- requests -----------------------------------------------------------------------------------


class NewRegisteredModel(Model):
    name: str = Field(description="Unique; 1-256 characters without '/' or '\\'.")
    tags: Tags = {}
    description: str = ""


class RegisteredModelUpdate(Model):
    new_name: str | None = Field(None, description="Rename (versions, tags and aliases "
                                                   "follow).")
    description: str | None = Field(None, description="New description.")


class NewModelVersion(Model):
    source: str = Field(description="Where the files are: an artifact URI (folder, file://, "
                                    "s3://, mlflow-artifacts:/) or models:/<model_id>.")
    run_id: str | None = None
    model_id: str | None = None
    tags: Tags = {}
    description: str = ""
    user_id: str = Field("", description="Who registers it.")
    execution_id: str | None = Field(None, description="Lineage: the workflow execution.")
    node_id: str | None = Field(None, description="Lineage: the node that trained it.")
    workflow_version: str | None = Field(None, description="Lineage: the workflow's version.")
    datasets: list[DatasetModel] = Field([], description="Lineage: the training datasets.")


class ModelVersionUpdate(Model):
    description: str


class AliasSet(Model):
    version: int = Field(ge=1, le=INT64_MAX,
                         description="The version the alias points at (moved if set).")
    user_id: str = Field("", description="Who moves it (kept in the alias history).")
