"""check_batch checks each metric name once per batch, yet still refuses a bad value, timestamp
or step on any point of a key it has already seen."""

from __future__ import annotations

import pytest

from slipstream._core.errors import InvalidInputError
from slipstream.entities import Metric
from slipstream.metadata.validation import check_batch


@pytest.mark.parametrize("bad", [Metric("a", "x", 1, 0), Metric("a", True, 1, 0),  # type: ignore[arg-type]
                                 Metric("a", None, 1, 0), Metric("a", 1.0, 1.5, 0),  # type: ignore[arg-type]
                                 Metric("a", 1.0, 1, False), Metric("a/../b", 1.0, 1, 0)])
def test_a_bad_point_after_good_points_of_the_same_key_is_refused(bad: Metric) -> None:
    good = [Metric("a", float(step), 1, step) for step in range(3)]
    with pytest.raises(InvalidInputError):
        check_batch([*good, bad], [], [])


def test_a_thousand_points_of_ten_keys_pass() -> None:
    check_batch([Metric(f"m{k}", step + k / 16, 1, step) for step in range(100)
                 for k in range(10)], [], [])
