"""Drift statistics: per-feature tests of a reference sample against a current one, the data
set's verdict, and model-quality decay.

Each feature gets PSI (population stability index: bins on the reference's quantiles, or one
bin per category; an empty bin counts as `EPSILON` so the logarithm stays finite) and a
significance test: two-sample Kolmogorov-Smirnov for numeric columns (`scipy.stats.ks_2samp`),
chi-squared on the two samples' category counts for categorical ones
(`scipy.stats.chi2_contingency` on the 2 x k table over the categories of both, so a category
unseen in the reference counts; scipy's Yates correction applies when there are two). Each
test has its drifted flag: the test's when its p-value is below `alpha / m` (Bonferroni over
the m features compared, so the chance of any false alarm on undrifted data stays below
`alpha`; `correction="none"` tests each at `alpha`), PSI's when it reaches `psi`. Which flags
make the feature drift is `decide_by`: "test" (default), "psi" or "any". PSI is not the
default judge because its noise grows as samples shrink (about (bins - 1) * (1/n + 1/m) when
nothing changed: 0.09 for two samples of 200, and past 0.2 in 6 of 100 such trials), while the
tests' p-values account for sample size. The data set drifts when
the share of drifted features exceeds `drift_share` (default 0: any drifted feature). Model
quality decays when its metric (accuracy by default) is worse on the current data than on the
reference by more than `quality_drop` (the paper's 0.05 accuracy drop).

Numeric vs categorical comes from the dtypes (numbers are numeric; booleans, strings and
categories categorical), overridable per column. Missing values are left out of numeric tests
and are a category of their own (`MISSING`) in categorical ones.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from slipstream._core.errors import InvalidInputError
from slipstream._core.ids import new_id
from slipstream.entities.monitoring import (
    DriftReport,
    FeatureDrift,
    FeatureKind,
    QualityDecay,
    TestResult,
)

EPSILON = 1e-4
MISSING = "<missing>"
#: Quality metrics (accuracy: higher is better; the others lower is better).
METRICS = ("accuracy", "error_rate", "mae", "rmse")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a comparison counts as drift (see the module doc)."""

    alpha: float = 0.01
    psi: float = 0.2
    drift_share: float = 0.0
    quality_drop: float = 0.05
    quality_metric: str = "accuracy"
    correction: str = "bonferroni"
    bins: int = 10
    decide_by: str = "test"

    def __post_init__(self) -> None:
        for name in ("alpha", "drift_share"):
            value = getattr(self, name)
            if not _number(value) or not 0 <= value < 1:
                raise InvalidInputError(f"threshold {name} must be a number in [0, 1), not "
                                        f"{value!r}")
        for name in ("psi", "quality_drop"):
            value = getattr(self, name)
            if not _number(value) or value < 0:
                raise InvalidInputError(f"threshold {name} must be a number >= 0, not {value!r}")
        if self.correction not in ("bonferroni", "none"):
            raise InvalidInputError(f"correction must be 'bonferroni' or 'none', not "
                                    f"{self.correction!r}")
        if self.decide_by not in ("test", "psi", "any"):
            raise InvalidInputError(f"decide_by must be 'test', 'psi' or 'any', not "
                                    f"{self.decide_by!r}")
        if self.quality_metric not in METRICS:
            raise InvalidInputError(f"quality_metric {self.quality_metric!r} is not one of "
                                    f"{', '.join(METRICS)}")
        if not isinstance(self.bins, int) or isinstance(self.bins, bool) or self.bins < 2:
            raise InvalidInputError(f"bins must be an integer >= 2, not {self.bins!r}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | Thresholds | None) -> Thresholds:
        """Thresholds from a mapping of overrides (InvalidInputError naming an unknown key)."""
        if isinstance(values, Thresholds):
            return values
        values = dict(values or {})
        known = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise InvalidInputError(f"unknown threshold(s) {unknown}; known: {known}")
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# -- single tests -----------------------------------------------------------------------------

def psi(reference: Any, current: Any, *, bins: int = 10, epsilon: float = EPSILON) -> float:
    """PSI of numeric samples: `bins` bins cut at the reference's quantiles (fewer when
    quantiles coincide), sum over bins of (cur - ref) * ln(cur / ref) of the two shares, an
    empty bin's share taken as `epsilon`."""
    ref = _numbers(reference, "reference")
    cur = _numbers(current, "current")
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1]))
    ref_share = np.bincount(np.searchsorted(edges, ref, side="right"),
                            minlength=len(edges) + 1) / len(ref)
    cur_share = np.bincount(np.searchsorted(edges, cur, side="right"),
                            minlength=len(edges) + 1) / len(cur)
    return _psi_of_shares(ref_share, cur_share, epsilon)


