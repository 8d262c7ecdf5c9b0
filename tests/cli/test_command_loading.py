"""The CLI imports only the module of the command it runs (a start-time cost), and still knows
every command for help and suggestions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_PROBE = """
import sys
from slipstream.cli import main
main._register({argv!r})
names = sorted(n for n in sys.modules if n.startswith("slipstream.cli.") and n != "slipstream.cli.main")
print(",".join(names))
"""


def _loaded(argv: list[str]) -> set[str]:
    out = subprocess.run([sys.executable, "-c", _PROBE.format(argv=argv)], check=True,
                         capture_output=True, text=True).stdout.strip()
    return {name.rsplit(".", 1)[1] for name in out.split(",") if name}


def test_a_command_imports_only_its_own_module() -> None:
    assert _loaded(["--home", "/tmp/h", "serve", "models:/m/1"]) == {"serve"}
    assert _loaded(["--store=sqlite:///x.db", "deploy", "list"]) == {"deploy"}
    assert "deploy" not in _loaded(["recover", "abc"])


def test_no_command_or_an_unknown_one_registers_every_command() -> None:
    every = {"run", "executions", "models", "server", "serve", "deploy", "tune"}
    assert every <= _loaded(["--help"])
    assert every <= _loaded(["deplo"])


def test_a_mistyped_command_is_suggested() -> None:
    script = Path(sys.executable).with_name("slipstream")
    result = subprocess.run([str(script), "deplo"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Did you mean 'deploy'?" in result.stderr
