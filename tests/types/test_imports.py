"""`import slipstream.types` stays light: no numpy, pandas, pyarrow or pydantic."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numpy", "pandas", "pyarrow", "pydantic")


def test_import_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys, slipstream.types as t\n"
        "from slipstream.types import ConversionContext\n"
        "engine = t.default_engine()\n"
        "ctx = ConversionContext(None, '/tmp')\n"
        "engine.check_hint(dict[str, list[int]])\n"
        "engine.to_literal({'a': [1]}, dict[str, list[int]], ctx)\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
