"""A Slipstream server for fuzzing: its own SQLite store and artifact root, seeded with an
experiment, a run with params, tags, metrics and an artifact file, and a registered model with a
version, so that generated requests reach real records as well as missing ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")


def _seed(store_url: str, artifact_uri: str) -> None:
    from slipstream.metadata import open_tracking_store
    from slipstream.tracking.client import TrackingClient

    client = TrackingClient(open_tracking_store(store_url, artifact_uri))
    try:
        experiment_id = client.create_experiment("fuzzed")
        run = client.create_run(experiment_id, run_name="seed")
        run_id = run.info.run_id
        client.log_param(run_id, "alpha", "0.5")
        client.set_tag(run_id, "team", "fuzz")
        for step in range(3):
            client.log_metric(run_id, "loss", 1.0 / (step + 1), step=step)
        note = Path(artifact_uri).parent / "note.txt"
        note.write_text("seeded")
        client.log_artifact(run_id, str(note))
    finally:
        client.close()


@pytest.fixture(scope="session")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a seeded server on a free loopback port."""
    from slipstream._core.settings import Settings
    from slipstream.server.app import create_app
    from tests.live_server import serve

    folder: Path = tmp_path_factory.mktemp("fuzz-server")
    settings = Settings(home=folder, store_url=f"sqlite:///{folder / 'fuzz.db'}",
                        artifact_uri=str(folder / "artifacts"))
    _seed(settings.store_url, settings.artifact_uri)
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="session")
def fuzz_schema(fuzz_server: str) -> Any:
    """The server's own /openapi.json, loaded by schemathesis."""
    schemathesis = pytest.importorskip("schemathesis")
    return schemathesis.openapi.from_url(f"{fuzz_server}/openapi.json")
