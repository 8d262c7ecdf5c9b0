"""Running the real `slipstream` command in a subprocess (not a TTY, so progress prints one line
per finished node) against the test's SLIPSTREAM_HOME."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FLOWS = Path(__file__).resolve().with_name("cli_flows.py")
SLIPSTREAM = Path(sys.executable).with_name("slipstream")


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def execution_id(self) -> str:
        """The id of the "Recorded as execution ID" line."""
        found = re.search(r"Recorded as execution (\w+) in ", self.out)
        assert found, f"no 'Recorded as execution' line in:\n{self.out}\n{self.err}"
        return found.group(1)

    def node_lines(self) -> list[tuple[str, str, str]]:
        """(node id, task, status) of every progress line, in the order they were printed."""
        return [(m.group(1), m.group(2), m.group(3)) for m in
                re.finditer(r"^  (\S+)\s+(\S+)\s+([A-Z_]+) ", self.out, re.MULTILINE)]


def slipstream(*args: str, home: Path, cwd: Path | None = None,
               env: dict[str, str] | None = None, timeout: float = 60) -> Result:
    """Run `slipstream ARGS` with SLIPSTREAM_HOME=home (other SLIPSTREAM_* settings are cleared
    by the root conftest, `env` adds to them)."""
    full_env = {**os.environ, "SLIPSTREAM_HOME": str(home), **(env or {})}
    full_env.pop("COLUMNS", None)
    proc = subprocess.run([str(SLIPSTREAM), *args], cwd=cwd or home, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def flow(name: str) -> str:
    """The `run` target of a workflow in cli_flows.py."""
    return f"{FLOWS}:{name}"


def recorded(home: Path) -> list[str]:
    """Ids of the executions in the default store under `home` (none when it was never made)."""
    if not (home / "slipstream.db").exists():
        return []
    from slipstream._core.settings import Settings
    from slipstream.execution.api import Client

    client = Client(Settings.load(home=home))
    try:
        return [record.id for record in client.store.list_executions(limit=1000)]
    finally:
        client.close()
