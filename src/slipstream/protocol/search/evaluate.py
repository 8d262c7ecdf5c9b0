"""Evaluate parsed filters and order-bys over plain mappings, with MLflow's semantics.

A run-like value is a mapping with any of these sections (a missing section is empty):

    {"metrics": {"acc": 0.91},                 latest value of each metric (float)
     "params": {"C": "1.0"},                   str values
     "tags": {"team": "core"},                 str values
     "attributes": {"run_id": "ab12", "run_name": "lr", "status": "FINISHED",
                    "start_time": 1700000000000, "end_time": None, ...},
     "datasets": [{"name": "iris", "digest": "d41d8", "context": "train"}]}

A clause on a missing key (or a None attribute) never matches, except IS NULL; a dataset clause
matches when any dataset input matches it. Strings compare case-sensitively except with ILIKE;
LIKE's `%` matches any run of characters and `_` exactly one, with no escape character.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from slipstream._core.errors import InternalError
from slipstream.protocol.search.nodes import Comparison, Entity, Op, OrderBy

RunLike = Mapping[str, Any]
SortKey = tuple[tuple[int, Any], ...]

_SECTIONS = {Entity.METRIC: "metrics", Entity.PARAM: "params", Entity.TAG: "tags",
             Entity.ATTRIBUTE: "attributes"}
_COMPARE: dict[Op, Callable[[Any, Any], bool]] = {
    Op.EQ: operator.eq, Op.NE: operator.ne, Op.GT: operator.gt, Op.GE: operator.ge,
    Op.LT: operator.lt, Op.LE: operator.le,
    Op.LIKE: lambda text, pattern: like(text, pattern),
    Op.ILIKE: lambda text, pattern: like(text, pattern, ignore_case=True),
    Op.IN: lambda text, items: text in items,
    Op.NOT_IN: lambda text, items: text not in items,
}
# Runs tie on the order-by terms are ordered by start_time descending, then run_id.
_TIEBREAK = (OrderBy(Entity.ATTRIBUTE, "start_time", ascending=False),
             OrderBy(Entity.ATTRIBUTE, "run_id", ascending=True))


def matches(clauses: Iterable[Comparison], run: RunLike) -> bool:
    """True when `run` satisfies every clause (an empty filter matches every run)."""
    return all(_matches_clause(clause, run) for clause in clauses)


def filter_runs(clauses: Sequence[Comparison], runs: Iterable[RunLike]) -> list[RunLike]:
    """The runs matching every clause, in their original order."""
    return [run for run in runs if matches(clauses, run)]


def sort_key(order_by: Iterable[OrderBy]) -> Callable[[RunLike], SortKey]:
    """A `sorted()` key putting runs in MLflow's order for `order_by`.

    Each term sorts its values ascending or descending, with NaN after the values and missing
    values after NaN, whichever the direction; ties fall back to start_time descending, then
    run_id ascending (the order an empty order_by gives).
    """
    terms = (*order_by, *_TIEBREAK)

    def key(run: RunLike) -> SortKey:
        return tuple(_term(_lookup(run, term.entity, term.key), term.ascending) for term in terms)

    return key


def sort_runs(runs: Iterable[RunLike], order_by: Iterable[OrderBy] = ()) -> list[RunLike]:
    """The runs in MLflow's order for `order_by`."""
    return sorted(runs, key=sort_key(order_by))


def like(text: str, pattern: str, *, ignore_case: bool = False) -> bool:
    """SQL LIKE: `%` any run of characters, `_` one character; linear scans, no regex."""
    if ignore_case:
        text, pattern = text.lower(), pattern.lower()
    t = p = 0
    star, mark = -1, 0
    while t < len(text):
        if p < len(pattern) and pattern[p] == "%":
            star, mark = p, t
            p += 1
        elif p < len(pattern) and (pattern[p] == "_" or pattern[p] == text[t]):
            t, p = t + 1, p + 1
        elif star >= 0:
            p, mark = star + 1, mark + 1
            t = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "%":
        p += 1
    return p == len(pattern)


# -- internals --------------------------------------------------------------------------------
def _matches_clause(clause: Comparison, run: RunLike) -> bool:
    if clause.entity is Entity.DATASET:
        datasets = run.get("datasets") or ()
        return any(_compare(clause, dataset.get(clause.key)) for dataset in datasets)
    return _compare(clause, _lookup(run, clause.entity, clause.key))


def _compare(clause: Comparison, lhs: Any) -> bool:
    if clause.op is Op.IS_NULL:
        return lhs is None
    if clause.op is Op.IS_NOT_NULL:
        return lhs is not None
    if lhs is None:
        return False
    value = clause.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        lhs = float(lhs) if clause.entity is Entity.METRIC else lhs
    elif not isinstance(lhs, str):
        lhs = str(lhs)
    compare = _COMPARE.get(clause.op)
    if compare is None:
        raise InternalError(f"No evaluator for operator {clause.op!r}; this is a bug in Slipstream")
    return compare(lhs, value)


def _lookup(run: RunLike, entity: Entity, key: str) -> Any:
    section = run.get(_SECTIONS.get(entity, ""))
    return section.get(key) if section else None


class _Descending:
    """Wraps a value so that a larger value sorts first."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and bool(self.value == other.value)

    def __hash__(self) -> int:
        return hash(self.value)


def _term(value: Any, ascending: bool) -> tuple[int, Any]:
    if value is None:
        return (2, 0)
    if isinstance(value, float) and math.isnan(value):
        return (1, 0)
    return (0, value if ascending else _Descending(value))