def psi_categorical(reference: Any, current: Any, *, epsilon: float = EPSILON) -> float:
    """PSI of categorical samples: one bin per category seen in either sample."""
    ref_counts, cur_counts = category_counts(reference, current)
    return _psi_of_shares(ref_counts / ref_counts.sum(), cur_counts / cur_counts.sum(), epsilon)


def ks(reference: Any, current: Any) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov statistic and p-value (scipy.stats.ks_2samp)."""
    stats = _scipy_stats()
    result = stats.ks_2samp(_numbers(reference, "reference"), _numbers(current, "current"))
    return float(result.statistic), float(result.pvalue)


def chi2(reference: Any, current: Any) -> tuple[float, float]:
    """Chi-squared test of the two samples' category counts (scipy.stats.chi2_contingency on
    the 2 x k table); (0, 1) when both hold a single category, the same one."""
    ref_counts, cur_counts = category_counts(reference, current)
    if len(ref_counts) < 2:
        return 0.0, 1.0
    result = _scipy_stats().chi2_contingency(np.vstack([ref_counts, cur_counts]))
    return float(result.statistic), float(result.pvalue)


def category_counts(reference: Any, current: Any) -> tuple[np.ndarray, np.ndarray]:
    """Counts of each category (over both samples, sorted; missing values as MISSING) in the
    reference and in the current sample."""
    ref = _categories(reference, "reference")
    cur = _categories(current, "current")
    ref_counts, cur_counts = ref.value_counts(), cur.value_counts()
    names = sorted(set(ref_counts.index) | set(cur_counts.index))
    return (ref_counts.reindex(names, fill_value=0).to_numpy(dtype=float),
            cur_counts.reindex(names, fill_value=0).to_numpy(dtype=float))


def quality_decay(reference_labels: Any, reference_predictions: Any, current_labels: Any,
                  current_predictions: Any, *, metric: str = "accuracy",
                  threshold: float = 0.05, reference_value: float | None = None) -> QualityDecay:
    """The model's `metric` on both samples and whether it worsened by more than `threshold`;
    `reference_value` (e.g. the accuracy the training run logged) replaces the reference
    sample's figure when given."""
    if metric not in METRICS:
        raise InvalidInputError(f"quality metric {metric!r} is not one of {', '.join(METRICS)}")
    if reference_value is None:
        reference_value = _metric(metric, reference_labels, reference_predictions, "reference")
    current_value = _metric(metric, current_labels, current_predictions, "current")
    higher_better = metric == "accuracy"
    drop = (reference_value - current_value) if higher_better else current_value - reference_value
    return QualityDecay(metric, float(reference_value), current_value, float(drop),
                        float(threshold), bool(drop > threshold))


# -- a data set -------------------------------------------------------------------------------

def feature_kinds(frame: pd.DataFrame, *, categorical: Collection[str] = (),
                  numeric: Collection[str] = ()) -> dict[str, str]:
    """Each column's FeatureKind from its dtype; `categorical` / `numeric` force a kind."""
    both = set(categorical) & set(numeric)
    if both:
        raise InvalidInputError(f"column(s) {sorted(both)} are named both categorical and numeric")
    kinds = {}
    for column in frame.columns:
        dtype = frame[column].dtype
        is_number = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        if column in numeric and not is_number:
            raise InvalidInputError(f"column {column!r} is named numeric but holds {dtype} "
                                    "values; name it categorical")
        kinds[str(column)] = (FeatureKind.CATEGORICAL if column in categorical or not is_number
                              else FeatureKind.NUMERIC).value
    return kinds


