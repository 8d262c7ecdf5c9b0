"""A first compiler of MLflow run filter strings and order-by clauses to SQLAlchemy.

TEMPORARY PARSER: the shared search parser (frozen `Comparison(entity, key, op, value)` and
`OrderBy(entity, key, ascending)`) is being written in `slipstream.tracking.search`; this module
keeps its own minimal parsing in `_parse_filter` / `_parse_order` so that switching to the
shared AST only replaces those two functions (the compilers take the same shapes).

Supported: clauses joined by AND; `metrics.k`, `params.k`, `tags.k`, `attributes.k` (keys bare,
`backquoted` or "double-quoted"); operators = != < <= > >= LIKE (case-sensitive, as in MLflow)
ILIKE IN NOT IN; values numbers (metrics, start/end time) or quoted strings, `('a', 'b')` for
IN. Metric filters use each run's latest value (NaN never matches). Order:
`<entity>.<key> [ASC|DESC]`, NaN then missing values last, then start time descending and
run id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from slipstream._core.errors import InvalidInputError
from slipstream.metadata.sql import tables

_R = tables.runs.c
_ENTITIES = {"metric": "metrics", "metrics": "metrics", "param": "params", "params": "params",
             "parameter": "params", "parameters": "params", "tag": "tags", "tags": "tags",
             "attribute": "attributes", "attributes": "attributes", "attr": "attributes",
             "run": "attributes"}
_ATTRIBUTES = {"run_id": _R.run_id, "run_name": _R.name, "status": _R.status,
               "created": _R.start_time, "Created": _R.start_time,
               "user_id": _R.user_id, "start_time": _R.start_time, "end_time": _R.end_time,
               "artifact_uri": _R.artifact_uri, "lifecycle_stage": _R.lifecycle_stage,
               "experiment_id": _R.experiment_id}
_NUMERIC_ATTRIBUTES = {"start_time", "end_time", "created", "Created", "experiment_id"}
_IDENT = r"(?P<entity>\w+)\.(?P<key>`[^`]+`|\"[^\"]+\"|[\w.\-/:]+)"
_CLAUSE = re.compile(
    rf"^\s*{_IDENT}\s*(?P<op>!=|<=|>=|=|<|>|not\s+ilike\b|not\s+like\b|ilike\b|like\b|"
    r"not\s+in\b|in\b)\s*(?P<value>.+?)\s*$", re.IGNORECASE | re.DOTALL)
_ORDER = re.compile(rf"^\s*(?:{_IDENT}|(?P<bare>\w+))\s*(?P<dir>asc|desc)?\s*$", re.IGNORECASE)
_STRING = re.compile(r"""^(?:'((?:[^']|'')*)'|"([^"]*)")$""", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Comparison:
    entity: str  # metrics, params, tags, attributes
    key: str
    op: str  # upper case: =, !=, <, <=, >, >=, LIKE, ILIKE, NOT LIKE, NOT ILIKE, IN, NOT IN
    value: Any


@dataclass(frozen=True, slots=True)
class OrderBy:
    entity: str
    key: str
    ascending: bool


def compile_filter(filter_string: str) -> list[Any]:
    """SQLAlchemy conditions on `runs` for an MLflow filter string (empty: none)."""
    return [_condition(c) for c in _parse_filter(filter_string)]


def compile_order(order_by: list[str] | tuple[str, ...]) -> list[Any]:
    """ORDER BY expressions for MLflow order-by clauses, with the default tie-breakers.
    As in MLflow, whatever the direction: numbers, then NaN, then runs without the value."""
    out: list[Any] = []
    for order in (_parse_order(text) for text in order_by):
        value = _value_expr(order.entity, order.key, "value")
        if order.entity == "metrics":
            is_nan = _value_expr(order.entity, order.key, "is_nan")
            out.append(sa.case((value.is_(None), 2), (is_nan.is_(True), 1), else_=0))
        else:
            out.append(sa.case((value.is_(None), 1), else_=0))
        out.append(value.asc() if order.ascending else value.desc())
    return [*out, _R.start_time.desc(), _R.run_id.asc()]


# -- parsing (to be replaced by slipstream.tracking.search) ---------------------------------

def _parse_filter(text: str) -> list[Comparison]:
    return [_parse_clause(part) for part in _split_and(text or "") if part.strip()]


