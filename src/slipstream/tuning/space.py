"""Search spaces: parameter name -> an Optuna distribution.

In Python, build each distribution with a helper (they return Optuna's own distribution
objects, which may also be given directly)::

    space = {"C": ss.loguniform(1e-4, 1e2),        # FloatDistribution(log=True)
             "alpha": ss.uniform(0, 1, step=0.1),  # FloatDistribution(step=0.1)
             "layers": ss.intrange(1, 4),          # IntDistribution, bounds included
             "penalty": ss.choice(["l1", "l2"])}   # CategoricalDistribution

In a file (`slipstream tune --space space.yaml`, or JSON), each parameter maps to a one-entry
mapping `{kind: arguments}`; the arguments are a list (positional: `[low, high]`, or the
choices) or a mapping of keyword arguments; any other key beside the kind is a keyword option::

    C: {loguniform: [1e-4, 100]}
    alpha: {uniform: [0, 1], step: 0.1}
    layers: {intrange: {low: 1, high: 8, step: 1, log: false}}
    penalty: {choice: [l1, l2]}
    solver: [lbfgs, saga]          # a bare list is shorthand for a choice

Kinds: uniform(low, high, step=None), loguniform(low, high), intrange(low, high, step=1,
log=False), choice(values). A space is stored (`Study.space`) as each distribution's Optuna
JSON (`optuna.distributions.distribution_to_json`), parsed to a dict. Every helper and parser
raises InvalidInputError naming the parameter and what is wrong.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import InvalidInputError, did_you_mean

if TYPE_CHECKING:
    from optuna.distributions import BaseDistribution

KINDS = ("uniform", "loguniform", "intrange", "choice")
_CHOICE_TYPES = (str, int, float, bool, type(None))


def uniform(low: float, high: float, step: float | None = None) -> BaseDistribution:
    """Floats in [low, high], on a grid of `step` when given."""
    from optuna.distributions import FloatDistribution

    low, high = _number("uniform", "low", low), _number("uniform", "high", high)
    _ordered("uniform", low, high)
    if step is not None:
        step = _number("uniform", "step", step)
        if step <= 0:
            raise InvalidInputError(f"uniform({low}, {high}, step={step}): step must be > 0")
    return FloatDistribution(float(low), float(high), step=step)


def loguniform(low: float, high: float) -> BaseDistribution:
    """Floats in [low, high] sampled on a log scale (low > 0)."""
    from optuna.distributions import FloatDistribution

    low, high = _number("loguniform", "low", low), _number("loguniform", "high", high)
    _ordered("loguniform", low, high)
    if low <= 0:
        raise InvalidInputError(f"loguniform({low}, {high}): low must be > 0 on a log scale")
    return FloatDistribution(float(low), float(high), log=True)


def intrange(low: int, high: int, step: int = 1, log: bool = False) -> BaseDistribution:
    """Integers low..high (both included), every `step`th, or on a log scale."""
    from optuna.distributions import IntDistribution

    for label, value in (("low", low), ("high", high), ("step", step)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInputError(f"intrange({low}, {high}): {label} must be an integer, "
                                    f"not {value!r}")
    _ordered("intrange", low, high)
    if step < 1:
        raise InvalidInputError(f"intrange({low}, {high}, step={step}): step must be >= 1")
    if log and (low < 1 or step != 1):
        raise InvalidInputError(f"intrange({low}, {high}, log=True): a log scale needs low >= 1 "
                                "and step 1")
    return IntDistribution(low, high, log=bool(log), step=step)


def choice(values: Sequence[Any]) -> BaseDistribution:
    """One of `values` (strings, numbers, booleans or None)."""
    from optuna.distributions import CategoricalDistribution

    if isinstance(values, str | bytes) or not isinstance(values, Sequence | set | frozenset):
        raise InvalidInputError(f"choice({values!r}): give a list of values")
    values = list(values)
    if not values:
        raise InvalidInputError("choice([]): the list of values is empty")
    for value in values:
        if not isinstance(value, _CHOICE_TYPES):
            raise InvalidInputError(f"choice(...): {value!r} is a {type(value).__name__}; "
                                    "choices must be strings, numbers, booleans or None")
    if len({json.dumps(v) for v in values}) != len(values):
        raise InvalidInputError(f"choice({values!r}): the values repeat")
    return CategoricalDistribution(values)


_MAKERS: dict[str, Any] = {"uniform": uniform, "loguniform": loguniform,
                           "intrange": intrange, "choice": choice}


def check_space(space: Any) -> dict[str, BaseDistribution]:
    """`space` as a dict of Optuna distributions; InvalidInputError when it is empty or a value
    is not a distribution (the dict form of a file is accepted too, see `parse_space`)."""
    from optuna.distributions import BaseDistribution

    if not isinstance(space, Mapping) or not space:
        raise InvalidInputError("the search space is empty: give at least one parameter, e.g. "
                                "space={'C': ss.loguniform(1e-4, 1e2)}")
    checked: dict[str, BaseDistribution] = {}
    for name, dist in space.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise InvalidInputError(f"search space parameter {name!r}: names must be Python "
                                    "identifiers (they are passed as keyword arguments)")
        if not isinstance(dist, BaseDistribution):
            dist = parse_parameter(name, dist)
        checked[name] = dist
    return checked


def parse_space(data: Mapping[str, Any]) -> dict[str, BaseDistribution]:
    """The file form (see the module docstring) as Optuna distributions."""
    if not isinstance(data, Mapping) or not data:
        raise InvalidInputError("the search space is empty: give at least one parameter, e.g. "
                                "C: {loguniform: [1e-4, 100]}")
    return check_space({name: parse_parameter(name, spec) for name, spec in data.items()})


def parse_parameter(name: str, spec: Any) -> BaseDistribution:
    """One parameter of the file form; errors name it."""
    if isinstance(spec, list):
        spec = {"choice": spec}
    if not isinstance(spec, Mapping):
        raise InvalidInputError(f"search space parameter {name!r}: {spec!r} is not a "
                                "distribution; write e.g. {loguniform: [1e-4, 100]} or "
                                "{choice: [a, b]}")
    kinds = [k for k in spec if k in KINDS]
    if len(kinds) != 1:
        unknown = [str(k) for k in spec if k not in ("step", "log", "low", "high")]
        hint = did_you_mean(unknown[0], KINDS) if unknown else ""
        what = f"unknown distribution {unknown[0]!r}" if unknown and not kinds else \
            "give exactly one distribution"
        raise InvalidInputError(f"search space parameter {name!r}: {what}; use one of "
                                f"{', '.join(KINDS)}.{hint}")
    kind = kinds[0]
    args, options = spec[kind], {k: v for k, v in spec.items() if k != kind}
    unknown_options = [k for k in options if k not in ("step", "log")]
    if unknown_options:
        raise InvalidInputError(f"search space parameter {name!r}: unknown option "
                                f"{unknown_options[0]!r} for {kind} (options: step, log)")
    try:
        if kind == "choice":
            if options:
                raise InvalidInputError("choice takes no options")
            return choice(args)  # type: ignore[no-any-return]
        if isinstance(args, Mapping):
            return _MAKERS[kind](**args, **options)  # type: ignore[no-any-return]
        if not isinstance(args, list):
            raise InvalidInputError(f"give [low, high], not {args!r}")
        return _MAKERS[kind](*args, **options)  # type: ignore[no-any-return]
    except TypeError as exc:  # wrong argument count or names
        raise InvalidInputError(f"search space parameter {name!r}: {kind}: {exc}") from None
    except InvalidInputError as exc:
        raise InvalidInputError(f"search space parameter {name!r}: {exc}") from None


def load_space(path: str | Path) -> dict[str, BaseDistribution]:
    """Read a space file: YAML (.yaml/.yml) or JSON."""
    file = Path(path)
    try:
        text = file.read_text()
    except OSError as exc:
        raise InvalidInputError(f"cannot read the search space file {file}: {exc}") from None
    try:
        if file.suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as exc:
        raise InvalidInputError(f"{file} is not valid {file.suffix[1:] or 'JSON'}: {exc}"
                                ) from None
    return parse_space(data)


# -- storing and using spaces --------------------------------------------------------------------

def space_to_json(space: Mapping[str, BaseDistribution]) -> dict[str, Any]:
    """Each distribution's Optuna JSON, as a dict (what `Study.space` holds)."""
    from optuna.distributions import distribution_to_json

    return {name: json.loads(distribution_to_json(dist)) for name, dist in space.items()}


