"""Records of drift monitoring: a test's result on one feature, a feature's verdict, model
quality decay, the drift report of one comparison, a monitor (what it watches, against what,
with which thresholds, and what it launches on drift) and a trigger's firing."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class FeatureKind(enum.StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"


class TargetKind(enum.StrEnum):
    """What a monitor watches: a serving deployment's logged requests, or a data set (a file,
    folder or glob read at each run)."""

    DEPLOYMENT = "deployment"
    DATASET = "dataset"


@dataclass(frozen=True, slots=True)
class TestResult:
    """One test on one feature: `name` psi | ks | chi2; `p_value` None for PSI; `drifted`
    when the p-value is below `threshold` (ks, chi2) or the statistic reaches it (psi)."""

    __test__ = False  # not a pytest class

    name: str
    statistic: float
    p_value: float | None
    threshold: float
    drifted: bool


@dataclass(frozen=True, slots=True)
class FeatureDrift:
    """A feature's tests (PSI first, then KS or chi-squared) and whether it drifted (by the
    tests the thresholds' `decide_by` names); sizes are the values compared (numeric: the
    non-missing ones)."""

    feature: str
    kind: str
    tests: tuple[TestResult, ...]
    drifted: bool
    reference_size: int
    current_size: int

    def test(self, name: str) -> TestResult | None:
        """The result of test `name`, or None when it was not run on this feature."""
        return next((t for t in self.tests if t.name == name), None)


@dataclass(frozen=True, slots=True)
class QualityDecay:
    """A model's `metric` on the reference and the current data; `decayed` when it got worse
    by more than `threshold` (`drop` is how much worse: positive = worse)."""

    metric: str
    reference: float
    current: float
    drop: float
    threshold: float
    decayed: bool


@dataclass(frozen=True, slots=True)
class DriftReport:
    """One comparison of current data with a reference: per-feature results, the share of
    drifted features, quality decay when labels were given, and the verdict (`drifted`: data
    drift past the share threshold, or quality decay)."""

    report_id: str
    monitor: str
    created_at: float  # epoch seconds
    reference: str  # where the reference came from
    current: str
    reference_size: int
    current_size: int
    features: tuple[FeatureDrift, ...]
    drifted_share: float
    data_drifted: bool
    drifted: bool
    quality: QualityDecay | None = None
    thresholds: Mapping[str, Any] = field(default_factory=dict)
    run_id: str = ""  # the tracking run its metrics went to

    def feature(self, name: str) -> FeatureDrift:
        """The result of feature `name` (KeyError naming the features compared)."""
        for result in self.features:
            if result.feature == name:
                return result
        raise KeyError(f"no feature {name!r} in the report; compared: "
                       f"{', '.join(f.feature for f in self.features)}")

    @property
    def drifted_features(self) -> tuple[str, ...]:
        return tuple(f.feature for f in self.features if f.drifted)


@dataclass(frozen=True, slots=True)
class Monitor:
    """A named monitor: it watches `target` (a deployment's name, or a data set's path, folder
    or glob) against `reference` (a file, folder or glob, or a model URI such as
    `models:/NAME/3` whose training data set is found from lineage; empty for a deployment:
    the training data of the model version its primary route serves). `thresholds` override
    the defaults (`monitor.stats.Thresholds`). On drift it launches `plan` with
    `plan_inputs`, at most once per `cooldown_seconds`. It has no schedule of its own: the
    scheduler, or `slipstream monitor run`, runs it."""

    name: str
    target_kind: str
    target: str
    reference: str = ""
    thresholds: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)  # columns, label, window...
    plan: str = ""
    plan_inputs: Mapping[str, Any] = field(default_factory=dict)
    cooldown_seconds: float = 3600.0
    created_at: float = 0.0
    run_id: str = ""  # the tracking run its reports' metrics chart in
    last_fired_at: float | None = None


@dataclass(frozen=True, slots=True)
class TriggerFiring:
    """A trigger that fired: the monitor, the report that found drift, the plan launched and
    what came of it (`execution_id` when launched, else `error`)."""

    firing_id: str
    monitor: str
    report_id: str
    plan: str
    fired_at: float
    execution_id: str = ""
    error: str = ""
