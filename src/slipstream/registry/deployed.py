"""Which deployment routes serve a model version now (the last lineage hop: model version ->
deployment). A route serves the version when its URI names it: `models:/NAME/N`,
`models:/NAME@ALIAS` with the alias on it now, `models:/NAME/latest` while it is the newest,
`models:/m-<id>` of its logged model, `runs:/RUN_ID/…` of its run, or its source itself."""

from __future__ import annotations

import re

from slipstream.entities.registry import DeployedAt, ModelVersion
from slipstream.metadata.deployments import DeploymentStore
from slipstream.metadata.registry import ModelRegistryStore

_BY_NUMBER = re.compile(r"^models:/+([^/@]+)/([^/@]+)/*$")
_BY_ALIAS = re.compile(r"^models:/+([^/@]+)@([^/@]+)/*$")
_RUNS = re.compile(r"^runs:/+([^/]+)")


def deployed_at(version: ModelVersion, registry: ModelRegistryStore,
                deployments: DeploymentStore) -> tuple[DeployedAt, ...]:
    """The routes of every deployment serving `version`, by deployment name then label."""
    found = []
    for deployment in deployments.list_deployments():
        for target in deployment.targets:
            if serves(target.model_uri, version, registry):
                found.append(DeployedAt(deployment.name, target.label, target.model_uri,
                                        target.traffic_percent))
    return tuple(found)


def serves(uri: str, version: ModelVersion, registry: ModelRegistryStore) -> bool:
    """Whether a deployment target's model URI names `version` now (see the module doc)."""
    if uri.startswith("models:/m-"):
        return version.model_id is not None and uri.rstrip("/") == f"models:/{version.model_id}"
    by_alias = _BY_ALIAS.match(uri)
    if by_alias is not None:
        return by_alias.group(1) == version.name and by_alias.group(2) in version.aliases
    by_number = _BY_NUMBER.match(uri)
    if by_number is not None:
        name, ref = by_number.groups()
        if name != version.name:
            return False
        if ref.lower() == "latest":
            latest = registry.get_registered_model(name).latest_versions
            return bool(latest) and latest[0].version == version.version
        return ref == str(version.version)
    runs = _RUNS.match(uri)
    if runs is not None:
        return runs.group(1) == version.run_id
    return uri == version.source
