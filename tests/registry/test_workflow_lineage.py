"""Lineage from a real workflow: a task logs a training and an evaluation dataset to its node's
run; the version registered from that run names the execution, the node, the workflow's name and
version and the training dataset, each hop leads back (execution -> runs -> versions, dataset ->
versions), and on to the deployments serving the version (following its aliases)."""

from __future__ import annotations

from typing import Any

import pytest

from slipstream.entities.deployments import DeploymentTarget
from slipstream.entities.registry import DeployedAt
from slipstream.registry import RegistryClient
from tests.execution.helpers import run
from tests.registry.flows import trained


def test_version_from_a_task_run_knows_its_execution(client: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLIPSTREAM_STORE_URL", client.settings.store_url)
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", client.settings.artifact_uri)
    run_id, execution = run(client, trained.fit, rows=10)
    with RegistryClient.from_settings(client.settings) as registry:
        version = registry.register(f"runs:/{run_id}/model", "churn")
        assert (version.run_id, version.execution_id, version.node_id) == (
            run_id, execution.id, "n0")
        assert version.workflow_version == execution.workflow_version
        assert version.datasets == (trained.TRAIN,)  # not the evaluation set

        lineage = registry.lineage("churn", "latest")
        assert (lineage.name, lineage.version, lineage.run_id) == ("churn", 1, run_id)
        assert (lineage.execution_id, lineage.node_id) == (execution.id, "n0")
        assert (lineage.workflow_name, lineage.workflow_version) == (
            execution.workflow_name, execution.workflow_version)
        assert lineage.datasets == (trained.TRAIN,)

        # every hop is queryable: execution -> node -> run -> version, and back
        assert registry.executions is not None and registry.tracking is not None
        assert registry.executions.get_execution(lineage.execution_id).status == "SUCCEEDED"
        node = {n.node_id: n for n in registry.executions.list_nodes(execution.id)}["n0"]
        assert node.name.endswith("train")
        (task_run,) = registry.tracking.list_runs_for_execution(execution.id)
        assert (task_run.info.run_id, task_run.info.node_id) == (run_id, "n0")
        assert [i.dataset for i in task_run.inputs if i.dataset == trained.TRAIN]
        assert registry.get_model_versions_for_execution(execution.id, "n0") == [version]
        assert registry.get_model_versions_for_run(run_id) == [version]
        assert registry.get_model_versions_for_dataset(digest=trained.TRAIN.digest) == [version]
        assert registry.get_model_versions_for_dataset(trained.EVAL.name) == []


def test_lineage_ends_at_the_deployments_serving_the_version(client: Any) -> None:
    with RegistryClient.from_settings(client.settings) as registry:
        for n in (1, 2):
            registry.create_model_version("churn", f"file:///m/{n}", run_id=None)
        registry.set_registered_model_alias("churn", "champion", 1)
        assert registry.deployments is not None
        registry.deployments.create_deployment("prod", [
            DeploymentTarget("primary", "models:/churn@champion", 90.0),
            DeploymentTarget("canary", "models:/churn/2", 10.0)])
        registry.deployments.create_deployment("shadow", [
            DeploymentTarget("primary", "models:/churn/2", 100.0)])
        assert registry.lineage("churn", 1).deployments == (
            DeployedAt("prod", "primary", "models:/churn@champion", 90.0),)
        assert registry.get_deployments_for_version("churn", 2) == [
            DeployedAt("prod", "canary", "models:/churn/2", 10.0),
            DeployedAt("shadow", "primary", "models:/churn/2", 100.0)]
        registry.set_registered_model_alias("churn", "champion", 2)  # the alias moves
        assert [(d.deployment, d.label) for d in registry.lineage("churn", 2).deployments] == [
            ("prod", "primary"), ("prod", "canary"), ("shadow", "primary")]
        assert registry.lineage("churn", 1).deployments == ()
