"""Drift monitoring: a reference data set against current data, per feature (PSI,
Kolmogorov-Smirnov, chi-squared) with a verdict for the data set, stored and tracked reports,
and triggers that launch a plan (retraining) when drift is found.

    stats.py     compare(reference, current) -> DriftReport; psi, ks, chi2, quality_decay;
                 Thresholds
    sources.py   reading reference and current data: files, folders, globs, a model's
                 training data set from lineage, a deployment's sampled requests
    service.py   Monitoring: create and run monitors, store and track reports, fire triggers

    from slipstream import monitor
    report = monitor.compare(train_df, todays_df)
    with monitor.Monitoring.from_settings() as monitoring:
        monitoring.create("churn", deployment="churn-api", plan="retrain", cooldown_seconds=86400)
        outcome = monitoring.run("churn")

Everything is imported on first use (pandas and scipy are the monitor's, not `slipstream`'s).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slipstream.monitor.service import Monitoring, MonitorRun
    from slipstream.monitor.stats import Thresholds, compare, quality_decay

_EXPORTS = {"compare": "slipstream.monitor.stats", "quality_decay": "slipstream.monitor.stats",
            "Thresholds": "slipstream.monitor.stats", "Monitoring": "slipstream.monitor.service",
            "MonitorRun": "slipstream.monitor.service"}

__all__ = ["MonitorRun", "Monitoring", "Thresholds", "compare", "quality_decay"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'slipstream.monitor' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
