"""The names a study gives its search algorithm and early stopping, mapped to Optuna's samplers
and pruners (never re-implemented here).

    algorithm       random | grid | tpe | cmaes | gp | qmc
    early_stopping  none | median | successive_halving | hyperband

`algorithm_settings` (Katib's algorithmSettings) pass options to the sampler: the documented,
non-deprecated ones that are plain values (`SETTINGS`, checked before anything runs; the seed
is the study's `seed`). Without them each sampler runs with Optuna's defaults: for tpe,
Optuna 5's TPESampler (multivariate TPE for a single objective, 10 random start-up trials,
24 expected-improvement candidates, constant liar for parallel trials).

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
_COUNT = ("an integer >= 0", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0)
_POSITIVE = ("an integer >= 1",
             lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1)
_FLAG = ("True or False", lambda v: isinstance(v, bool))
#: Each algorithm's settings: name -> (what it must be, its check).
SETTINGS: dict[str, dict[str, tuple[str, Any]]] = {
    "random": {},
    "grid": {},
    "tpe": {"n_startup_trials": _COUNT, "n_ei_candidates": _POSITIVE, "multivariate": _FLAG,
            "group": _FLAG, "constant_liar": _FLAG},
    "cmaes": {"n_startup_trials": _COUNT, "popsize": _POSITIVE, "use_separable_cma": _FLAG,
              "with_margin": _FLAG, "lr_adapt": _FLAG, "consider_pruned_trials": _FLAG},
    "gp": {"n_startup_trials": _COUNT, "deterministic_objective": _FLAG},
    "qmc": {"qmc_type": ("'sobol' or 'halton'", lambda v: v in ("sobol", "halton")),
            "scramble": _FLAG},
}
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


def check_settings(algorithm: str, settings: Any) -> dict[str, Any]:
    """`settings` for `algorithm` as a plain dict; InvalidInputError naming the first unknown
    or ill-typed one."""
    if settings is None:
        return {}
    if not isinstance(settings, Mapping):
        raise InvalidInputError(f"algorithm_settings must be a dict of setting -> value, not "
                                f"{settings!r:.80}")
    known = SETTINGS[algorithm]
    for name, value in settings.items():
        if name not in known:
            choices = ", ".join(known) if known else "none"
            hint = did_you_mean(name, known) if isinstance(name, str) else ""
            raise InvalidInputError(f"algorithm {algorithm!r} has no setting {name!r} (its "
                                    f"settings: {choices}).{hint}")
        expected, ok = known[name]
        if not ok(value):
            raise InvalidInputError(f"algorithm setting {name!r} of {algorithm!r} must be "
                                    f"{expected}, not {value!r:.80}")
    if settings.get("group") and settings.get("multivariate") is False:
        raise InvalidInputError("algorithm setting 'group' of 'tpe' needs multivariate TPE: "
                                "leave 'multivariate' out or set it True")
    return dict(settings)


def make_sampler(algorithm: str, seed: int | None,
                 settings: Mapping[str, Any] | None = None) -> BaseSampler:
    """Optuna's sampler for `algorithm` with `settings` (checked by `check_settings`; grid
    studies use a random sampler only to fill a point in: their parameters come from
    `GridOrder`)."""
    import warnings

    import optuna

    samplers = optuna.samplers
    options = dict(settings or {})
    with warnings.catch_warnings():  # "experimental" options (tpe's group, gp's ...)
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if algorithm == "tpe":
            return samplers.TPESampler(seed=seed, **options)
        if algorithm in ("random", "grid"):
            return samplers.RandomSampler(seed=seed)
        if algorithm == "cmaes":
            return samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False, **options)
        if algorithm == "gp":
            return samplers.GPSampler(seed=seed, **options)
        if algorithm == "qmc":  # "experimental" since Optuna 3.0
            options.setdefault("scramble", seed is not None)
            return samplers.QMCSampler(seed=seed, **options)
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
