"""The MLmodel reader: our descriptors and MLflow's (as yaml.safe_dump writes them, with
long quoted signatures folded over lines) read the same as PyYAML reads them, without it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.linear_model import LogisticRegression

from slipstream.models import yaml_subset
from slipstream.models.descriptor import read_descriptor, to_yaml


def test_mlflow_written_descriptors_read_as_pyyaml_reads_them(tmp_path: Path) -> None:
    import mlflow.sklearn
    from mlflow.models import Model

    frame = pd.DataFrame(np.eye(4, 12), columns=[f"feature_{i}" for i in range(12)])
    model = LogisticRegression().fit(frame, [0, 1, 0, 1])
    with pytest.warns(UserWarning):
        mlflow.sklearn.save_model(model, str(tmp_path / "m"), input_example=frame.head(2))
    meta = Model.load(str(tmp_path / "m"))
    meta.metadata = {"team": "churn", "note": "it's 'quoted'", "tags": ["a", "b"]}
    meta.save(str(tmp_path / "m" / "MLmodel"))
    text = (tmp_path / "m" / "MLmodel").read_text()
    assert "\n    " in text.split("signature:")[1]  # the inputs JSON is folded over lines
    assert yaml_subset.load(text) == yaml.safe_load(text)
    assert read_descriptor(tmp_path / "m")["signature"] == yaml.safe_load(text)["signature"]


def test_our_descriptors_round_trip() -> None:
    value = {"a": {"b": None, "c": [1, "x"], "d": {}}, "e": 'say "hi"', "f": 1.5, "g": True}
    assert yaml_subset.load(to_yaml(value)) == value == yaml.safe_load(to_yaml(value))


@pytest.mark.parametrize("text", ["a: &anchor 1\n", "a:\n  - b: 1\n", "- 1\n", "a: 'open\n",
                                  "a: 1\n   b: 2\n"])
def test_yaml_beyond_the_subset_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        yaml_subset.load(text)
