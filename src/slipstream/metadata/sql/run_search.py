"""Compile MLflow run filters and order-by clauses to SQLAlchemy conditions on `runs`.

TEMPORARY PARSER: the shared search language (`parse_filter` -> `Comparison(entity, key, op,
value)`, `parse_order_by` -> `OrderBy(entity, key, ascending)`) lives in
`slipstream.tracking.search`, a layer above `metadata`, so it cannot be imported here. Once it
moves down a layer, replace `_parse_filter` / `_parse_order` (and the two dataclasses) with it:
the compilers below already take its shapes (entity "metric"/"param"/"tag"/"attribute"/
"dataset", its operator spellings, typed values), and its StrEnums compare equal to them.

The minimal parser here: clauses joined by AND, `<entity>.<key>` (bare, `backquoted` or
"double-quoted" keys) or a bare attribute key; = != < <= > >= LIKE ILIKE IN NOT IN IS NULL
IS NOT NULL; numbers for metrics and start/end time, quoted strings, ('a', 'b') lists.
Semantics (MLflow's): metric filters use each run's latest value and NaN never matches; LIKE
is case-sensitive on every database; ordering puts numbers, then NaN, then runs without the
value, whatever the direction, then start time descending and run id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from slipstream._core.errors import InvalidInputError
from slipstream.metadata.sql import tables

_R = tables.runs.c
_ENTITIES = {"metric": "metric", "metrics": "metric", "param": "param", "params": "param",
             "parameter": "param", "parameters": "param", "tag": "tag", "tags": "tag",
             "attribute": "attribute", "attributes": "attribute", "attr": "attribute",
             "run": "attribute", "dataset": "dataset", "datasets": "dataset"}
_ATTRIBUTES = {"run_id": _R.run_id, "run_name": _R.name, "status": _R.status,
               "user_id": _R.user_id, "start_time": _R.start_time, "end_time": _R.end_time,
               "artifact_uri": _R.artifact_uri, "lifecycle_stage": _R.lifecycle_stage,
               "experiment_id": _R.experiment_id}
_ALIASES = {"created": "start_time", "Created": "start_time", "run name": "run_name",
            "Run name": "run_name", "Run Name": "run_name"}
_NUMERIC_ATTRIBUTES = {"start_time", "end_time", "experiment_id"}
_KEYED = {"metric": tables.latest_metrics, "param": tables.params, "tag": tables.tags}
_IDENT = r"(?:(?P<entity>\w+)\.(?P<key>`[^`]+`|\"[^\"]+\"|[\w.\-/:]+)|(?P<bare>\w+))"
_CLAUSE = re.compile(
    rf"^\s*{_IDENT}\s*(?P<op>!=|<=|>=|=|<|>|ilike\b|like\b|not\s+in\b|in\b|"
    r"is\s+not\s+null\s*$|is\s+null\s*$)\s*(?P<value>.*?)\s*$", re.IGNORECASE | re.DOTALL)
_ORDER = re.compile(rf"^\s*{_IDENT}\s*(?P<dir>asc|desc)?\s*$", re.IGNORECASE)
_STRING = re.compile(r"""^(?:'((?:[^']|'')*)'|"([^"]*)")$""", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Comparison:
    entity: str  # metric, param, tag, attribute (dataset: from the shared parser)
    key: str
    op: str  # = != < <= > >= LIKE ILIKE IN "NOT IN" "IS NULL" "IS NOT NULL"
    value: Any = None


@dataclass(frozen=True, slots=True)
class OrderBy:
    entity: str
    key: str
    ascending: bool = True


def compile_filter(filter_string: str) -> list[Any]:
    """SQLAlchemy conditions on `runs` for an MLflow filter string (empty: none)."""
    return compile_comparisons(_parse_filter(filter_string))


def compile_order(order_by: Sequence[str]) -> list[Any]:
    """ORDER BY expressions for MLflow order-by clauses, with the default tie-breakers."""
    return compile_order_bys([_parse_order(text) for text in order_by])


