"""`bash scripts/demo.sh`, the README's main command, end to end (it reuses .venv when set up)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.cli.helpers import REPO
from tests.examples.test_retraining import plain


def test_demo_script(isolated_home: Path) -> None:
    expected, _ = plain()
    env = {**os.environ, "SLIPSTREAM_HOME": str(isolated_home)}
    proc = subprocess.run(["bash", str(REPO / "scripts" / "demo.sh")], cwd=isolated_home,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(rf"^SUCCEEDED in [\d.]+ m?s: {re.escape(repr(expected))}$", proc.stdout,
                     re.MULTILINE), proc.stdout
    found = re.search(r"^Recorded as execution (\w+) in sqlite:///(\S+) ", proc.stdout,
                      re.MULTILINE)
    assert found and Path(found.group(2)) == isolated_home / "slipstream.db"
    assert (isolated_home / "slipstream.db").is_file()
