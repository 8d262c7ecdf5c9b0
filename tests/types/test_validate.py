"""The validation context checks values without keeping anything."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from slipstream._core.errors import ValueConversionError
from slipstream.types import File, TypeEngine
from slipstream.types.validate import validation_context


def test_validation_context_checks_and_hashes(engine: TypeEngine, tmp_path: Path) -> None:
    ctx = validation_context()
    with pytest.raises(ValueConversionError, match="expected int, got str"):
        engine.to_literal("3", int, ctx)
    path = tmp_path / "f.txt"
    path.write_bytes(b"abc")
    literal = engine.to_literal(File(path), File, ctx)
    assert literal["$blob"] == hashlib.sha256(b"abc").hexdigest()
    frame_literal = engine.to_literal(pd.DataFrame({"a": [1]}), pd.DataFrame, ctx)
    assert frame_literal["fmt"] == "parquet"
