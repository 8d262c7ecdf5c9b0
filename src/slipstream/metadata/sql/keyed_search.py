"""Compile the shared search AST (`slipstream.protocol.search`) to SQL for searches other than
runs: experiments and logged models.

A `Target` says which table is searched, its attribute columns and, per entity (tags, params,
metrics), the table holding key/value rows and the column linking them to the searched row.
Clauses on keyed entities are EXISTS subqueries (a metric clause matches when any of the row's
points does; NaN never matches); ordering by one takes the latest point (highest step, then
timestamp) for metrics and the value for tags and params, rows without it last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from slipstream._core.errors import InvalidInputError
from slipstream.metadata.sql.run_search import compare, keyed_exists
from slipstream.protocol.search import (
    Comparison,
    Entity,
    OrderBy,
    SearchSchema,
    parse_filter,
    parse_order_bys,
)
from slipstream.protocol.search.render import render_identifier


@dataclass(frozen=True)
class Target:
    """One searchable table: `attributes` by canonical name, `keyed` entity -> (table, the
    table's column pointing at `id_column`)."""

    schema: SearchSchema
    id_column: Any
    attributes: Mapping[str, Any]
    keyed: Mapping[Entity, tuple[sa.Table, Any]]


def compile_filter(target: Target, filter_string: str | None) -> list[Any]:
    """SQL conditions for a filter string in `target.schema`'s language."""
    return [_condition(target, c) for c in parse_filter(filter_string, target.schema)]


def compile_order(target: Target, order_by: Sequence[str] | None) -> list[Any]:
    """ORDER BY expressions for order-by strings (the caller appends its tie-breakers)."""
    return compile_order_bys(target, parse_order_bys(order_by, target.schema))


def compile_order_bys(target: Target, orders: Sequence[OrderBy]) -> list[Any]:
    out: list[Any] = []
    for order in orders:
        value = _order_value(target, order)
        out.append(sa.case((value.is_(None), 1), else_=0))
        out.append(value.asc() if order.ascending else value.desc())
    return out


def _condition(target: Target, comparison: Comparison) -> Any:
    entity, key, op, value = comparison.entity, comparison.key, comparison.op, comparison.value
    if entity is Entity.ATTRIBUTE:
        return compare(_attribute(target, key), op, value)
    table, link = _keyed(target, entity, key)
    return keyed_exists(table, link == target.id_column, entity, key, op, value)


def _order_value(target: Target, order: OrderBy) -> Any:
    if order.entity is Entity.ATTRIBUTE:
        return _attribute(target, order.key)
    table, link = _keyed(target, order.entity, order.key)
    query = sa.select(table.c.value).where(link == target.id_column, table.c.key == order.key)
    if order.entity is Entity.METRIC:
        query = query.order_by(table.c.step.desc(), table.c.timestamp.desc()).limit(1)
    return query.scalar_subquery()


def _attribute(target: Target, key: str) -> Any:
    column = target.attributes.get(key)
    if column is None:
        raise InvalidInputError(f"Invalid attribute key {key!r} for {target.schema.name}; "
                                f"valid: {sorted(target.attributes)}.")
    return column


def _keyed(target: Target, entity: Entity, key: str) -> tuple[sa.Table, Any]:
    found = target.keyed.get(entity)
    if found is None:
        raise InvalidInputError(f"{target.schema.name.capitalize()} searches cannot use "
                                f"{render_identifier(entity, key)!r}; use "
                                f"{', '.join(e.plural for e in target.keyed)} or attributes.")
    return found
