"""A workflow whose tasks log artifacts: `report` to its node's implicit run, `plot` inside an
explicit `with ss.start_run()`."""

from __future__ import annotations

import tempfile
from pathlib import Path

import slipstream as ss
from slipstream import task, workflow


@task
def report(n: int) -> int:
    ss.log_dict({"n": n}, "report/summary.json")
    ss.log_text("x" * n, "report/xs.txt")
    return n


@task
def plot(n: int) -> int:
    with ss.start_run(run_name="plot"), tempfile.TemporaryDirectory() as tmp:
        picture = Path(tmp) / "curve.png"
        picture.write_bytes(bytes(range(n)))
        ss.log_artifact(picture, artifact_path="figures")
    return n


@workflow
def documented(n: int = 5) -> int:
    return plot(n=report(n=n))
