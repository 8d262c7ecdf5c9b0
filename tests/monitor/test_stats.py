"""Drift statistics against scipy on known distributions, PSI on hand-computed cases, the
chi-squared test on categorical shifts, quality decay, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from slipstream._core.errors import InvalidInputError
from slipstream.monitor import stats

TRIALS = 100


def _trial_frames(seed: int, shift: float, n: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n),
                        "c": rng.exponential(size=n)})
    cur = pd.DataFrame({"a": rng.normal(shift, size=n), "b": rng.normal(size=n),
                        "c": rng.exponential(size=n)})
    return ref, cur


def test_no_drift_raises_no_alarm_in_95_percent_of_100_seeded_trials() -> None:
    alarms = sum(stats.compare(*_trial_frames(seed, 0.0)).drifted for seed in range(TRIALS))
    assert alarms <= 5, f"{alarms} false alarms in {TRIALS} trials"


def test_a_one_sigma_mean_shift_alarms_in_95_percent_of_100_seeded_trials() -> None:
    reports = [stats.compare(*_trial_frames(seed, 1.0)) for seed in range(TRIALS)]
    assert sum(r.drifted for r in reports) >= 95
    assert sum(r.feature("a").drifted for r in reports) >= 95
    # The undrifted features stay quiet: the verdict is the shifted feature's.
    assert sum(r.feature("b").drifted or r.feature("c").drifted for r in reports) <= 5


def test_ks_and_chi2_are_scipys() -> None:
    rng = np.random.default_rng(7)
    ref, cur = rng.normal(size=150), rng.normal(0.3, size=170)
    expected = scipy_stats.ks_2samp(ref, cur)
    assert stats.ks(ref, cur) == pytest.approx((expected.statistic, expected.pvalue))
    ref_c = rng.choice(["a", "b", "c"], 200, p=[0.5, 0.3, 0.2])
    cur_c = rng.choice(["a", "b", "c"], 200, p=[0.3, 0.3, 0.4])
    table = [[np.sum(ref_c == k) for k in "abc"], [np.sum(cur_c == k) for k in "abc"]]
    chi = scipy_stats.chi2_contingency(table)
    assert stats.chi2(ref_c, cur_c) == pytest.approx((chi.statistic, chi.pvalue))
    report = stats.compare({"x": ref[:150], "k": ref_c[:150]}, {"x": cur[:150], "k": cur_c[:150]})
    assert report.feature("x").test("ks").p_value == pytest.approx(
        scipy_stats.ks_2samp(ref[:150], cur[:150]).pvalue)
    assert report.feature("k").kind == "categorical"


def test_psi_hand_computed() -> None:
    reference = np.arange(10.0)  # bins=2: cut at the median 4.5, shares 0.5 / 0.5
    # 3 of 4 below the cut: (0.75-0.5) ln(0.75/0.5) + (0.25-0.5) ln(0.25/0.5)
    assert stats.psi(reference, [0, 1, 2, 7], bins=2) == pytest.approx(
        0.25 * math.log(1.5) + 0.25 * math.log(2))
    # All below: the empty bin counts as epsilon
    eps = stats.EPSILON
    assert stats.psi(reference, [0, 1, 2, 3], bins=2) == pytest.approx(
        0.5 * math.log(1 / 0.5) + (eps - 0.5) * math.log(eps / 0.5))
    assert stats.psi(reference, reference) == 0.0
    # Categorical: a (0.5 -> 0.25), b (0.5 -> 0.25), c unseen in the reference (eps -> 0.5)
    assert stats.psi_categorical(list("aabb"), list("abcc")) == pytest.approx(
        2 * (-0.25 * math.log(0.5)) + (0.5 - eps) * math.log(0.5 / eps))
    # Quantiles that coincide make fewer bins, not empty ones
    assert stats.psi(np.zeros(50), np.zeros(20)) == 0.0


def test_chi2_on_categorical_shifts() -> None:
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"plan": rng.choice(["free", "pro"], 400, p=[0.7, 0.3])})
    same = pd.DataFrame({"plan": rng.choice(["free", "pro"], 400, p=[0.7, 0.3])})
    shifted = pd.DataFrame({"plan": rng.choice(["free", "pro"], 400, p=[0.4, 0.6])})
    unseen = pd.DataFrame({"plan": rng.choice(["free", "pro", "team"], 400, p=[0.6, 0.3, 0.1])})
    assert not stats.compare(ref, same).drifted
    result = stats.compare(ref, shifted).feature("plan")
    assert result.drifted and result.test("chi2").p_value < 1e-6
    assert stats.compare(ref, unseen).feature("plan").drifted
    assert stats.chi2(["a"] * 5, ["a"] * 7) == (0.0, 1.0)


def test_kinds_from_dtypes_and_overrides() -> None:
    frame = pd.DataFrame({"n": [1.0, 2.0], "i": [1, 2], "s": ["a", "b"], "b": [True, False]})
    assert stats.feature_kinds(frame) == {"n": "numeric", "i": "numeric", "s": "categorical",
                                          "b": "categorical"}
    assert stats.feature_kinds(frame, categorical=["i"])["i"] == "categorical"
    with pytest.raises(InvalidInputError, match="'s' is named numeric"):
        stats.feature_kinds(frame, numeric=["s"])


def test_missing_values() -> None:
    ref = pd.DataFrame({"x": [1.0, 2.0, np.nan, 4.0] * 25, "k": ["a", None, "b", "a"] * 25})
    report = stats.compare(ref, ref)
    assert report.feature("x").reference_size == 75
    assert not report.drifted
    with pytest.raises(InvalidInputError, match="column 'x': the current data has no values"):
        stats.compare(ref, ref.assign(x=np.nan))


def test_quality_decay_with_labels() -> None:
    rng = np.random.default_rng(5)
    y_ref, y_cur = rng.integers(0, 2, 500), rng.integers(0, 2, 500)
    wrong = rng.random(500) < 0.2  # 80 % right on the current data, 100 % on the reference
    ref = pd.DataFrame({"x": rng.normal(size=500), "y": y_ref, "pred": y_ref})
    cur = pd.DataFrame({"x": rng.normal(size=500), "y": y_cur,
                        "pred": np.where(wrong, 1 - y_cur, y_cur)})
    report = stats.compare(ref, cur, label="y", prediction="pred")
    assert [f.feature for f in report.features] == ["x"]
    assert report.quality is not None
    assert report.quality.reference == 1.0
    assert report.quality.current == pytest.approx(1 - wrong.mean())
    assert report.quality.decayed and report.drifted and not report.data_drifted
    small = stats.quality_decay(y_ref, y_ref, y_cur, y_cur, reference_value=0.97)
    assert small.drop == pytest.approx(-0.03) and not small.decayed
    mae = stats.quality_decay([1.0, 2.0], [1.0, 2.0], [1.0, 2.0], [1.5, 2.5], metric="mae")
    assert mae.drop == pytest.approx(0.5) and mae.decayed
    with pytest.raises(InvalidInputError, match="both label= and prediction="):
        stats.compare(ref, cur, label="y")
    with pytest.raises(InvalidInputError, match=r"\['pred'\] are not in the current data"):
        stats.compare(ref, cur.drop(columns="pred"), label="y", prediction="pred")


@pytest.mark.parametrize(("reference", "current", "message"), [
    (pd.DataFrame({"a": [1.0]}), pd.DataFrame({"b": [1.0]}), "no column in common"),
    (pd.DataFrame({"a": [1.0], "b": [2.0]}), pd.DataFrame({"a": [1.0]}),
     r"\['b'\] of the reference are missing in the current data"),
    (pd.DataFrame(), pd.DataFrame({"a": [1.0]}), "the reference data is empty"),
    ({"a": []}, {"a": [1.0]}, "the reference data is empty"),
    (pd.DataFrame({"a": [1.0]}), [1, 2], "must be a pandas DataFrame or a dict"),
    ({"a": [1, 2], "b": [1]}, {"a": [1.0]}, "not a table of columns"),
])
def test_bad_input_is_one_clear_error(reference: object, current: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        stats.compare(reference, current)


def test_bad_thresholds_and_columns() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(InvalidInputError, match=r"unknown threshold\(s\) \['alpah'\]"):
        stats.compare(frame, frame, thresholds={"alpah": 0.1})
    with pytest.raises(InvalidInputError, match="alpha must be a number in"):
        stats.compare(frame, frame, thresholds={"alpha": 2})
    with pytest.raises(InvalidInputError, match=r"\['z'\] are not in the reference"):
        stats.compare(frame, frame, columns=["z"])
    with pytest.raises(InvalidInputError, match="categorical column"):
        stats.compare(frame, frame, categorical=["q"])


def test_psi_can_decide() -> None:
    ref, cur = _trial_frames(0, 0.0)
    by_test = stats.compare(ref, cur.assign(a=cur["a"] + 0.35))
    by_psi = stats.compare(ref, cur.assign(a=cur["a"] + 0.35), thresholds={"decide_by": "psi",
                                                                           "psi": 0.05})
    assert by_psi.feature("a").drifted
    assert by_psi.feature("a").test("psi").drifted
    assert by_test.feature("a").test("ks").drifted == by_test.feature("a").drifted
