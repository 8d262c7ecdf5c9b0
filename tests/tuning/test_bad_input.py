"""Bad input found before any trial: one InvalidInputError naming what is wrong, and nothing
written (no study, no run, no execution)."""

from __future__ import annotations

from typing import Any

import pytest

import slipstream as ss
from slipstream._core.errors import InvalidInputError
from tests.tuning import objectives

SPACE = {"x": ss.uniform(-5, 5), "y": ss.intrange(0, 3)}


def two(a: float, b: float) -> float:
    return a + b


@pytest.mark.parametrize(("fn", "kwargs", "words"), [
    (objectives.quadratic, {"space": {}}, "search space is empty"),
    (objectives.quadratic, {"space": {"x": 1.0, "y": ss.intrange(0, 1)}}, "'x'.*not a "
                                                                             "distribution"),
    (objectives.quadratic, {"space": {"x": {"unifrom": [0, 1]}, "y": ss.intrange(0, 1)}},
     "Did you mean 'uniform'"),
    (objectives.quadratic, {"space": {"x": {"uniform": [2, 1]}, "y": ss.intrange(0, 1)}},
     "low is greater than high"),
    (objectives.quadratic, {"space": SPACE, "algorithm": "tpee"}, "unknown algorithm 'tpee'.*"
                                                                   "Did you mean 'tpe'"),
    (objectives.quadratic, {"space": SPACE, "early_stopping": "medain"},
     "unknown early_stopping 'medain'"),
    (objectives.quadratic, {"space": SPACE, "goal": "max"}, "unknown goal 'max'"),
    (objectives.quadratic, {"space": SPACE, "max_trials": 0}, "max_trials must be"),
    (objectives.quadratic, {"space": SPACE, "parallel_trials": -1}, "parallel_trials must be"),
    (objectives.quadratic, {"space": {"x": ss.uniform(0, 1), "z": ss.intrange(0, 1)}},
     r"takes \(x, y\).*'z' is in the space but is not a parameter.*'y' has no default"),
    (two, {"space": {"a": ss.uniform(0, 1), "bb": ss.uniform(0, 1)}},
     "'bb' is in the space.*Did you mean 'b'"),
    (objectives.quadratic, {"space": SPACE, "algorithm": "grid"}, "'x' is continuous"),
    (objectives.quadratic, {"space": {"x": ss.choice([0.0, 1.0]), "y": ss.intrange(0, 9)},
                            "algorithm": "grid", "max_trials": 5},
     "the grid has 20 points but max_trials is 5"),
    (objectives.quadratic, {"space": SPACE, "algorithm_settings": {"n_startup": 5}},
     "algorithm 'tpe' has no setting 'n_startup'.*Did you mean 'n_startup_trials'"),
    (objectives.quadratic, {"space": SPACE, "algorithm": "random",
                            "algorithm_settings": {"n_startup_trials": 5}},
     "algorithm 'random' has no setting 'n_startup_trials' \\(its settings: none\\)"),
    (objectives.quadratic, {"space": SPACE, "algorithm_settings": {"n_startup_trials": -1}},
     "setting 'n_startup_trials' of 'tpe' must be an integer >= 0, not -1"),
    (objectives.quadratic, {"space": SPACE, "algorithm_settings": {"multivariate": "yes"}},
     "setting 'multivariate' of 'tpe' must be True or False"),
    (objectives.quadratic, {"space": SPACE,
                            "algorithm_settings": {"group": True, "multivariate": False}},
     "'group' of 'tpe' needs multivariate"),
    (objectives.quadratic, {"space": SPACE, "algorithm_settings": [("n_startup_trials", 1)]},
     "algorithm_settings must be a dict"),
    (objectives.quadratic, {"space": SPACE, "name": " bad"}, "study name"),
    (objectives.quadratic, {"space": SPACE, "executor": "slurm"}, "Unknown executor"),
    (42, {"space": SPACE}, "needs a function"),
])
def test_bad_input_writes_nothing(fn: Any, kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        ss.tune(fn, **kwargs)
    from slipstream.tuning.api import study_store

    assert study_store().list_studies() == []
    assert ss.search_runs(output_format="list") == []


def test_a_taken_name() -> None:
    from slipstream.metadata.studies import StudyExistsError

    ss.tune(objectives.quadratic, space=SPACE, max_trials=1, name="taken")
    with pytest.raises(StudyExistsError, match=r"ss.resume_study\('taken'\)"):
        ss.tune(objectives.quadratic, space=SPACE, max_trials=1, name="taken")
    assert len(ss.search_runs(output_format="list")) == 2  # the first study's run and trial
