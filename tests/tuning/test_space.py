"""Search spaces: the helpers build Optuna's distributions, the file form parses to the same, the
stored JSON round-trips, and every inconsistency is one InvalidInputError naming the parameter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

import slipstream as ss
from slipstream._core.errors import InvalidInputError
from slipstream.tuning.space import (
    grid_points,
    load_space,
    parse_space,
    space_from_json,
    space_to_json,
)


def test_helpers_are_optunas_distributions() -> None:
    assert ss.loguniform(1e-4, 1e2) == FloatDistribution(1e-4, 1e2, log=True)
    assert ss.uniform(0, 1, step=0.25) == FloatDistribution(0.0, 1.0, step=0.25)
    assert ss.intrange(1, 4) == IntDistribution(1, 4)
    assert ss.intrange(1, 64, log=True) == IntDistribution(1, 64, log=True)
    assert ss.choice(["l1", "l2"]) == CategoricalDistribution(["l1", "l2"])


def test_file_form_parses_to_the_same_space() -> None:
    parsed = parse_space({
        "C": {"loguniform": [1e-4, 100]},
        "alpha": {"uniform": [0, 1], "step": 0.25},
        "layers": {"intrange": {"low": 1, "high": 8, "step": 1}},
        "penalty": {"choice": ["l1", "l2"]},
        "solver": ["lbfgs", "saga"],
    })
    assert parsed == {"C": ss.loguniform(1e-4, 100), "alpha": ss.uniform(0, 1, step=0.25),
                      "layers": ss.intrange(1, 8), "penalty": ss.choice(["l1", "l2"]),
                      "solver": ss.choice(["lbfgs", "saga"])}


def test_yaml_and_json_files(tmp_path: Path) -> None:
    yaml_file = tmp_path / "space.yaml"
    yaml_file.write_text("C: {loguniform: [1.0e-4, 100]}\npenalty: {choice: [l1, l2]}\n"
                         "layers: {intrange: [1, 4]}\n")
    json_file = tmp_path / "space.json"
    json_file.write_text(json.dumps({"C": {"loguniform": [1e-4, 100]},
                                     "penalty": {"choice": ["l1", "l2"]},
                                     "layers": {"intrange": [1, 4]}}))
    expected = {"C": ss.loguniform(1e-4, 100), "penalty": ss.choice(["l1", "l2"]),
                "layers": ss.intrange(1, 4)}
    assert load_space(yaml_file) == expected
    assert load_space(json_file) == expected


def test_stored_json_round_trips() -> None:
    space = {"C": ss.loguniform(1e-4, 1e2), "penalty": ss.choice(["l1", "l2"]),
             "layers": ss.intrange(1, 4), "alpha": ss.uniform(0, 1, step=0.5)}
    stored = space_to_json(space)
    assert stored["C"] == {"name": "FloatDistribution",
                           "attributes": {"low": 1e-4, "high": 1e2, "step": None, "log": True}}
    assert space_from_json(json.loads(json.dumps(stored))) == space


@pytest.mark.parametrize(("make", "words"), [
    (lambda: ss.uniform(2, 1), "low is greater than high"),
    (lambda: ss.loguniform(0, 1), "low must be > 0"),
    (lambda: ss.intrange(1, 4, step=0), "step must be >= 1"),
    (lambda: ss.intrange(1.5, 4), "must be an integer"),
    (lambda: ss.choice([]), "empty"),
    (lambda: ss.choice(["a", "a"]), "repeat"),
    (lambda: ss.choice([{"nested": 1}]), "choices must be"),
    (lambda: ss.uniform(0, float("inf")), "finite"),
])
def test_bad_distributions(make: object, words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        make()  # type: ignore[operator]


@pytest.mark.parametrize(("data", "words"), [
    ({}, "empty"),
    ({"C": {"logunifrom": [1, 2]}}, r"'C'.*unknown distribution 'logunifrom'.*Did you mean "
                                     r"'loguniform'"),
    ({"C": {"loguniform": [0, 2]}}, r"'C'.*low must be > 0"),
    ({"C": {"uniform": [3, 2]}}, r"'C'.*low is greater than high"),
    ({"C": {"choice": []}}, r"'C'.*empty"),
    ({"C": 0.5}, r"'C'.*not a distribution"),
    ({"C": {"uniform": [0, 1], "stepp": 1}}, r"'C'.*unknown option 'stepp'"),
    ({"C": {"uniform": [0]}}, r"'C'.*uniform"),
    ({"C": {"uniform": [0, 1], "choice": [1]}}, r"'C'.*exactly one"),
])
def test_bad_files(data: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        parse_space(data)


def test_grid_points_in_order() -> None:
    points = grid_points({"a": ss.choice(["x", "y"]), "b": ss.intrange(1, 3),
                          "c": ss.uniform(0, 1, step=0.5)})
    assert len(points) == 18
    assert points[:4] == [{"a": "x", "b": 1, "c": 0.0}, {"a": "x", "b": 1, "c": 0.5},
                          {"a": "x", "b": 1, "c": 1.0}, {"a": "x", "b": 2, "c": 0.0}]
    assert len({json.dumps(p, sort_keys=True) for p in points}) == 18
    with pytest.raises(InvalidInputError, match="'c' is continuous"):
        grid_points({"c": ss.uniform(0, 1)})
