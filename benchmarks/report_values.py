"""What every group's report uses to read its results and judge them. Stdlib only."""

from __future__ import annotations

from typing import Any

PASS, MISS, NA = "PASS", "MISS", "n/a"


def get(d: Any, *path: str) -> Any:
    """d[path[0]][path[1]]..., or None where a key is missing."""
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def ratio(num: Any, den: Any) -> float | None:
    """num / den when both are numbers and den > 0, else None."""
    if isinstance(num, int | float) and isinstance(den, int | float) and den > 0:
        return float(num) / float(den)
    return None


def verdict(ok: bool | None) -> str:
    """PASS, MISS, or n/a when there was nothing to judge."""
    return NA if ok is None else PASS if ok else MISS
