"""The stores `ss.models` works on by default: the default tracking client's store (the
settings' tracking store, which is also the model registry).

`default_registry()` is a `RegistryClient` over that store, made per call (it holds no
connection of its own). `registry_for_lineage()` also opens the execution store, for a SQL store
URL, while a version is registered, so the version records its workflow version."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from slipstream._core.errors import InvalidInputError
from slipstream._core.settings import Settings
from slipstream.metadata.registry import ModelRegistryStore
from slipstream.registry.client import RegistryClient
from slipstream.tracking.client import TrackingClient
from slipstream.tracking.fluent import default_tracking_client

_SQL_SCHEMES = ("sqlite", "postgresql", "postgres")


def default_registry(tracking: TrackingClient | None = None) -> RegistryClient:
    """A registry client on `tracking`'s store (default: the default tracking client's)."""
    store = (tracking or default_tracking_client()).store
    if not isinstance(store, ModelRegistryStore):
        raise InvalidInputError(f"The tracking store {type(store).__name__} has no model "
                                "registry; use a SQL store URL or a Slipstream server")
    return RegistryClient(store, store)


@contextmanager
def registry_for_lineage(tracking: TrackingClient | None = None) -> Iterator[RegistryClient]:
    """`default_registry` with the settings' execution store open (closed after the block)."""
    registry = default_registry(tracking)
    settings = Settings.load()
    if settings.store_url.split(":", 1)[0].split("+", 1)[0] not in _SQL_SCHEMES:
        yield registry
        return
    from slipstream.metadata import open_execution_store

    executions = open_execution_store(settings.store_url)
    try:
        yield RegistryClient(registry.store, registry.tracking, executions)
    finally:
        executions.close()
