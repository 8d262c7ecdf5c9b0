"""What every group's report uses to read its results and judge them. Stdlib only."""

from __future__ import annotations

import subprocess
from pathlib import Path
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


REPO_PYTHON = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "python"


def repo_python(imports: str) -> tuple[Path | None, str]:
    """The repository's .venv Python if it can `import <imports>` (groups that run there
    rather than in a bench venv), else (None, why)."""
    if not REPO_PYTHON.exists():
        return None, f"no {REPO_PYTHON}"
    probe = subprocess.run([str(REPO_PYTHON), "-c", f"import {imports}"],
                           capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        return None, (probe.stderr.strip().splitlines() or ["?"])[-1]
    return REPO_PYTHON, ""
