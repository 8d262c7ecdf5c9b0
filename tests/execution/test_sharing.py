"""A value consumed by several tasks: each gets its own copy, so one that changes its input in
place cannot change what the others see (in-process the producer's object is copied, in the
process pool it is deserialised; both must agree)."""

from __future__ import annotations

from typing import Any

from tests.execution.flows import sharing
from tests.execution.helpers import run


def test_consumers_cannot_change_each_others_inputs(client: Any, executor: str) -> None:
    out, _ = run(client, sharing.sharing, executor)
    assert out == (600.0, 1006.0, 600.0, 4, 3)
