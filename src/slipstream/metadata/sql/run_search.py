"""Compile MLflow run filters and order-by clauses to SQLAlchemy conditions on `runs`.

Parsing is the shared search language, `slipstream.protocol.search` (`parse_filter` ->
`Comparison(entity, key, op, value)` tuples, `parse_order_bys` -> `OrderBy(entity, key,
ascending)`), so malformed filters fail here with its positioned `InvalidInputError`s. This module
only compiles that AST. A clause the parser accepts but this compiler cannot answer in SQL
(IS NULL on a dataset field, ...) raises `InvalidInputError` naming the clause: no clause is
ever dropped. `datasets.context` is the input tag mlflow.data.context.

Semantics (MLflow's): metric filters use each run's latest value and NaN never matches; LIKE
is case-sensitive on every database; ordering puts numbers, then NaN, then runs without the
value, whatever the direction, then start time descending and run id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from slipstream._core.errors import InvalidInputError
from slipstream.metadata.sql import tables
from slipstream.protocol.search import Comparison, Entity, Op, OrderBy, parse_filter, parse_order_bys
from slipstream.protocol.search.nodes import LIST_OPS, NULL_OPS, NUMERIC_OPS, STRING_OPS
from slipstream.protocol.search.render import render_clause, render_identifier

_R = tables.runs.c
_ATTRIBUTES = {"run_id": _R.run_id, "run_name": _R.name, "status": _R.status,
               "user_id": _R.user_id, "start_time": _R.start_time, "end_time": _R.end_time,
               "artifact_uri": _R.artifact_uri, "lifecycle_stage": _R.lifecycle_stage,
               "experiment_id": _R.experiment_id}
_ALIASES = {"created": "start_time", "Created": "start_time", "run name": "run_name",
            "Run name": "run_name", "Run Name": "run_name"}
_NUMERIC_ATTRIBUTES = {"start_time", "end_time", "experiment_id"}
_KEYED = {Entity.METRIC: tables.latest_metrics, Entity.PARAM: tables.params,
          Entity.TAG: tables.tags}
_DATASET_COLUMNS = {"name": tables.inputs.c.name, "digest": tables.inputs.c.digest,
                    "context": tables.inputs.c.context}
#: The input tag naming what a dataset was used for (train, eval...): `datasets.context`.
DATASET_CONTEXT_TAG = "mlflow.data.context"


def compile_filter(filter_string: str | None) -> list[Any]:
    """SQLAlchemy conditions on `runs` for an MLflow filter string (empty: none)."""
    return compile_comparisons(parse_filter(filter_string))


def compile_order(order_by: Sequence[str] | None) -> list[Any]:
    """ORDER BY expressions for MLflow order-by clauses, with the default tie-breakers."""
    return compile_order_bys(parse_order_bys(order_by))


def compile_comparisons(comparisons: Sequence[Comparison]) -> list[Any]:
    """Conditions for the shared parser's clauses, one per clause; a clause that cannot be
    compiled raises `InvalidInputError` naming it."""
    return [_condition(comparison) for comparison in comparisons]


def compile_order_bys(orders: Sequence[OrderBy]) -> list[Any]:
    """ORDER BY expressions for parsed order-by terms, then start time DESC and run id."""
    out: list[Any] = []
    for order in orders:
        entity = _entity(order.entity, f"order_by term on {order.entity!s}.{order.key}")
        value = _value_expr(entity, order.key, "value")
        if entity is Entity.METRIC:
            is_nan = _value_expr(entity, order.key, "is_nan")
            out.append(sa.case((value.is_(None), 2), (is_nan.is_(True), 1), else_=0))
        else:
            out.append(sa.case((value.is_(None), 1), else_=0))
        out.append(value.asc() if order.ascending else value.desc())
    return [*out, _R.start_time.desc(), _R.run_id.asc()]


# -- compiling -------------------------------------------------------------------------------

def _condition(comparison: Comparison) -> Any:
    described = f"{comparison.entity!s}.{comparison.key} {comparison.op!s}"
    entity = _entity(comparison.entity, f"clause {described}")
    op = _op(comparison.op, described)
    key, value = comparison.key, comparison.value
    if entity is Entity.DATASET:
        return _dataset_condition(comparison, key, op, value)
    if entity is Entity.ATTRIBUTE:
        column = _attribute(key)
        key = _ALIASES.get(key, key)
        numeric = key in _NUMERIC_ATTRIBUTES
        _check(comparison, op, value, numeric=numeric,
               allowed=NUMERIC_OPS + NULL_OPS if numeric else STRING_OPS + NULL_OPS)
        if key == "experiment_id" and value is not None:
            value = [int(v) for v in value] if isinstance(value, (list, tuple)) else int(value)
        return compare(column, op, value)
    numeric = entity is Entity.METRIC
    _check(comparison, op, value, numeric=numeric,
           allowed=(NUMERIC_OPS if numeric else STRING_OPS) + NULL_OPS)
    table = _KEYED[entity]
    return keyed_exists(table, table.c.run_id == _R.run_id, entity, key, op, value)


def keyed_exists(table: sa.Table, link: Any, entity: Entity, key: str, op: Op,
                 value: Any) -> Any:
    """EXISTS a row of a keyed table (params, tags, metrics of an owner joined by `link`)
    whose `key` compares with `value`; IS [NOT] NULL tests the key's presence; a metric stored
    as NaN matches no comparison, as in MLflow."""
    where = [link, table.c.key == key]
    if op in NULL_OPS:
        exists = sa.exists(sa.select(sa.literal(1)).select_from(table).where(*where))
        return ~exists if op is Op.IS_NULL else exists
    where.append(compare(table.c.value, op, value))
    if entity is Entity.METRIC:
        where.append(table.c.is_nan.is_(False))
    return sa.exists(sa.select(sa.literal(1)).select_from(table).where(*where))


def _dataset_condition(comparison: Comparison, key: str, op: Op, value: Any) -> Any:
    column = _DATASET_COLUMNS.get(key)
    if column is None:
        raise InvalidInputError(f"Filtering runs on datasets.{key} is not supported yet "
                                f"(in {_shown(comparison)}); use datasets.name, "
                                "datasets.digest or datasets.context.")
    _check(comparison, op, value, numeric=False, allowed=STRING_OPS)
    return sa.exists(sa.select(sa.literal(1)).select_from(tables.inputs).where(
        tables.inputs.c.run_id == _R.run_id, compare(column, op, value)))


def _check(comparison: Comparison, op: Op, value: Any, *, numeric: bool,
           allowed: tuple[Op, ...]) -> None:
    """Refuse, naming the clause, an operator or value this compiler has no SQL for."""
    if op not in allowed:
        raise InvalidInputError(f"Run search cannot compile {_shown(comparison)}: {op.value} is "
                                f"not supported there; use one of "
                                f"{', '.join(o.value for o in allowed)}.")
    if op in NULL_OPS:
        ok = value is None
    elif op in LIST_OPS:
        ok = isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
    elif numeric:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, str)
    if not ok:
        expected = ("no value" if op in NULL_OPS else "a list of strings" if op in LIST_OPS
                    else "a number" if numeric else "a string")
        raise InvalidInputError(f"Run search cannot compile {_shown(comparison)}: the value "
                                f"{value!r:.100} should be {expected}.")


def _shown(comparison: Comparison) -> str:
    """The clause as the user would write it, for error messages."""
    try:
        return repr(render_clause(comparison))
    except (InvalidInputError, AttributeError, TypeError, ValueError):
        return repr(f"{comparison.entity!s}.{comparison.key} {comparison.op!s} "
                    f"{comparison.value!r}")


def _entity(entity: Any, what: str) -> Entity:
    try:
        return Entity(str(entity))
    except ValueError:
        raise InvalidInputError(f"Invalid entity {entity!r} in the run search {what}; use "
                                "metrics, params, tags, attributes or datasets.") from None


def _op(op: Any, described: str) -> Op:
    try:
        return Op(str(op))
    except ValueError:
        raise InvalidInputError(f"Unsupported operator {op!r} in the run filter clause "
                                f"{described!r}.") from None


def compare(column: Any, op: Op, value: Any) -> Any:
    """`column <op> value` in SQL (LIKE case-sensitive on every database)."""
    if op is Op.IS_NULL:
        return column.is_(None)
    if op is Op.IS_NOT_NULL:
        return column.is_not(None)
    simple = {Op.EQ: column.__eq__, Op.NE: column.__ne__, Op.LT: column.__lt__,
              Op.LE: column.__le__, Op.GT: column.__gt__, Op.GE: column.__ge__}
    if op in simple:
        return simple[op](value)
    if op is Op.LIKE:
        return _CaseSensitiveLike(column, value)
    if op is Op.ILIKE:
        return column.ilike(value)
    condition = column.in_(list(value))
    return sa.not_(condition) if op is Op.NOT_IN else condition


def _attribute(key: str) -> Any:
    column = _ATTRIBUTES.get(_ALIASES.get(key, key))
    if column is None:
        raise InvalidInputError(f"Invalid attribute key {key!r}; valid: {sorted(_ATTRIBUTES)}.")
    return column


def _value_expr(entity: Entity, key: str, column: str) -> Any:
    if entity is Entity.ATTRIBUTE:
        return _attribute(key)
    table = _KEYED.get(entity)
    if table is None:
        raise InvalidInputError(f"Cannot order runs by {render_identifier(entity, key)!r}: "
                                "order by metrics, params, tags or attributes.")
    return (sa.select(table.c[column]).where(table.c.run_id == _R.run_id, table.c.key == key)
            .scalar_subquery())


class _CaseSensitiveLike(ColumnElement[bool]):
    """`column LIKE pattern`, case-sensitive as in MLflow on every database: SQLite's LIKE
    ignores ASCII case, so there it is rendered as GLOB with the pattern translated."""

    inherit_cache = False
    type = sa.Boolean()

    def __init__(self, column: Any, pattern: str) -> None:
        self.column = column
        self.like_pattern = sa.literal(pattern)
        self.glob_pattern = sa.literal(_like_to_glob(pattern))


@compiles(_CaseSensitiveLike)
def _render_like(element: _CaseSensitiveLike, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} LIKE {compiler.process(element.like_pattern, **kw)}"


@compiles(_CaseSensitiveLike, "sqlite")
def _render_glob(element: _CaseSensitiveLike, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} GLOB {compiler.process(element.glob_pattern, **kw)}"


def _like_to_glob(pattern: str) -> str:
    """A LIKE pattern as a GLOB pattern: % -> *, _ -> ?, GLOB's own specials bracketed."""
    special = {"*": "[*]", "?": "[?]", "[": "[[]", "%": "*", "_": "?"}
    return "".join(special.get(char, char) for char in pattern)
