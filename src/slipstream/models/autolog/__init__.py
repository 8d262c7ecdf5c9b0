"""Autologging: training calls of ML libraries log to the active run by themselves.

    ss.autolog()                         every supported library that is installed
    ss.sklearn.autolog(max_tuning_runs=3) scikit-learn, with its options (sklearn.py)

    sklearn.py          patching scikit-learn's training methods; which run a fit logs to
    sklearn_logging.py  what a fit logs: params, tags, training metrics, model, search runs

Nothing here imports scikit-learn until autologging is turned on.
"""

from __future__ import annotations

import importlib.util

from slipstream.models.autolog import sklearn


def autolog(log_models: bool = True, log_input_examples: bool = False,
            max_tuning_runs: int | None = 5, disable: bool = False, exclusive: bool = False,
            silent: bool = False) -> None:
    """Turn autologging on (or off, with `disable=True`) for every supported library that is
    installed: scikit-learn today. The options mean what they mean for `ss.sklearn.autolog`."""
    if importlib.util.find_spec("sklearn") is not None:
        sklearn.autolog(log_models=log_models, log_input_examples=log_input_examples,
                        max_tuning_runs=max_tuning_runs, disable=disable, exclusive=exclusive,
                        silent=silent)


__all__ = ["autolog", "sklearn"]
