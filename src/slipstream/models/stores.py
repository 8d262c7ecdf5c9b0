"""The stores `ss.models` works on by default: the default tracking client's store (the
settings' tracking store, also the model registry) and a `RegistryClient` over it, which fills
in a version's lineage from its run and, for a SQL store URL, from the execution store."""

from __future__ import annotations

import os
import threading

from slipstream._core.errors import InvalidInputError
from slipstream._core.settings import Settings
from slipstream.metadata.registry import ModelRegistryStore
from slipstream.registry.client import RegistryClient
from slipstream.tracking.client import TrackingClient
from slipstream.tracking.fluent import default_tracking_client

_lock = threading.Lock()
_registries: dict[tuple[Settings, int], RegistryClient] = {}
_SQL_SCHEMES = ("sqlite", "postgresql", "postgres")


def default_registry(tracking: TrackingClient | None = None) -> RegistryClient:
    """A registry client on `tracking`'s store (default: the default tracking client's),
    opened once per store and reused."""
    client = tracking or default_tracking_client()
    store = client.store
    if not isinstance(store, ModelRegistryStore):
        raise InvalidInputError(f"The tracking store {type(store).__name__} has no model "
                                "registry (a Slipstream server gets one with the registry "
                                "routes); use a SQL store URL or an up-to-date server")
    settings = Settings.load()
    key = (settings, id(store))
    with _lock:
        found = _registries.get(key)
        if found is not None and found.store is store:
            return found
    executions = None
    if settings.store_url.split(":", 1)[0].split("+", 1)[0] in _SQL_SCHEMES:
        from slipstream.metadata import open_execution_store

        executions = open_execution_store(settings.store_url)
    registry = RegistryClient(store, client.store, executions)
    registry._owned = [executions] if executions is not None else []
    with _lock:
        _registries[key] = registry
    return registry


def close_default_registries() -> None:
    """Close the execution stores default registries opened (tests call it between stores)."""
    with _lock:
        registries = list(_registries.values())
        _registries.clear()
    for registry in registries:
        registry.close()


def _forget_after_fork() -> None:
    """A forked child must not reuse the parent's connections."""
    global _lock
    _lock = threading.Lock()
    _registries.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