def _parse_order(text: str) -> OrderBy:
    match = _ORDER.match(text or "")
    if not match:
        raise InvalidInputError(f"Invalid order_by clause {text!r:.200}: expected "
                                "'<metrics|params|tags|attributes>.<key> [ASC|DESC]'.")
    entity = _ENTITIES.get((match["entity"] or "attributes").lower())
    if entity is None:
        raise InvalidInputError(f"Invalid entity in order_by clause {text!r:.200}.")
    key = _unquote_key(match["key"] or match["bare"])
    if entity == "attributes" and key not in _ATTRIBUTES:
        raise InvalidInputError(f"Invalid attribute key {key!r} in order_by clause; valid: "
                                f"{sorted(_ATTRIBUTES)}.")
    return OrderBy(entity, key, (match["dir"] or "asc").lower() == "asc")


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
    entity = _ENTITIES.get(match["entity"].lower())
    if entity is None:
        raise InvalidInputError(f"Invalid entity type {match['entity']!r} in filter clause "
                                f"{text.strip()!r:.200}; use metrics, params, tags or "
                                "attributes.")
    key = _unquote_key(match["key"])
    op = " ".join(match["op"].upper().split())
    raw = match["value"]
    if entity == "attributes" and key not in _ATTRIBUTES:
        raise InvalidInputError(f"Invalid attribute key {key!r}; valid: {sorted(_ATTRIBUTES)}.")
    numeric = entity == "metrics" or (key in _NUMERIC_ATTRIBUTES and entity == "attributes")
    if op in ("IN", "NOT IN"):
        if numeric and entity == "metrics":
            raise InvalidInputError(f"Operator {op} is not supported for metrics.")
        items = re.fullmatch(r"\((.*)\)", raw.strip(), re.DOTALL)
        if not items:
            raise InvalidInputError(f"Invalid value {raw!r:.200} for {op}: expected "
                                    "('a', 'b', ...).")
        values = [_string(v.strip(), text) for v in re.findall(
            r"""'(?:[^']|'')*'|"[^"]*"|[^,\s]+""", items[1])]
        return Comparison(entity, key, op, values)
    if numeric:
        if "LIKE" in op:
            raise InvalidInputError(f"Operator {op} is not supported for {entity}.{key}.")
        try:
            return Comparison(entity, key, op, float(raw))
        except ValueError:
            raise InvalidInputError(f"Invalid value {raw!r:.200} in {text.strip()!r:.200}: "
                                    "expected a number.") from None
    if op in ("<", "<=", ">", ">="):
        raise InvalidInputError(f"Operator {op} is not supported for {entity}.{key}; use = "
                                "!= LIKE ILIKE IN.")
    return Comparison(entity, key, op, _string(raw, text))


def _unquote_key(key: str) -> str:
    return key[1:-1] if key[:1] in "`\"" and key[-1:] == key[:1] and len(key) > 1 else key


def _string(raw: str, clause: str) -> str:
    match = _STRING.match(raw.strip())
    if not match:
        raise InvalidInputError(f"Invalid value {raw!r:.200} in {clause.strip()!r:.200}: "
                                "strings must be quoted, e.g. 'value'.")
    return match[1].replace("''", "'") if match[1] is not None else match[2]


# -- compiling -----------------------------------------------------------------------------

def _compare(column: Any, op: str, value: Any) -> Any:
    ops = {"=": column == value, "!=": column != value, "<": column < value,
           "<=": column <= value, ">": column > value, ">=": column >= value}
    if op in ops:
        return ops[op]
    negate, op = op.startswith("NOT "), op.removeprefix("NOT ")
    if op == "LIKE":
        condition: Any = _CaseSensitiveLike(column, value)
    elif op == "ILIKE":
        condition = column.ilike(value)
    else:
        condition = column.in_(value)
    return sa.not_(condition) if negate else condition


def _condition(c: Comparison) -> Any:
    if c.entity == "attributes":
        column = _ATTRIBUTES[c.key]
        value = c.value
        if c.key == "experiment_id":
            value = [int(v) for v in value] if isinstance(value, list) else int(value)
        return _compare(column, c.op, value)
    table = {"metrics": tables.latest_metrics, "params": tables.params,
             "tags": tables.tags}[c.entity]
    where = [table.c.run_id == _R.run_id, table.c.key == c.key,
             _compare(table.c.value, c.op, c.value)]
    if c.entity == "metrics":
        where.append(table.c.is_nan.is_(False))
    return sa.exists(sa.select(sa.literal(1)).select_from(table).where(*where))


def _value_expr(entity: str, key: str, column: str) -> Any:
    if entity == "attributes":
        return _ATTRIBUTES[key]
    table = {"metrics": tables.latest_metrics, "params": tables.params,
             "tags": tables.tags}[entity]
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
    return f"{compiler.process(element.column, **kw)} LIKE {compiler.process(element.like_pattern, **kw)}"


@compiles(_CaseSensitiveLike, "sqlite")
def _render_glob(element: _CaseSensitiveLike, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} GLOB {compiler.process(element.glob_pattern, **kw)}"


def _like_to_glob(pattern: str) -> str:
    """A LIKE pattern as a GLOB pattern: % -> *, _ -> ?, GLOB's own specials bracketed."""
    special = {"*": "[*]", "?": "[?]", "[": "[[]", "%": "*", "_": "?"}
    return "".join(special.get(char, char) for char in pattern)
