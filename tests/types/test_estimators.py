"""scikit-learn estimators are typed values: stored as "sklearn" blobs, checked, never warned."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from slipstream._core.errors import ValueConversionError
from slipstream.types import ConversionContext, TypeEngine


def _fitted() -> LogisticRegression:
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    return LogisticRegression().fit(x, np.array([0, 0, 1, 1]))


def test_fitted_estimator_round_trips_and_predicts_the_same(
        engine: TypeEngine, ctx: ConversionContext) -> None:
    model = _fitted()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        literal = engine.to_literal(model, LogisticRegression, ctx)
    assert literal["fmt"] == "sklearn"
    back = engine.to_python(literal, LogisticRegression, ctx)
    probe = np.array([[0.5], [2.5]])
    assert type(back) is LogisticRegression
    np.testing.assert_array_equal(back.predict_proba(probe), model.predict_proba(probe))


def test_estimator_of_another_class_is_refused(engine: TypeEngine,
                                               ctx: ConversionContext) -> None:
    with pytest.raises(ValueConversionError, match="LogisticRegression"):
        engine.to_literal(DecisionTreeClassifier(), LogisticRegression, ctx)


def test_estimators_are_not_shared_between_tasks(engine: TypeEngine) -> None:
    assert engine.is_immutable(LogisticRegression) is False
    assert engine.transformer_for(LogisticRegression).name == "sklearn"
