"""`bash scripts/demo.sh`, the README's main command, end to end (it reuses .venv when set up):
the closed retraining loop on the embedded defaults, one line per step."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.cli.helpers import REPO


def test_demo_script(isolated_home: Path) -> None:
    env = {**os.environ, "SLIPSTREAM_HOME": str(isolated_home)}
    proc = subprocess.run(["bash", str(REPO / "scripts" / "demo.sh")], cwd=isolated_home,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    steps = re.findall(r"^(\d)\. ", proc.stdout, re.MULTILINE)
    assert steps == ["1", "2", "3", "3", "4", "4", "5", "6", "7"], proc.stdout
    assert re.search(r"^4\. monitor on the drifted requests: DRIFT", proc.stdout, re.MULTILINE)
    assert re.search(r"^5\. trigger fired: .*: SUCCEEDED in .*fanned out to 5 fits", proc.stdout,
                     re.MULTILINE), proc.stdout
    assert re.search(r"^6\. .*: promoted v2 to champion$", proc.stdout, re.MULTILINE)
    assert re.search(r"^7\. .*hot-swapped: .*, 0 failed$", proc.stdout, re.MULTILINE)
    found = re.search(r"^done in [\d.]+ s; recorded in sqlite:///(\S+)$", proc.stdout,
                      re.MULTILINE)
    assert found and Path(found.group(1)) == isolated_home / "slipstream.db"
    assert (isolated_home / "slipstream.db").is_file()