def compile_comparisons(comparisons: Sequence[Any]) -> list[Any]:
    """Conditions for parsed clauses (this module's or the shared parser's)."""
    return [_condition(str(c.entity), c.key, str(c.op), c.value) for c in comparisons]


def compile_order_bys(orders: Sequence[Any]) -> list[Any]:
    """ORDER BY expressions for parsed order-by terms, then start time DESC and run id."""
    out: list[Any] = []
    for order in orders:
        entity = str(order.entity)
        value = _value_expr(entity, order.key, "value")
        if entity == "metric":
            is_nan = _value_expr(entity, order.key, "is_nan")
            out.append(sa.case((value.is_(None), 2), (is_nan.is_(True), 1), else_=0))
        else:
            out.append(sa.case((value.is_(None), 1), else_=0))
        out.append(value.asc() if order.ascending else value.desc())
    return [*out, _R.start_time.desc(), _R.run_id.asc()]


# -- compiling -------------------------------------------------------------------------------

def _condition(entity: str, key: str, op: str, value: Any) -> Any:
    if entity == "attribute":
        column = _attribute(key)
        if key == "experiment_id" and value is not None:
            value = [int(v) for v in value] if isinstance(value, (list, tuple)) else int(value)
        return _compare(column, op, value)
    if entity == "dataset":
        return _dataset_condition(key, op, value)
    table = _KEYED.get(entity)
    if table is None:
        raise InvalidInputError(f"Invalid entity {entity!r} in a run filter.")
    where = [table.c.run_id == _R.run_id, table.c.key == key]
    if op in ("IS NULL", "IS NOT NULL"):
        exists = sa.exists(sa.select(sa.literal(1)).select_from(table).where(*where))
        return ~exists if op == "IS NULL" else exists
    where.append(_compare(table.c.value, op, value))
    if entity == "metric":
        where.append(table.c.is_nan.is_(False))
    return sa.exists(sa.select(sa.literal(1)).select_from(table).where(*where))


def _dataset_condition(key: str, op: str, value: Any) -> Any:
    if key not in ("name", "digest"):
        raise InvalidInputError(f"Filtering runs on datasets.{key} is not supported yet; use "
                                "datasets.name or datasets.digest.")
    i = tables.inputs.c
    return sa.exists(sa.select(sa.literal(1)).select_from(tables.inputs).where(
        i.run_id == _R.run_id, _compare(i[key], op, value)))


def _compare(column: Any, op: str, value: Any) -> Any:
    if op == "IS NULL":
        return column.is_(None)
    if op == "IS NOT NULL":
        return column.is_not(None)
    simple = {"=": column.__eq__, "!=": column.__ne__, "<": column.__lt__,
              "<=": column.__le__, ">": column.__gt__, ">=": column.__ge__}
    if op in simple:
        return simple[op](value)
    if op == "LIKE":
        return _CaseSensitiveLike(column, value)
    if op == "ILIKE":
        return column.ilike(value)
    if op in ("IN", "NOT IN"):
        condition = column.in_(list(value))
        return sa.not_(condition) if op == "NOT IN" else condition
    raise InvalidInputError(f"Unsupported operator {op!r} in a run filter.")


def _attribute(key: str) -> Any:
    column = _ATTRIBUTES.get(_ALIASES.get(key, key))
    if column is None:
        raise InvalidInputError(f"Invalid attribute key {key!r}; valid: {sorted(_ATTRIBUTES)}.")
    return column


def _value_expr(entity: str, key: str, column: str) -> Any:
    if entity == "attribute":
        return _attribute(key)
    table = _KEYED.get(entity)
    if table is None:
        raise InvalidInputError(f"Cannot order runs by {entity} values.")
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


# -- parsing (to be replaced by the shared parser) -------------------------------------------

def _parse_filter(text: str) -> list[Comparison]:
    return [_parse_clause(part) for part in _split_and(text or "") if part.strip()]


