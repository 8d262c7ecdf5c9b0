"""Row conversion details that the contract suite does not pin down."""

from __future__ import annotations

import json
from typing import Any

import pytest

from slipstream.metadata.sql.rows import _encode

VALUES: list[Any] = [
    {"a": 1}, [1, 2.5, None, True, False], {1: "x", None: 2, 2.5: float("nan")}, "s",
    {"u": "é∑\ud800"}, 1e-300, 0.1 + 0.2, {"n": {"m": [{}]}}, [], {}, 3, float("inf"),
    {"$blob": "ab" * 32, "size": 10**20},
]


@pytest.mark.parametrize("value", VALUES)
def test_encoder_matches_json_dumps(value: Any) -> None:
    assert _encode(value) == json.dumps(value, separators=(",", ":"))


def test_encoder_rejects_unserialisable_values() -> None:
    with pytest.raises(TypeError, match="object is not JSON serializable"):
        _encode({"x": object()})
