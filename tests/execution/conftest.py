"""Runtime-suite fixtures: the executor matrix (`executor`) and a per-test scratch folder for the
fixture DAGs' file counters and switches (`scratch`). Stores come from tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

EXECUTORS = ["inline", "process:2"]


@pytest.fixture(params=EXECUTORS)
def executor(request: pytest.FixtureRequest) -> str:
    """Where task calls run: in the runner's thread, or on a pool of two processes."""
    return str(request.param)


@pytest.fixture
def scratch(tmp_path: Path) -> str:
    """A folder for call counters, markers and switch files shared with worker processes."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    return str(folder)


local_only = pytest.mark.parametrize("backend", ["local"])
"""Run a test on SQLite + a local folder only (the core behaviours run on every backend)."""
