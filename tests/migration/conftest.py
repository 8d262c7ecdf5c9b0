"""Migration tests: every test gets its own SLIPSTREAM_HOME, so running a workflow records into a
fresh SQLite store under tmp_path and nothing leaks into ~/.slipstream."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def slipstream_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "slipstream-home"
    monkeypatch.setenv("SLIPSTREAM_HOME", str(home))
    for name in ("SLIPSTREAM_STORE_URL", "SLIPSTREAM_TRACKING_URI", "SLIPSTREAM_ARTIFACT_URI",
                 "SLIPSTREAM_EXECUTOR", "SLIPSTREAM_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return home
