"""Model flavors, one module each, loaded lazily from a `(name, "module:Class")` table:

    sklearn          scikit-learn estimators (MLflow's layout)
    pytorch          torch.nn.Module, saved whole (MLflow's layout)
    python_function  ss.models.PythonModel subclasses, or any object with predict()

`flavor_for(model)` picks the first flavor, in this order, that accepts the model's type;
`flavor_named(name)` gets one by name (`log_model(..., flavor="python_function")`).
"""

from __future__ import annotations

import importlib
from typing import Any

from slipstream._core.errors import InvalidInputError, did_you_mean
from slipstream.models.flavors.base import Flavor, SavedFlavor

FLAVORS: tuple[tuple[str, str], ...] = (
    ("sklearn", "slipstream.models.flavors.sklearn:SklearnFlavor"),
    ("pytorch", "slipstream.models.flavors.pytorch:PyTorchFlavor"),
    ("python_function", "slipstream.models.flavors.python_function:PythonFunctionFlavor"),
)
_loaded: dict[str, Flavor] = {}


def flavor_named(name: str) -> Flavor:
    """The flavor called `name`; InvalidInputError naming the known ones otherwise."""
    found = _loaded.get(name)
    if found is not None:
        return found
    table = dict(FLAVORS)
    target = table.get(name) if isinstance(name, str) else None
    if target is None:
        raise InvalidInputError(f"Unknown model flavor {name!r}{did_you_mean(str(name), table)}; "
                                f"the flavors are {sorted(table)}")
    module, _, cls = target.partition(":")
    flavor: Flavor = getattr(importlib.import_module(module), cls)()
    _loaded[name] = flavor
    return flavor


def flavor_for(model: Any) -> Flavor:
    """The first flavor that accepts `model`; InvalidInputError when none does."""
    for name, _ in FLAVORS:
        flavor = flavor_named(name)
        if flavor.accepts(model):
            return flavor
    raise InvalidInputError(
        f"No model flavor takes a {type(model).__module__}.{type(model).__qualname__}: log a "
        "scikit-learn estimator, a torch.nn.Module, an ss.models.PythonModel subclass or any "
        "object with a predict(model_input) method")


def flavor_of_descriptor(flavors: dict[str, Any]) -> Flavor:
    """The flavor that loads a folder whose descriptor lists `flavors`: the first known one
    (a python_function entry counts only when its loader is ours)."""
    for name, _ in FLAVORS:
        if name not in flavors:
            continue
        if name == "python_function":
            from slipstream.models.flavors.python_function import LOADER_MODULE

            if (flavors[name] or {}).get("loader_module") != LOADER_MODULE:
                continue
        return flavor_named(name)
    raise InvalidInputError(f"This model's flavors {sorted(flavors)} are not ones Slipstream "
                            f"loads ({[n for n, _ in FLAVORS]})")


__all__ = ["FLAVORS", "Flavor", "SavedFlavor", "flavor_for", "flavor_named",
           "flavor_of_descriptor"]