def compare(reference: Any, current: Any, *, columns: Sequence[str] | None = None,
            categorical: Collection[str] = (), numeric: Collection[str] = (),
            label: str | None = None, prediction: str | None = None,
            reference_quality: float | None = None,
            thresholds: Thresholds | Mapping[str, Any] | None = None,
            reference_name: str = "reference", current_name: str = "current",
            monitor: str = "") -> DriftReport:
    """Compare `current` with `reference` (pandas DataFrames or dicts of columns) feature by
    feature. `columns` default to the reference's (less `label` and `prediction`); every one
    must be in the current data. With `label` and `prediction` columns in the current data
    (and in the reference, or `reference_quality`), the report includes quality decay."""
    limits = Thresholds.from_mapping(thresholds)
    ref = as_frame(reference, "reference")
    cur = as_frame(current, "current")
    for name, value in (("categorical", categorical), ("numeric", numeric)):
        unknown = sorted(set(value) - set(map(str, ref.columns)))
        if unknown:
            raise InvalidInputError(f"{name} column(s) {unknown} are not in the reference data")
    names = _columns(ref, cur, columns, {label, prediction} - {None})
    kinds = feature_kinds(ref[names], categorical=categorical, numeric=numeric)
    alpha = limits.alpha / len(names) if limits.correction == "bonferroni" else limits.alpha
    features = tuple(_feature(column, kinds[column], ref[column], cur[column], alpha, limits)
                     for column in names)
    share = sum(f.drifted for f in features) / len(features)
    quality = _quality(ref, cur, label, prediction, reference_quality, limits)
    data_drifted = share > limits.drift_share
    return DriftReport(
        report_id=new_id(), monitor=monitor, created_at=time.time(), reference=reference_name,
        current=current_name, reference_size=len(ref), current_size=len(cur),
        features=features, drifted_share=share, data_drifted=data_drifted,
        drifted=data_drifted or (quality is not None and quality.decayed), quality=quality,
        thresholds=limits.as_dict())


def as_frame(data: Any, what: str) -> pd.DataFrame:
    """`data` as a non-empty DataFrame (a DataFrame, or a mapping of column -> values)."""
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, Mapping):
        try:
            frame = pd.DataFrame({str(k): list(v) if not isinstance(v, np.ndarray) else v
                                  for k, v in data.items()})
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"the {what} data is not a table of columns: {exc}") from exc
    else:
        raise InvalidInputError(f"the {what} data must be a pandas DataFrame or a dict of "
                                f"columns, not {type(data).__name__}")
    if frame.empty or len(frame.columns) == 0:
        raise InvalidInputError(f"the {what} data is empty ({len(frame)} rows, "
                                f"{len(frame.columns)} columns)")
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _columns(ref: pd.DataFrame, cur: pd.DataFrame, columns: Sequence[str] | None,
             excluded: set[Any]) -> list[str]:
    if columns is not None:
        names = [str(c) for c in columns]
        if not names:
            raise InvalidInputError("columns is empty: name at least one feature to compare")
        absent = [c for c in names if c not in ref.columns]
        if absent:
            raise InvalidInputError(f"column(s) {absent} are not in the reference data "
                                    f"(it has {list(ref.columns)})")
    else:
        names = [c for c in ref.columns if c not in excluded]
    if not set(names) & set(cur.columns):
        raise InvalidInputError(f"the reference and current data have no column in common "
                                f"(reference: {names}, current: {list(cur.columns)})")
    missing = [c for c in names if c not in cur.columns]
    if missing:
        raise InvalidInputError(f"column(s) {missing} of the reference are missing in the "
                                "current data; pass columns=[...] to compare fewer")
    return names