def space_from_json(data: Mapping[str, Any]) -> dict[str, BaseDistribution]:
    from optuna.distributions import json_to_distribution

    return {name: json_to_distribution(json.dumps(d)) for name, d in data.items()}


def python_type(dist: BaseDistribution) -> Any:
    """The Python type of a parameter's values (a trial node's input type)."""
    from optuna.distributions import FloatDistribution, IntDistribution

    if isinstance(dist, FloatDistribution):
        return float
    if isinstance(dist, IntDistribution):
        return int
    return Any


def grid_values(name: str, dist: BaseDistribution) -> list[Any]:
    """Every value a grid search tries for one parameter; InvalidInputError when the
    distribution is continuous."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    if isinstance(dist, CategoricalDistribution):
        return list(dist.choices)
    if isinstance(dist, IntDistribution) and not dist.log:
        return list(range(dist.low, dist.high + 1, dist.step))
    if isinstance(dist, FloatDistribution) and dist.step is not None:
        count = math.floor((dist.high - dist.low) / dist.step + 1e-9) + 1
        return [float(dist.low + i * dist.step) for i in range(count)]
    raise InvalidInputError(
        f"grid search needs a finite set of values for every parameter, but {name!r} is "
        f"continuous ({type(dist).__name__}); give it a step (ss.uniform(low, high, step=...)), "
        "use ss.intrange or ss.choice, or pick another algorithm")


def grid_size(space: Mapping[str, BaseDistribution]) -> int:
    return math.prod(len(grid_values(name, dist)) for name, dist in space.items())


def grid_points(space: Mapping[str, BaseDistribution]) -> list[dict[str, Any]]:
    """Every grid point, in a fixed order (the last parameter varies fastest)."""
    names = list(space)
    axes = [grid_values(name, space[name]) for name in names]
    return [dict(zip(names, point, strict=True)) for point in itertools.product(*axes)]


def _number(kind: str, label: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(f"{kind}: {label} must be a finite number, not {value!r}")
    return value


def _ordered(kind: str, low: float, high: float) -> None:
    if low > high:
        raise InvalidInputError(f"{kind}({low}, {high}): low is greater than high")
