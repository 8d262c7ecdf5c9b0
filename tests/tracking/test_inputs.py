"""`log_input`: datasets from pandas, numpy and Dataset records, searchable by dataset."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import slipstream as ss
from slipstream._core.errors import InvalidInputError
from slipstream.entities import Dataset


def test_log_input_records_datasets_with_digest_schema_and_source() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "label": ["a", "b", "a"], "n": [1, 2, 3]})
    with ss.start_run() as run:
        ss.log_input(frame, context="training", name="iris")
        ss.log_input(np.zeros((5, 4)), context="evaluation", source="s3://bucket/eval.npy")
        ss.log_input(Dataset("ref", "abcd1234", "local", json.dumps({"uri": "/data/ref"})))
        with pytest.raises(InvalidInputError, match="cannot describe a dict"):
            ss.log_input({"not": "data"})
    inputs = {i.dataset.name: i for i in ss.get_run(run.info.run_id).inputs}
    assert set(inputs) == {"iris", "dataset", "ref"}
    iris = inputs["iris"]
    assert iris.tags == {"mlflow.data.context": "training"}
    assert len(iris.dataset.digest) == 8 and iris.dataset.source_type == "code"
    assert json.loads(iris.dataset.schema or "")["mlflow_colspec"][0] == {
        "type": "double", "name": "x", "required": True}
    assert json.loads(iris.dataset.profile or "") == {"num_rows": 3, "num_elements": 9}
    array = inputs["dataset"].dataset
    assert array.source_type == "s3" and json.loads(array.source) == {"uri": "s3://bucket/eval.npy"}
    found = ss.search_runs(filter_string="datasets.name = 'iris'")
    assert list(found["run_id"]) == [run.info.run_id]


def test_the_digest_follows_the_content() -> None:
    from slipstream.tracking.datasets import to_dataset

    one = pd.DataFrame({"x": [1, 2]})
    assert to_dataset(one).digest == to_dataset(one.copy()).digest
    assert to_dataset(one).digest != to_dataset(pd.DataFrame({"x": [1, 3]})).digest
    assert to_dataset(np.arange(4)).digest != to_dataset(np.arange(5)).digest