def _feature(column: str, kind: str, ref: pd.Series, cur: pd.Series, alpha: float,
             limits: Thresholds) -> FeatureDrift:
    try:
        if kind == FeatureKind.NUMERIC:
            ref_values, cur_values = _numbers(ref, "reference"), _numbers(cur, "current")
            index = psi(ref_values, cur_values, bins=limits.bins)
            statistic, p_value = ks(ref_values, cur_values)
            test = "ks"
        else:
            ref_values, cur_values = _categories(ref, "reference"), _categories(cur, "current")
            index = psi_categorical(ref_values, cur_values)
            statistic, p_value = chi2(ref_values, cur_values)
            test = "chi2"
    except InvalidInputError as exc:
        raise InvalidInputError(f"column {column!r}: {exc}") from None
    results = (TestResult("psi", index, None, limits.psi, index >= limits.psi),
               TestResult(test, statistic, p_value, alpha, p_value < alpha))
    deciding = {"test": results[1:], "psi": results[:1], "any": results}[limits.decide_by]
    return FeatureDrift(column, kind, results, any(r.drifted for r in deciding),
                        len(ref_values), len(cur_values))


def _quality(ref: pd.DataFrame, cur: pd.DataFrame, label: str | None, prediction: str | None,
             reference_value: float | None, limits: Thresholds) -> QualityDecay | None:
    if label is None and prediction is None:
        return None
    if label is None or prediction is None:
        raise InvalidInputError("quality decay needs both label= and prediction= columns")
    for what, frame in (("current", cur),) + ((("reference", ref),) if reference_value is None
                                               else ()):
        absent = [c for c in (label, prediction) if c not in frame.columns]
        if absent:
            raise InvalidInputError(f"column(s) {absent} are not in the {what} data: quality "
                                    "decay needs labels and predictions there")
    ref_labels = ref[label] if reference_value is None else None
    ref_predictions = ref[prediction] if reference_value is None else None
    return quality_decay(ref_labels, ref_predictions, cur[label], cur[prediction],
                         metric=limits.quality_metric, threshold=limits.quality_drop,
                         reference_value=reference_value)


def _metric(metric: str, labels: Any, predictions: Any, what: str) -> float:
    truth, guess = np.asarray(labels), np.asarray(predictions)
    if truth.ndim != 1 or truth.shape != guess.shape or len(truth) == 0:
        raise InvalidInputError(f"the {what} labels and predictions must be two non-empty "
                                f"sequences of one length, not {truth.shape} and {guess.shape}")
    if metric in ("accuracy", "error_rate"):
        accuracy = float(np.mean(truth == guess))
        return accuracy if metric == "accuracy" else 1 - accuracy
    try:
        error = truth.astype(float) - guess.astype(float)
    except ValueError as exc:
        raise InvalidInputError(f"{metric} needs numeric {what} labels and predictions") from exc
    return float(np.mean(np.abs(error))) if metric == "mae" else float(np.sqrt(np.mean(error ** 2)))


def _psi_of_shares(ref: np.ndarray, cur: np.ndarray, epsilon: float) -> float:
    ref = np.where(ref == 0, epsilon, ref)
    cur = np.where(cur == 0, epsilon, cur)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def _numbers(values: Any, what: str) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind == "f" and values.ndim == 1:
        array = values
    else:
        try:
            array = np.asarray(pd.to_numeric(pd.Series(np.asarray(values).ravel())), dtype=float)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"the {what} values are not numbers ({exc})") from None
    array = array[~np.isnan(array)]
    if len(array) == 0:
        raise InvalidInputError(f"the {what} data has no values to compare")
    return array


def _categories(values: Any, what: str) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, object))
    if series.dtype == object and series.map(type).eq(str).all():
        out = series
    else:
        out = series.astype(object).where(series.notna(), MISSING).map(str)
    if len(out) == 0:
        raise InvalidInputError(f"the {what} data has no values to compare")
    return out.fillna(MISSING)


def _scipy_stats() -> Any:
    try:
        from scipy import stats
    except ImportError as exc:  # pragma: no cover - scipy is the monitor extra
        raise InvalidInputError("drift tests need scipy: pip install 'slipstream[monitor]'") \
            from exc
    return stats


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
