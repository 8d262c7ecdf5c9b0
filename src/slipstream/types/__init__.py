"""The type engine: converts Python values to JSON-ready literals and back, by type hint.

See `slipstream.types.engine` for the contract and `default_engine()` for the built-in table.
"""

from slipstream.types.engine import (
    BlobStore,
    ConversionContext,
    TypeEngine,
    TypeTransformer,
    default_engine,
    default_transformers,
)
from slipstream.types.files import Directory, File

__all__ = [
    "BlobStore",
    "ConversionContext",
    "Directory",
    "File",
    "TypeEngine",
    "TypeTransformer",
    "default_engine",
    "default_transformers",
]
