"""Request and response models of the native tracking API (`/api/v1`), documented field by field.

Responses are built by `slipstream.metadata.rest.codec` (the same codec the REST store parses with)
and checked against these models, so /openapi.json describes exactly what is sent. Metric values
are numbers, or "NaN", "Infinity", "-Infinity" for the floats JSON cannot write.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from slipstream.entities import (
    DEFAULT_EXPERIMENT_ID,
    Dataset,
    DatasetInput,
    LifecycleStage,
    RunStatus,
    ViewType,
)
from slipstream.metadata.rest.codec import float_from_json, float_json
from slipstream.metadata.tracking import SEARCH_MAX_RESULTS_DEFAULT


def _metric_value(value: Any) -> float:
    return value if type(value) is float else float_from_json(value)


#: A metric value: a JSON number, or "NaN" / "Infinity" / "-Infinity".
MetricValue = Annotated[
    float, BeforeValidator(_metric_value), PlainSerializer(float_json, when_used="json"),
    WithJsonSchema({"anyOf": [{"type": "number"},
                              {"type": "string", "enum": ["NaN", "Infinity", "-Infinity"]}],
                    "description": "A number, or one of the strings NaN, Infinity, -Infinity."}),
]
#: The range of the store's integer columns (SQLite INTEGER, PostgreSQL BIGINT): a number
#: outside it is a 400, not a database error.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
Millis = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX, description="Epoch milliseconds.")]
Tags = Annotated[dict[str, str], Field(description="Tags by key.")]
NextPageToken = Annotated[str | None, Field(
    description="Pass as page_token to get the next page; absent or null on the last page.")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ErrorBody(Out):
    """Every error answer: a stable code to branch on and a message naming what was wrong."""

    error_code: str = Field(description="RESOURCE_DOES_NOT_EXIST, RESOURCE_ALREADY_EXISTS, "
                                        "INVALID_PARAMETER_VALUE, ENDPOINT_NOT_FOUND or "
                                        "INTERNAL_ERROR.")
    message: str = Field(description="What was wrong, naming the field or id.")
    error_class: str | None = Field(None, description="MLflow's error class for the code.")
    sqlstate: str | None = Field(None, description="KAM00 (user error) or XXM00 (internal).")


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid input (INVALID_PARAMETER_VALUE, "
                                             "RESOURCE_ALREADY_EXISTS)."},
    404: {"model": ErrorBody, "description": "Unknown id (RESOURCE_DOES_NOT_EXIST)."},
    # also keeps FastAPI from documenting a 422 answer: invalid requests are 400s here
    "default": {"model": ErrorBody, "description": "Any other error (500 INTERNAL_ERROR)."},
}


# -- experiments --------------------------------------------------------------------------------

class ExperimentOut(Out):
    experiment_id: str = Field(description="Decimal id; \"0\" is the Default experiment.")
    name: str
    artifact_location: str = Field(description="Root URI of the experiment's run artifacts.")
    lifecycle_stage: LifecycleStage
    creation_time: Millis | None = None
    last_update_time: Millis | None = None
    tags: Tags = {}


class ExperimentPage(Out):
    experiments: list[ExperimentOut]
    next_page_token: NextPageToken = None


class NewExperiment(Model):
    name: str = Field(description="Unique among experiments, active or deleted; at most 500 "
                                  "characters.")
    artifact_location: str | None = Field(
        None, description="Root for the runs' artifacts (default: under the server's root).")
    tags: Tags = {}


class ExperimentUpdate(Model):
    name: str | None = Field(None, description="New name (rename).")
    lifecycle_stage: LifecycleStage | None = Field(
        None, description="\"deleted\" to delete, \"active\" to restore.")


class TagIn(Model):
    key: str = Field(description="Letters, digits, _ - . / : and spaces; at most 250 characters.")
    value: str = Field("", description="At most 8,000 characters (params: 6,000).")


class ExperimentCreated(Out):
    experiment_id: str


# -- runs ---------------------------------------------------------------------------------------

class MetricPoint(Model):
    key: str = Field(description="Metric name (same rules as tag keys).")
    value: MetricValue
    timestamp: Millis
    step: int = Field(0, description="Training step; the latest point has the highest step, "
                                     "then the latest timestamp.")
    model_id: str | None = Field(None, description="A logged model the point belongs to.")
    dataset_name: str | None = Field(None, description="The dataset it was computed on.")
    dataset_digest: str | None = None


class MetricOut(Out):
    key: str
    value: MetricValue
    timestamp: Millis
    step: int
    model_id: str | None = None
    dataset_name: str | None = None
    dataset_digest: str | None = None


class ModelOutputOut(Out):
    model_id: str = Field(description="A logged model the run produced.")
    step: int


class DatasetModel(Model):
    name: str = Field(description="At most 500 characters.")
    digest: str = Field(description="Content digest, at most 36 characters.")
    source_type: str = Field(description="Where the data lives: local, http, s3, code, ...")
    source: str = Field(description="JSON text describing the source (e.g. its URI).")
    schema_: str | None = Field(None, alias="schema", description="JSON text: the schema.")
    profile: str | None = Field(None, description="JSON text: counts and other statistics.")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def entity(self) -> Dataset:
        return Dataset(self.name, self.digest, self.source_type, self.source, self.schema_,
                       self.profile)


class DatasetInputModel(Model):
    dataset: DatasetModel
    tags: Tags = Field({}, description="Input tags, e.g. mlflow.data.context: training.")

    def entity(self) -> DatasetInput:
        return DatasetInput(self.dataset.entity(), self.tags)


class RunInfoOut(Out):
    run_id: str = Field(description="32 hexadecimal characters.")
    experiment_id: str
    run_name: str
    user_id: str
    status: RunStatus
    start_time: Millis | None
    end_time: Millis | None
    artifact_uri: str = Field(description="Where the run's artifacts live.")
    lifecycle_stage: LifecycleStage
    parent_run_id: str | None = Field(None, description="The parent of a nested run.")
    execution_id: str | None = Field(
        None, description="The workflow execution the run was logged from (lineage).")
    node_id: str | None = Field(None, description="The node of that execution.")


class RunDataOut(Out):
    metrics: list[MetricOut] = Field(description="The latest point of each metric.")
    params: dict[str, str]
    tags: Tags


class RunOut(Out):
    info: RunInfoOut
    data: RunDataOut
    inputs: list[DatasetInputModel] = Field(description="Datasets the run used.")
    outputs: list[ModelOutputOut] = Field([], description="Logged models the run produced.")
    model_inputs: list[str] = Field([], description="Ids of logged models the run used.")


class RunList(Out):
    runs: list[RunOut]


class RunPage(RunList):
    next_page_token: NextPageToken = None


class MetricHistory(Out):
    metrics: list[MetricOut] = Field(description="Points by step, then timestamp.")
    next_page_token: NextPageToken = None


class NewRun(Model):
    experiment_id: str = Field(DEFAULT_EXPERIMENT_ID, description="An active experiment.")
    user_id: str = ""
    start_time: Millis | None = None
    run_name: str | None = Field(None, description="Generated when empty; mirrored in tag "
                                                   "mlflow.runName.")
    tags: Tags = {}
    parent_run_id: str | None = Field(None, description="Makes this a nested run (also kept "
                                                        "as tag mlflow.parentRunId).")
    execution_id: str | None = Field(None, description="Workflow execution it belongs to.")
    node_id: str | None = Field(None, description="Node of that execution.")


class RunUpdate(Model):
    status: RunStatus | None = Field(None, description="New status (default: unchanged).")
    end_time: Millis | None = None
    run_name: str | None = Field(None, description="New name (also tag mlflow.runName).")


class RunBatch(Model):
    metrics: list[MetricPoint] = Field([], description="At most 1,000 per request.")
    params: list[TagIn] = Field([], description="At most 100; a param keeps its first value.")
    tags: list[TagIn] = Field([], description="At most 100; a tag is overwritten.")


class RunInputs(Model):
    datasets: list[DatasetInputModel]


class RunSearch(Model):
    experiment_ids: list[str] = Field(description="Experiments to search in.")
    filter: str = Field("", description="MLflow filter string, e.g. "
                                        "\"metrics.acc > 0.9 and params.C = '1.0'\".")
    run_view_type: ViewType = ViewType.ACTIVE_ONLY
    max_results: int = Field(SEARCH_MAX_RESULTS_DEFAULT, description="Page size, 1..50,000.")
    order_by: list[str] = Field([], description="e.g. [\"metrics.acc DESC\"] (default: start "
                                                "time, newest first).")
    page_token: str | None = None
