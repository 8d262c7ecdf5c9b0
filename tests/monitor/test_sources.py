"""Sampled requests as rows, in each shape the serving app logs them (named columns, a 2-D
tensor, outputs as a list, records or a dict), and files read by extension."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from slipstream._core.errors import InvalidInputError
from slipstream.entities.deployments import PredictionRecord
from slipstream.monitor.sources import predictions_frame, read_data


def _record(inputs: object, outputs: object, status: int = 200) -> PredictionRecord:
    return PredictionRecord("d", "primary", "1", "r", 1, inputs, outputs, 1.0, status)


def test_requests_in_every_logged_shape_become_rows() -> None:
    rows = predictions_frame([
        _record({"age": [30, 40], "plan": ["free", "pro"]}, [0, 1]),
        _record({"age": [50], "plan": ["team"]}, [{"label": 1, "score": 0.9}]),
    ])
    assert list(rows["age"]) == [30, 40, 50] and list(rows["plan"]) == ["free", "pro", "team"]
    assert list(rows["prediction"])[:2] == [0, 1]
    assert rows["prediction.score"].iloc[2] == 0.9
    tensor = predictions_frame([_record({"input": [[1.0, 2.0], [3.0, 4.0]]},
                                        {"proba": [0.1, 0.8]})])
    assert list(tensor.columns) == ["input_0", "input_1", "prediction.proba"]
    assert list(tensor["input_1"]) == [2.0, 4.0]
    with pytest.raises(InvalidInputError, match="no sampled request has inputs"):
        predictions_frame([_record(None, None)])


def test_files_by_extension(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0], "k": ["a", "b"]})
    frame.to_json(tmp_path / "a.jsonl", orient="records", lines=True)
    frame.to_json(tmp_path / "b.json", orient="records")
    read, label = read_data([str(tmp_path / "a.jsonl"), str(tmp_path / "b.json")])
    assert len(read) == 4 and label.endswith("(2 files)")
    with pytest.raises(InvalidInputError, match="matches no file"):
        read_data(str(tmp_path / "*.parquet"))
    with pytest.raises(InvalidInputError, match="file paths"):
        read_data(42)
