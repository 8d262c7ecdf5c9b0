"""`RegistryClient` on SQLite and PostgreSQL, directly and through a server's REST store:
models and versions by MLflow's method names, a missing model created with its first version,
versions by number, alias and `latest`, alias moves recorded with their user, sources resolved
from run, logged-model and registry URIs, and lineage read from the run (explicit arguments
win)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities import Dataset, DatasetInput
from slipstream.entities.tracking import ModelOutput
from slipstream.metadata.logged_models import LoggedModelStore
from slipstream.metadata.tracking import AlreadyExistsError
from slipstream.registry import RegistryClient

TRAIN = Dataset("train", "d-train", "local", '{"uri": "file:///data/train"}')
EVAL = Dataset("eval", "d-eval", "local", '{"uri": "file:///data/eval"}')
OTHER = Dataset("extra", "d-extra", "local", '{"uri": "file:///data/extra"}')
CONTEXT = "mlflow.data.context"
#: For tests of what the store contract suite already runs through REST.
direct_only = pytest.mark.parametrize("tracking_store", ["direct"], indirect=True)


def _run(registry: RegistryClient, inputs: list[DatasetInput] = (),  # type: ignore[assignment]
         execution_id: str | None = None, node_id: str | None = None) -> str:
    tracking = registry.tracking
    assert tracking is not None
    run = tracking.create_run("0", "ann", 1, "train", {}, execution_id=execution_id,
                              node_id=node_id)
    if inputs:
        tracking.log_inputs(run.info.run_id, inputs)
    return run.info.run_id


@direct_only
def test_models_versions_and_tags(registry: RegistryClient) -> None:
    made = registry.create_registered_model("churn", {"team": "ml"}, "predicts churn")
    assert (made.name, made.description, dict(made.tags)) == ("churn", "predicts churn",
                                                             {"team": "ml"})
    with pytest.raises(AlreadyExistsError):
        registry.create_registered_model("churn")
    first = registry.create_model_version("churn", "file:///m/1", tags={"k": 1})
    assert (first.version, dict(first.tags), first.user_id) == (1, {"k": "1"},
                                                               getpass.getuser())
    registry.create_model_version("churn", "file:///m/2", description="second")
    assert registry.get_model_version("churn", "2").description == "second"
    assert registry.get_latest_version("churn").version == 2
    assert registry.get_model_version_download_uri("churn", 1) == "file:///m/1"
    registry.set_registered_model_tag("churn", "stage", 3)
    registry.delete_registered_model_tag("churn", "team")
    registry.set_model_version_tag("churn", 1, "ok", True)
    registry.delete_model_version_tag("churn", 1, "k")
    assert dict(registry.get_registered_model("churn").tags) == {"stage": "3"}
    assert dict(registry.get_model_version("churn", 1).tags) == {"ok": "True"}
    assert registry.update_registered_model("churn", "new").description == "new"
    assert registry.update_model_version("churn", 1, "best").description == "best"
    assert [v.version for v in registry.list_model_versions("churn")] == [2, 1]
    registry.create_registered_model("fraud")
    page = registry.search_registered_models(max_results=1)
    assert [m.name for m in page] == ["churn"] and page.token
    assert [m.name for m in registry.search_registered_models(
        max_results=1, page_token=page.token)] == ["fraud"]
    assert [m.name for m in registry.search_registered_models("name LIKE 'fr%'")] == ["fraud"]
    assert registry.rename_registered_model("churn", "attrition").name == "attrition"
    registry.delete_model_version("attrition", 2)
    assert [v.version for v in registry.search_model_versions("name = 'attrition'")] == [1]
    registry.delete_registered_model("attrition")
    with pytest.raises(NotFoundError):
        registry.get_registered_model("attrition")
    with pytest.raises(NotFoundError):
        registry.list_model_versions("attrition")


def test_a_first_version_creates_its_model(registry: RegistryClient) -> None:
    version = registry.create_model_version("new-model", "file:///m")
    assert version.version == 1
    assert registry.get_registered_model("new-model").latest_versions[0].version == 1
    with pytest.raises(InvalidInputError):
        registry.create_model_version("bad/name", "file:///m")
    for bad in ({"source": ""}, {"source": "file:///m", "tags": {"": "v"}},
                {"source": "file:///m", "datasets": ["train"]},
                {"source": "file:///m", "run_id": "0" * 32}):
        with pytest.raises((InvalidInputError, NotFoundError)):
            registry.create_model_version("refused", **bad)  # type: ignore[arg-type]
    assert [m.name for m in registry.search_registered_models()] == ["new-model"]


@direct_only
def test_versions_by_number_alias_and_latest(registry: RegistryClient) -> None:
    for n in range(3):
        registry.create_model_version("m", f"file:///m/{n}")
    registry.set_registered_model_alias("m", "champion", 2, user_id="ann")
    registry.set_registered_model_alias("m", "champion", 3)
    assert registry.get_model_version_by_alias("m", "champion").version == 3
    assert [registry.resolve_version("m", ref).version
            for ref in (1, "2", "latest", "LATEST", "champion", "@champion")] == [1, 2, 3, 3, 3, 3]
    registry.delete_registered_model_alias("m", "champion", user_id="bob")
    history = [(e.alias, e.from_version, e.to_version, e.user_id)
               for e in registry.get_alias_history("m", "champion")]
    assert history == [("champion", None, 2, "ann"), ("champion", 2, 3, getpass.getuser()),
                       ("champion", 3, None, "bob")]
    with pytest.raises(NotFoundError, match="champion"):
        registry.resolve_version("m", "champion")
    with pytest.raises(InvalidInputError):
        registry.resolve_version("m", "")
    registry.create_registered_model("empty")
    with pytest.raises(NotFoundError, match="no versions"):
        registry.resolve_version("empty", "latest")
    assert registry.get_latest_versions("empty") == []
    assert [v.version for v in registry.get_latest_versions("m", ["None"])] == [3]
    with pytest.raises(InvalidInputError, match="aliases"):
        registry.get_latest_versions("m", ["Production"])


def test_lineage_is_read_from_the_run(registry: RegistryClient) -> None:
    run_id = _run(registry, [DatasetInput(EVAL, {CONTEXT: "evaluation"}),
                             DatasetInput(TRAIN, {CONTEXT: "training"}),
                             DatasetInput(OTHER, {CONTEXT: "training"})],
                  execution_id="ex-unknown", node_id="n2")
    version = registry.create_model_version("m", "file:///m", run_id=run_id)
    assert registry.tracking is not None  # the training ones, in the order the run lists them
    trained = tuple(i.dataset for i in registry.tracking.get_run(run_id).inputs
                    if i.dataset != EVAL)
    assert set(trained) == {TRAIN, OTHER}
    assert (version.run_id, version.execution_id, version.node_id, version.datasets) == (
        run_id, "ex-unknown", "n2", trained)
    assert version.workflow_version is None  # no such execution in the execution store
    lineage = registry.lineage("m", 1)
    assert (lineage.run_id, lineage.execution_id, lineage.node_id, lineage.datasets,
            lineage.workflow_name) == (run_id, "ex-unknown", "n2", trained, None)
    assert registry.get_model_versions_for_run(run_id) == [version]
    assert registry.get_model_versions_for_execution("ex-unknown") == [version]
    assert registry.get_model_versions_for_execution("ex-unknown", "n9") == []


def test_training_datasets_without_contexts(registry: RegistryClient) -> None:
    plain = _run(registry, [DatasetInput(TRAIN), DatasetInput(EVAL)])
    assert set(registry.create_model_version("m", "file:///1", run_id=plain).datasets) == {
        TRAIN, EVAL}
    mixed = _run(registry, [DatasetInput(EVAL, {CONTEXT: "evaluation"}), DatasetInput(TRAIN)])
    assert registry.create_model_version("m", "file:///2", run_id=mixed).datasets == (TRAIN,)
    outside = _run(registry)  # a run logged outside any workflow
    version = registry.create_model_version("m", "file:///3", run_id=outside)
    assert (version.execution_id, version.node_id, version.datasets) == (None, None, ())


def test_explicit_lineage_wins(registry: RegistryClient) -> None:
    run_id = _run(registry, [DatasetInput(TRAIN, {CONTEXT: "training"})], "ex-1", "n0")
    version = registry.create_model_version(
        "m", "file:///m", run_id=run_id, execution_id="ex-2", node_id="n5",
        workflow_version="v9", datasets=[OTHER])
    assert (version.execution_id, version.node_id, version.workflow_version,
            version.datasets) == ("ex-2", "n5", "v9", (OTHER,))
    elsewhere = registry.create_model_version("m", "file:///m", run_id=run_id,
                                              execution_id="ex-3")
    assert (elsewhere.execution_id, elsewhere.node_id) == ("ex-3", None)  # not the run's n0
    cleared = registry.create_model_version("m", "file:///m", run_id=run_id, datasets=())
    assert (cleared.execution_id, cleared.datasets) == ("ex-1", ())


def test_register_resolves_sources(registry: RegistryClient, tmp_path: Path) -> None:
    tracking = registry.tracking
    assert tracking is not None
    run_id = _run(registry, [DatasetInput(TRAIN, {CONTEXT: "training"})], "ex-1", "n0")
    artifact_uri = tracking.get_run(run_id).info.artifact_uri.rstrip("/")
    from_run = registry.register(f"runs:/{run_id}/model", "churn")
    assert (from_run.source, from_run.run_id, from_run.node_id, from_run.datasets) == (
        f"{artifact_uri}/model", run_id, "n0", (TRAIN,))

    assert isinstance(tracking, LoggedModelStore)
    logged = tracking.create_logged_model("0", "clf", source_run_id=run_id)
    tracking.log_outputs(run_id, [ModelOutput(logged.model_id)])
    by_name = registry.register(f"runs:/{run_id}/clf", "churn")
    by_id = registry.register(f"models:/{logged.model_id}", "churn")
    for version in (by_name, by_id):
        assert (version.source, version.model_id, version.run_id, version.execution_id) == (
            logged.artifact_uri, logged.model_id, run_id, "ex-1")

    registry.set_registered_model_alias("churn", "champion", 1)
    copies = [registry.register(uri, "copy") for uri in (
        "models:/churn/1", "models:/churn@champion", "models:/churn/latest")]
    assert [(c.source, c.run_id, c.execution_id, c.datasets) for c in copies] == [
        (f"{artifact_uri}/model", run_id, "ex-1", (TRAIN,))] * 2 + [
        (logged.artifact_uri, run_id, "ex-1", (TRAIN,))]

    copied = registry.copy_model_version("models:/churn/1", "copy")
    assert (copied.version, copied.source, copied.datasets) == (4, from_run.source, (TRAIN,))
    with pytest.raises(InvalidInputError, match="to copy"):
        registry.copy_model_version(f"runs:/{run_id}/model", "copy")

    os.chdir(tmp_path)
    assert registry.register("folder/model", "plain").source == str(tmp_path / "folder/model")
    assert registry.register("s3://bucket/m", "plain").source == "s3://bucket/m"
    for bad in ("", "runs:/", "models:/", "models:/a/b/c"):
        with pytest.raises(InvalidInputError):
            registry.register(bad, "plain")
    with pytest.raises(NotFoundError):
        registry.register("runs:/" + "0" * 32 + "/model", "plain")
    with pytest.raises(NotFoundError):
        registry.register("models:/churn@nope", "plain")
    assert len(registry.list_model_versions("plain")) == 2  # the refused ones wrote nothing


def test_without_a_tracking_store(registry: RegistryClient) -> None:
    bare = RegistryClient(registry.store)
    version = bare.create_model_version("m", "file:///m", run_id="r" * 32)
    assert (version.run_id, version.execution_id, version.datasets) == ("r" * 32, None, ())
    with pytest.raises(InvalidInputError, match="no tracking store"):
        bare.register("runs:/abc/model", "m")
    assert bare.lineage("m", "latest").workflow_name is None
