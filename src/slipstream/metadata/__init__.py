"""Metadata store interfaces (one per aggregate) and `open_execution_store` /
`open_tracking_store`, which pick an implementation by URL scheme: sqlite:// and postgresql://
-> SQL (hot paths through the driver with SQL compiled ahead of time; SQLAlchemy + Alembic for
the other reads and migrations); http(s):// -> REST (`metadata.rest`: a Slipstream server's
/api/v1, tracking only).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from slipstream.metadata.base import ExecutionStore
from slipstream.metadata.factory import (
    open_execution_store,
    open_tracking_store,
)

if TYPE_CHECKING:
    from slipstream.metadata.tracking import AlreadyExistsError, TrackingStore

__all__ = ["AlreadyExistsError", "ExecutionStore", "TrackingStore", "open_execution_store",
           "open_tracking_store"]


def __getattr__(name: str) -> Any:
    """The tracking interface is loaded on first use: running workflows never needs it."""
    if name in ("AlreadyExistsError", "TrackingStore"):
        value = getattr(importlib.import_module("slipstream.metadata.tracking"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'slipstream.metadata' has no attribute {name!r}")
