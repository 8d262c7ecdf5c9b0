"""Project habits CI enforces: layered imports, lint, and a light `import slipstream`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_imports_point_down_the_layers() -> None:
    result = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_ruff_is_clean() -> None:
    result = subprocess.run([str(BIN / "ruff"), "check", "src", "tests", "examples",
                             "benchmarks"], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_slipstream_loads_no_heavy_library() -> None:
    code = ("import sys, json, slipstream; from slipstream import task, workflow; "
            "print(json.dumps(sorted(m for m in ('sqlalchemy', 'alembic', 'pandas', 'numpy', "
            "'pyarrow', 'sklearn', 'fsspec', 'typer', 'rich', 'pydantic') if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out) == []
