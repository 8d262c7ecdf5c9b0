"""The names a study gives its search algorithm and early stopping, mapped to Optuna's samplers
and pruners (never re-implemented here).

    algorithm       random | grid | tpe | cmaes | gp | qmc
    early_stopping  none | median | successive_halving | hyperband

`grid` is the one exception to "ask Optuna's sampler": Optuna's GridSampler re-scans every
past trial against the whole grid on each trial (quadratic in the grid size), so a grid study
takes trial N's parameters as point N of the grid in a fixed order (`space.grid_points`,
shuffled by the seed when one is given). That is enumeration, not an algorithm; it also makes
a resumed grid study pick up exactly where it stopped.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import InvalidInputError, did_you_mean

if TYPE_CHECKING:
    from optuna.distributions import BaseDistribution
    from optuna.pruners import BasePruner
    from optuna.samplers import BaseSampler

ALGORITHMS = ("random", "grid", "tpe", "cmaes", "gp", "qmc")
EARLY_STOPPING = ("none", "median", "successive_halving", "hyperband")
GOALS = ("maximize", "minimize")
_NEEDS = {"cmaes": ("cmaes", "cmaes"), "gp": ("torch", "torch")}


def check_choice(label: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        raise InvalidInputError(f"unknown {label} {value!r}: use one of "
                                f"{', '.join(choices)}.{hint}")
    if value in _NEEDS and label == "algorithm":
        module, package = _NEEDS[value]
        import importlib.util

        if importlib.util.find_spec(module) is None:
            raise InvalidInputError(f"algorithm {value!r} needs the {package!r} package, which "
                                    f"is not installed: pip install {package}")
    return value


@contextlib.contextmanager
def quiet_optuna() -> Iterator[None]:
    """Optuna's INFO lines (a study created, each trial finished) off while a study runs:
    trials are reported by the store and the CLI's progress, not one log line each."""
    import optuna

    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(verbosity)


def make_sampler(algorithm: str, seed: int | None) -> BaseSampler:
    """Optuna's sampler for `algorithm` (grid studies use a random sampler only to fill a
    point in; their parameters come from `GridOrder`)."""
    import optuna

    samplers = optuna.samplers
    if algorithm == "tpe":
        return samplers.TPESampler(seed=seed)
    if algorithm in ("random", "grid"):
        return samplers.RandomSampler(seed=seed)
    if algorithm == "cmaes":
        return samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    if algorithm == "gp":
        return samplers.GPSampler(seed=seed)
    if algorithm == "qmc":
        import warnings

        with warnings.catch_warnings():  # "experimental" since Optuna 3.0
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return samplers.QMCSampler(seed=seed, scramble=seed is not None)
    raise InvalidInputError(f"unknown algorithm {algorithm!r}")


def make_pruner(early_stopping: str) -> BasePruner:
    import optuna

    pruners = optuna.pruners
    if early_stopping == "none":
        return pruners.NopPruner()
    if early_stopping == "median":
        return pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)
    if early_stopping == "successive_halving":
        return pruners.SuccessiveHalvingPruner()
    if early_stopping == "hyperband":
        return pruners.HyperbandPruner()
    raise InvalidInputError(f"unknown early_stopping {early_stopping!r}")


class GridOrder:
    """Trial number -> grid point, for a grid study: a bijection, so no point is tried twice
    and none is skipped, however the study is interrupted and resumed."""

    def __init__(self, space: Mapping[str, BaseDistribution], seed: int | None) -> None:
        from slipstream.tuning.space import grid_points

        self.points = grid_points(space)
        if seed is not None:
            random.Random(seed).shuffle(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def point(self, number: int) -> dict[str, Any]:
        return self.points[number]