def _parse_order(text: str) -> OrderBy:
    match = _ORDER.match(text or "")
    if not match:
        raise InvalidInputError(f"Invalid order_by clause {text!r:.200}: expected "
                                "'<metrics|params|tags|attributes>.<key> [ASC|DESC]'.")
    entity, key = _entity_and_key(match, text)
    if entity == "dataset":
        raise InvalidInputError(f"Invalid order_by clause {text!r:.200}: datasets are not "
                                "orderable.")
    return OrderBy(entity, key, (match["dir"] or "asc").lower() == "asc")


def _entity_and_key(match: re.Match[str], text: str) -> tuple[str, str]:
    if match["bare"]:
        _attribute(match["bare"])
        return "attribute", _ALIASES.get(match["bare"], match["bare"])
    entity = _ENTITIES.get(match["entity"].lower())
    if entity is None:
        raise InvalidInputError(f"Invalid entity type {match['entity']!r} in {text.strip()!r:.200};"
                                " use metrics, params, tags, attributes or datasets.")
    key = match["key"]
    key = key[1:-1] if key[:1] in "`\"" and len(key) > 1 and key[-1:] == key[:1] else key
    if entity == "attribute":
        _attribute(key)
        key = _ALIASES.get(key, key)
    return entity, key


def _split_and(text: str) -> list[str]:
    """Split on AND outside quotes and parentheses."""
    parts, current, quote, depth, i = [], "", "", 0, 0
    while i < len(text):
        char = text[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"`":
            quote = char
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif depth == 0 and re.match(r"\sand\s", text[i:i + 5], re.IGNORECASE):
            parts.append(current)
            current, i = "", i + 5
            continue
        current += char
        i += 1
    if quote:
        raise InvalidInputError(f"Invalid filter {text!r:.200}: unterminated quote {quote}.")
    return [*parts, current]


def _parse_clause(text: str) -> Comparison:
    match = _CLAUSE.match(text)
    if not match:
        raise InvalidInputError(
            f"Invalid filter clause {text.strip()!r:.200}: expected '<metrics|params|tags|"
            "attributes>.<key> <op> <value>', e.g. \"metrics.acc > 0.9\" or \"params.C = '1'\".")
    entity, key = _entity_and_key(match, text)
    op = " ".join(match["op"].upper().split())
    raw = match["value"]
    if op in ("IS NULL", "IS NOT NULL"):
        if entity not in ("metric", "param", "tag"):
            raise InvalidInputError(f"{op} is only supported for metrics, params and tags.")
        return Comparison(entity, key, op)
    numeric = entity == "metric" or (entity == "attribute" and key in _NUMERIC_ATTRIBUTES)
    if op in ("IN", "NOT IN"):
        if numeric:
            raise InvalidInputError(f"Operator {op} is not supported for {entity}s.{key}.")
        items = re.fullmatch(r"\((.*)\)", raw.strip(), re.DOTALL)
        if not items:
            raise InvalidInputError(f"Invalid value {raw!r:.200} for {op}: expected "
                                    "('a', 'b', ...).")
        values = tuple(_string(v.strip(), text) for v in re.findall(
            r"""'(?:[^']|'')*'|"[^"]*"|[^,\s]+""", items[1]))
        return Comparison(entity, key, op, values)
    if numeric:
        if "LIKE" in op:
            raise InvalidInputError(f"Operator {op} is not supported for {entity}s.{key}.")
        try:
            number = float(raw)
        except ValueError:
            raise InvalidInputError(f"Invalid value {raw!r:.200} in {text.strip()!r:.200}: "
                                    "expected a number.") from None
        return Comparison(entity, key, op, number if entity == "metric" else int(number))
    if op in ("<", "<=", ">", ">="):
        raise InvalidInputError(f"Operator {op} is not supported for {entity}s.{key}; use = "
                                "!= LIKE ILIKE IN.")
    return Comparison(entity, key, op, _string(raw, text))


def _string(raw: str, clause: str) -> str:
    match = _STRING.match(raw.strip())
    if not match:
        raise InvalidInputError(f"Invalid value {raw!r:.200} in {clause.strip()!r:.200}: "
                                "strings must be quoted, e.g. 'value'.")
    return match[1].replace("''", "'") if match[1] is not None else match[2]
