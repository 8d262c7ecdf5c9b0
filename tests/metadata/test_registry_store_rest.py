"""The model registry store contract (`test_registry_store`) through REST: every one of its tests
that takes the `store` fixture runs again here with `store` a `RestTrackingStore` on a real
Slipstream server serving that test's SQLite or PostgreSQL store (`tests.live_server`).

The tests are taken from `test_registry_store` by name, so new ones there run here too; the
two-process numbering test is left out (its writers open the SQL store directly, so it would
only repeat the SQL run)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from slipstream.metadata.registry import ModelRegistryStore
from tests.live_server import LiveServer
from tests.metadata import test_registry_store as contract

_NOT_OVER_REST = {"test_two_processes_number_versions_without_duplicates"}

for _name, _test in vars(contract).items():
    if (_name.startswith("test_") and _name not in _NOT_OVER_REST and callable(_test)
            and "store" in inspect.signature(_test).parameters):
        globals()[_name] = _test


@pytest.fixture
def store(store_url: str, tmp_path: Path,
          rest_server: LiveServer) -> Iterator[ModelRegistryStore]:
    from slipstream.metadata import open_tracking_store

    served = open_tracking_store(store_url, f"{tmp_path}/artifacts")
    try:
        with rest_server.serving(served) as rest:
            assert isinstance(rest, ModelRegistryStore)
            yield rest
    finally:
        served.close()


def test_the_contract_runs_here() -> None:
    taken = {name for name in globals() if name.startswith("test_")}
    assert {"test_models_and_versions", "test_aliases_and_their_history",
            "test_bad_input_writes_nothing"} <= taken
