"""The trust rule for loading models (`models.trust`, README "Trust model"): runs:/ and models:/
URIs load only from inside the configured artifact stores, a direct path the caller names loads,
server-side loads (deployments, monitors) refuse anything outside the stores, and an explicit
`trusted=True` is the caller's opt-in."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import slipstream as ss
from slipstream._core.errors import InvalidInputError
from slipstream._core.settings import Settings
from slipstream.models.stores import default_registry
from slipstream.models.trust import UntrustedModelError, check_trusted
from slipstream.models.uris import download_model, resolve_model_uri
from tests.models.zoo import Doubler


@pytest.fixture
def logged(tmp_path: Path) -> tuple[str, Path]:
    """A model logged to the default stores, and a copy of its folder outside them."""
    with ss.start_run():
        info = ss.models.log_model(Doubler(), registered_model_name="inside")
    folder = download_model(resolve_model_uri(info.model_uri))
    outside = tmp_path / "outside" / "model"
    shutil.copytree(folder, outside)
    return info.model_uri, outside


def test_models_in_the_stores_load(logged: tuple[str, Path]) -> None:
    uri, _ = logged
    for each in (uri, "models:/inside/1"):
        assert ss.models.load_pyfunc(each).predict(np.array([1.0])).tolist() == [2.0]
        check_trusted(resolve_model_uri(each), server_side=True)  # the server may load it too


def test_a_registry_source_outside_the_stores_is_refused(logged: tuple[str, Path]) -> None:
    _, outside = logged
    registry = default_registry()
    registry.create_registered_model("elsewhere")
    registry.create_model_version("elsewhere", str(outside))
    with pytest.raises(UntrustedModelError) as refused:
        ss.models.load_model("models:/elsewhere/1")
    message = str(refused.value)
    assert str(outside) in message and "outside the configured artifact stores" in message
    assert Settings.load().artifact_uri in message and "trusted=True" in message
    assert isinstance(refused.value, InvalidInputError)
    with pytest.raises(UntrustedModelError):
        ss.models.load_pyfunc("models:/elsewhere/1")
    # the caller's explicit opt-in
    model = ss.models.load_pyfunc("models:/elsewhere/1", trusted=True)
    assert model.predict(np.array([2.0])).tolist() == [4.0]


def test_a_direct_path_is_the_callers_choice_locally_but_not_on_the_server(
        logged: tuple[str, Path]) -> None:
    _, outside = logged
    assert ss.models.load_pyfunc(str(outside)).predict(np.array([1.0])).tolist() == [2.0]
    with pytest.raises(UntrustedModelError, match="a server-side load"):
        download_model(resolve_model_uri(str(outside)), server_side=True)
    with pytest.raises(UntrustedModelError):
        download_model(resolve_model_uri(f"file://{outside}"), server_side=True)


def test_a_symlink_inside_the_root_leading_out_is_outside(logged: tuple[str, Path]) -> None:
    _, outside = logged
    root = Path(Settings.load().artifact_uri)
    link = root / "linked-model"
    link.symlink_to(outside, target_is_directory=True)
    with pytest.raises(UntrustedModelError):
        check_trusted(resolve_model_uri(str(link)), server_side=True)
    with pytest.raises(UntrustedModelError):
        check_trusted(resolve_model_uri(f"{root}/../{outside.parent.name}"), server_side=True)


def test_a_deployment_to_a_model_outside_the_stores_is_refused(
        logged: tuple[str, Path]) -> None:
    from slipstream.entities.deployments import DeploymentTarget
    from slipstream.metadata.factory import open_deployment_store
    from slipstream.serving.deployments import DeploymentTargets
    from slipstream.serving.routing import resolve_targets

    uri, outside = logged
    registry = default_registry()
    registry.create_registered_model("elsewhere")
    registry.create_model_version("elsewhere", str(outside))
    store = open_deployment_store(Settings.load().store_url)
    try:
        for name, target in (("good", uri), ("bad", "models:/elsewhere/1")):
            store.create_deployment(name, [DeploymentTarget("primary", target, 100.0)])
        # what a serving worker does with each target: fetch the folder it resolved to
        (good,) = resolve_targets(DeploymentTargets(store, "good"))
        assert download_model(good.source).is_dir()
        (bad,) = resolve_targets(DeploymentTargets(store, "bad"))
        with pytest.raises(UntrustedModelError, match="outside the configured artifact stores"):
            download_model(bad.source)
    finally:
        store.close()
