"""What a server serves: `ServingTarget`s (a route label, a model URI, a share of traffic) read
from a `TargetSource`, which the server polls so that a moved alias or a changed deployment is
picked up without a restart."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass

from slipstream._core.errors import InvalidInputError

PRIMARY = "primary"
CANARY = "canary"


@dataclass(frozen=True, slots=True)
class ServingTarget:
    """One route: its `label` ("primary", "canary"), the model URI it serves (re-resolved on
    every poll, so `models:/name@alias` follows the alias) and its share of requests in percent."""

    label: str
    model_uri: str
    traffic_percent: float


class TargetSource(abc.ABC):
    """Where the server reads its targets from; `current()` is called every poll interval from
    a background thread and returns targets whose percentages add to 100."""

    @abc.abstractmethod
    def current(self) -> Sequence[ServingTarget]:
        """The targets to serve now."""


class StaticTargets(TargetSource):
    """One model URI, labelled "primary", taking all traffic."""

    def __init__(self, model_uri: str) -> None:
        if not isinstance(model_uri, str) or not model_uri.strip():
            raise InvalidInputError(f"a model URI must be a non-empty string, not {model_uri!r}")
        self._targets = (ServingTarget(PRIMARY, model_uri, 100.0),)

    def current(self) -> Sequence[ServingTarget]:
        return self._targets


def check_targets(targets: Sequence[ServingTarget]) -> tuple[ServingTarget, ...]:
    """`targets` as a tuple, refused unless there is at least one, labels are unique, every share
    lies in [0, 100] and the shares add to 100."""
    out = tuple(targets)
    if not out:
        raise InvalidInputError("a target source returned no targets; expected at least one")
    labels = [t.label for t in out]
    if len(set(labels)) != len(labels):
        raise InvalidInputError(f"target labels must be unique, got {labels}")
    for t in out:
        if not 0.0 <= float(t.traffic_percent) <= 100.0:
            raise InvalidInputError(f"target {t.label!r} has traffic_percent "
                                    f"{t.traffic_percent!r}; expected a number in [0, 100]")
    total = sum(float(t.traffic_percent) for t in out)
    if abs(total - 100.0) > 1e-6:
        raise InvalidInputError(f"target percentages add to {total:g}, not 100: "
                                + ", ".join(f"{t.label}={t.traffic_percent:g}" for t in out))
    return out
