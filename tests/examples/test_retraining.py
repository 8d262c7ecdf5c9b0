"""examples/retraining.py, the adaptive retraining pipeline of shared/PAPER.md, in its three
variants (base, scaling, tuning): through `slipstream run`, called from Python, and as a script.
The final accuracy must equal what the same steps give in plain Python."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from slipstream.entities import Status
from slipstream.execution.api import default_client
from slipstream.execution.loading import load_entity
from tests.cli.helpers import REPO, slipstream

EXAMPLE = REPO / "examples" / "retraining.py"
TARGET = "examples/retraining.py:retrain"
VARIANTS = {  # PAPER.md: base, scaling (data x3), tuning (5 values of C)
    "base": {},
    "scaling": {"n_rows": 15000},
    "tuning": {"n_c_values": 5},
}


def example() -> Any:
    """The example module, imported by path as `slipstream run` does."""
    return sys.modules[load_entity(f"{EXAMPLE}:retrain").fn.__module__]


@functools.cache
def plain(n_rows: int = 5000, threshold: float = 0.05, n_c_values: int = 1,
          seed: int = 7) -> tuple[float, bool]:
    """(final accuracy, drifted) from the example's task functions called as plain Python."""
    ex = example()
    train_data = ex.load.fn(n_rows=n_rows, shift=0.0, seed=seed)
    drifted_data = ex.load.fn(n_rows=n_rows, shift=1.5, seed=seed)
    parts = ex.split.fn(data=train_data, seed=seed)
    model = ex.train.fn(data=parts.train, c=1.0)
    baseline = ex.score.fn(model=model, data=parts.test)
    current = ex.score.fn(model=model, data=drifted_data)
    if not ex.drifted.fn(baseline=baseline, current=current, threshold=threshold):
        return ex.keep.fn(accuracy=current), False
    new_parts = ex.split.fn(data=drifted_data, seed=seed)
    scores = [ex.train_and_score.fn(train_set=new_parts.train, test_set=new_parts.test, c=c)
              for c in ex.c_grid(n_c_values)]
    assert len(scores) == n_c_values
    return ex.best.fn(scores=scores), True


def options(inputs: dict[str, int]) -> list[str]:
    return [arg for name, value in inputs.items()
            for arg in (f"--{name.replace('_', '-')}", str(value))]


def check_nodes(execution_id: str, n_c_values: int) -> None:
    """The drift branch ran (keep was skipped) and the dynamic node fanned out to one
    train_and_score per value of C."""
    client = default_client()
    nodes = client.store.list_nodes(execution_id)
    (keep,) = [n for n in nodes if n.name == "keep"]
    (tune,) = [n for n in nodes if n.name == "retrain_and_tune"]
    assert keep.status is Status.SKIPPED
    assert tune.kind == "dynamic" and tune.status is Status.SUCCEEDED
    fanned = [n for n in nodes if n.name == "train_and_score"]
    assert len(fanned) == n_c_values
    assert all(n.parent_id == tune.node_id and n.status is Status.SUCCEEDED for n in fanned)
    assert all(n.status is Status.SUCCEEDED for n in nodes if n is not keep)


@pytest.mark.parametrize("variant", ["base", "tuning"])
def test_slipstream_run(variant: str, isolated_home: Path) -> None:
    inputs = VARIANTS[variant]
    expected, drifted = plain(**inputs)
    assert drifted  # the example's defaults are chosen so that the data drifts
    result = slipstream("run", TARGET, *options(inputs), home=isolated_home, cwd=REPO)
    assert result.code == 0, result.err
    assert re.search(rf"^SUCCEEDED in [\d.]+ m?s: {re.escape(repr(expected))}$", result.out,
                     re.MULTILINE), result.out
    lines = result.node_lines()
    assert [status for _, name, status in lines if name == "load"] == ["SUCCEEDED"] * 2
    assert len([1 for _, name, _ in lines if name == "train_and_score"]) == inputs.get(
        "n_c_values", 1)
    assert ("n7/n9", "keep", "SKIPPED") in lines
    check_nodes(result.execution_id(), inputs.get("n_c_values", 1))

    if variant == "base":  # the same command again: both loads come from the cache
        again = slipstream("run", TARGET, *options(inputs), home=isolated_home, cwd=REPO)
        assert again.code == 0, again.err
        assert [status for _, name, status in again.node_lines() if name == "load"] == [
            "CACHED", "CACHED"]
        assert f": {expected!r}\n" in again.out
        assert again.execution_id() != result.execution_id()


@pytest.mark.parametrize("variant", ["base", "scaling", "tuning"])
def test_called_from_python(variant: str) -> None:
    inputs = VARIANTS[variant]
    expected, drifted = plain(**inputs)
    assert drifted
    accuracy = example().retrain(**inputs)
    assert isinstance(accuracy, float) and accuracy == expected
    (record,) = default_client().store.list_executions(workflow_name="retrain")
    assert record.status is Status.SUCCEEDED
    assert record.inputs == {"n_rows": 5000, "threshold": 0.05, "n_c_values": 1, "seed": 7,
                             **inputs}
    check_nodes(record.id, inputs.get("n_c_values", 1))


def test_the_script_prints_the_final_accuracy(isolated_home: Path) -> None:
    expected, _ = plain()
    env = {**os.environ, "SLIPSTREAM_HOME": str(isolated_home)}
    proc = subprocess.run([sys.executable, str(EXAMPLE)], cwd=isolated_home, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"final accuracy: {expected:.4f}\n"
    assert (isolated_home / "slipstream.db").is_file()
