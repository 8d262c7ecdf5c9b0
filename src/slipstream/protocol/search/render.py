"""Print ASTs back as filter and order-by strings that `parse_filter` reads to equal ASTs."""

from __future__ import annotations

import math
from collections.abc import Iterable

from slipstream._core.errors import InvalidInputError
from slipstream.protocol.search.cursor import is_bare_key_char
from slipstream.protocol.search.nodes import NULL_OPS, Comparison, Entity, OrderBy, Value


def render(clauses: Iterable[Comparison]) -> str:
    """The filter string for a conjunction of clauses (`""` for none)."""
    return " AND ".join(render_clause(clause) for clause in clauses)


def render_clause(clause: Comparison) -> str:
    """One clause, e.g. `metrics.acc > 0.9` or ``params.`my key` IN ('a', 'b')``."""
    identifier = render_identifier(clause.entity, clause.key)
    if clause.op in NULL_OPS:
        return f"{identifier} {clause.op.value}"
    return f"{identifier} {clause.op.value} {_render_value(clause.value)}"


def render_order_by(order_by: OrderBy) -> str:
    """One order-by term, e.g. `metrics.acc DESC`."""
    return f"{render_identifier(order_by.entity, order_by.key)} " \
           f"{'ASC' if order_by.ascending else 'DESC'}"


def render_identifier(entity: Entity, key: str) -> str:
    """`<entities>.<key>`, the key backquoted when it is not a plain name."""
    if key and all(is_bare_key_char(char) for char in key):
        return f"{entity.plural}.{key}"
    return f"{entity.plural}.`{key.replace('`', '``')}`"


def _render_value(value: Value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_quote(item) for item in value) + ")"
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, bool) or value is None:
        raise InvalidInputError(f"Cannot render the filter value {value!r}: expected a number, "
                                "a string or a tuple of strings")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInputError(f"Cannot render the filter value {value!r}: MLflow filters "
                                "have no literal for NaN or infinity; compare with a finite bound")
    return repr(value)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
