"""Small fixture DAG modules for the runtime suite, one shape or behaviour each.

They live in importable modules (not test functions) because process-pool workers and
`Client.recover` load tasks and workflows by `module:qualname`. Cross-process side effects
(call counters, markers, switches) go through files in a folder the test passes as an input.
"""

from __future__ import annotations

from pathlib import Path


def bump(folder: str, name: str) -> int:
    """Append one line to folder/name and return how many lines it now has (a call counter
    that works across processes)."""
    path = Path(folder) / name
    with path.open("a") as f:
        f.write("x\n")
    return len(path.read_text().splitlines())


def count(folder: str, name: str) -> int:
    """How many times `bump(folder, name)` ran."""
    path = Path(folder) / name
    return len(path.read_text().splitlines()) if path.exists() else 0
