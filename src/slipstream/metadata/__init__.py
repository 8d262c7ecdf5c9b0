"""Metadata store interfaces (one per aggregate) and `open_execution_store` /
`open_tracking_store`, which pick an implementation by URL scheme: sqlite:// and postgresql://
-> SQL (hot paths through the driver with SQL compiled ahead of time; SQLAlchemy + Alembic for
the other reads and migrations); http(s):// -> REST (later).
"""

from slipstream.metadata.base import ExecutionStore
from slipstream.metadata.factory import (
    open_execution_store,
    open_tracking_store,
)
from slipstream.metadata.tracking import AlreadyExistsError, TrackingStore

__all__ = ["AlreadyExistsError", "ExecutionStore", "TrackingStore", "open_execution_store",
           "open_tracking_store"]
