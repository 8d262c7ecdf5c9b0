"""Parse MLflow filter strings into `Comparison` tuples and order-by strings into `OrderBy`s.

    filter     := "" | clause ("AND" clause)*            AND is case-insensitive; OR is refused
    clause     := identifier op value?
    identifier := entity "." key | attribute_key          a bare key is an attribute (`status`)
    key        := bare_key | `quoted` | "quoted" | 'quoted'
    op         := = | != | < | <= | > | >= | LIKE | ILIKE | IN | NOT IN | IS NULL | IS NOT NULL
    value      := number | 'string' | "string" | "(" string ("," string)* ")"
    order_by   := identifier ["ASC" | "DESC"]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NoReturn

from slipstream._core.errors import did_you_mean
from slipstream.protocol.search.cursor import OPERATOR_CHARS, QUOTES, Cursor, is_word_char
from slipstream.protocol.search.nodes import (
    DATASET_KEYS,
    ENTITY_ALIASES,
    LIST_OPS,
    NULL_OPS,
    RUNS,
    Comparison,
    Entity,
    Op,
    OrderBy,
    SearchSchema,
    Value,
)

_INT64_MAX = 2**63 - 1  # what the stores' integer columns hold
_SYMBOL_OPS = {"=": Op.EQ, "!=": Op.NE, "<": Op.LT, "<=": Op.LE, ">": Op.GT, ">=": Op.GE}
_SYMBOL_HINTS = {"==": "=", "<>": "!=", "=<": "<=", "=>": ">=", "!": "!="}
_ENTITY_NAMES = "metrics, params, tags, attributes, datasets"


def parse_filter(text: str | None, schema: SearchSchema = RUNS) -> tuple[Comparison, ...]:
    """The clauses of an MLflow filter string, all of which must hold; "" gives none."""
    cursor = Cursor(text or "", "filter")
    cursor.skip_ws()
    clauses: list[Comparison] = []
    while not cursor.at_end():
        clauses.append(_clause(cursor, schema))
        cursor.skip_ws()
        if cursor.at_end():
            break
        _conjunction(cursor, clauses[-1])
    return tuple(clauses)


def parse_order_by(text: str, schema: SearchSchema = RUNS) -> OrderBy:
    """One order-by term such as `metrics.acc DESC` or `attributes.start_time`."""
    cursor = Cursor(text, "order_by")
    cursor.skip_ws()
    start = cursor.pos
    entity, key, written = _identifier(cursor, schema, for_order=True)
    if entity is Entity.DATASET:
        cursor.pos = start
        cursor.fail(f"cannot order by {written!r} at position {start}: datasets are not "
                    "orderable; order by metrics, params, tags or attributes")
    cursor.skip_ws()
    ascending = True
    if not cursor.at_end():
        word_at = cursor.pos
        word = cursor.read_word().upper()
        if word not in ("ASC", "DESC"):
            cursor.pos = word_at
            cursor.fail(f"expected ASC, DESC or the end after {written!r} at position "
                        f"{word_at}, found {cursor.found()}")
        ascending = word == "ASC"
        cursor.skip_ws()
        if not cursor.at_end():
            cursor.fail(f"expected the end after {word} at position {cursor.pos}, "
                        f"found {cursor.found()}")
    return OrderBy(entity, key, ascending)


def parse_order_bys(texts: Iterable[str] | None, schema: SearchSchema = RUNS) -> tuple[OrderBy, ...]:
    """Every term of an `order_by` list, in order."""
    return tuple(parse_order_by(text, schema) for text in texts or ())


# -- clauses ----------------------------------------------------------------------------------
def _conjunction(cursor: Cursor, previous: Comparison) -> None:
    at = cursor.pos
    word = cursor.read_word()
    if word.upper() == "AND" and (cursor.at_end() or not is_word_char(cursor.peek())):
        cursor.skip_ws()
        if cursor.at_end():
            cursor.fail(f"expected a clause after AND at position {cursor.pos}")
        return
    cursor.pos = at
    if word.upper() == "OR":
        cursor.fail(f"OR at position {at} is not supported: MLflow filters only join clauses "
                    "with AND. Run one search per alternative, or use IN ('a', 'b') to match "
                    "several values of one param, tag or attribute")
    cursor.fail(f"expected AND or the end of the filter after the clause on "
                f"'{previous.entity.plural}.{previous.key}' at position {at}, "
                f"found {cursor.found()}")


def _clause(cursor: Cursor, schema: SearchSchema) -> Comparison:
    entity, key, written = _identifier(cursor, schema, for_order=False)
    cursor.skip_ws()
    op_at = cursor.pos
    op = _operator(cursor, schema, entity, key, written)
    allowed = schema.allowed_ops(entity, key)
    if op not in allowed:
        cursor.pos = op_at
        cursor.fail(f"{op.value} cannot compare {_describe(schema, entity, key, written)} at "
                    f"position {op_at}; use one of {', '.join(o.value for o in allowed)}")
    if op in NULL_OPS:
        return Comparison(entity, key, op, None)
    cursor.skip_ws()
    return Comparison(entity, key, op, _value(cursor, schema, entity, key, written, op))


def _describe(schema: SearchSchema, entity: Entity, key: str, written: str) -> str:
    if entity is Entity.METRIC:
        return f"metric {written!r} (metrics are numbers)"
    if schema.is_numeric(entity, key):
        return f"numeric attribute {written!r}"
    kind = {Entity.PARAM: "param", Entity.TAG: "tag", Entity.DATASET: "dataset field"}.get(
        entity, "string attribute")
    return f"{kind} {written!r} ({kind}s are strings)"


# -- identifiers ------------------------------------------------------------------------------
def _name_part(cursor: Cursor, what: str) -> tuple[str, bool]:
    char = cursor.peek()
    if char and char in QUOTES:
        return cursor.read_quoted(what), True
    if char and is_word_char(char):
        return cursor.read_word(), False
    cursor.fail(f"expected an identifier such as metrics.acc, params.C, tags.team or "
                f"attributes.status at position {cursor.pos}, found {cursor.found()}")


def _identifier(cursor: Cursor, schema: SearchSchema, *,
                for_order: bool) -> tuple[Entity, str, str]:
    start = cursor.pos
    first, _ = _name_part(cursor, "quoted name")
    if cursor.peek() != ".":
        written = cursor.text[start:cursor.pos]
        key = _attribute_key(cursor, schema, first, written, start, for_order)
        return Entity.ATTRIBUTE, key, written
    entity = ENTITY_ALIASES.get(first.lower())
    if entity is None or entity not in schema.entities:
        cursor.pos = start
        known = sorted(a for a, e in ENTITY_ALIASES.items() if e in schema.entities)
        names = ", ".join(f"{e.plural}" for e in Entity if e in schema.entities)
        why = "unknown entity" if entity is None else f"{schema.name} searches have no entity"
        cursor.fail(f"{why} {first!r} at position {start}; expected one of {names}."
                    f"{did_you_mean(first.lower(), known)}")
    cursor.pos += 1
    key_at = cursor.pos
    char = cursor.peek()
    quoted = bool(char) and char in QUOTES
    key = cursor.read_quoted("quoted key") if quoted else cursor.read_bare_key()
    if not key:
        cursor.pos = key_at
        cursor.fail(f"expected a key after {first + '.'!r} at position {key_at}, found "
                    f"{cursor.found()}; quote keys with spaces or symbols: "
                    f"{first}.`my key`")
    written = cursor.text[start:cursor.pos]
    if entity is Entity.ATTRIBUTE:
        key = _attribute_key(cursor, schema, key, written, start, for_order)
    elif entity is Entity.DATASET and key not in DATASET_KEYS:
        cursor.pos = start
        cursor.fail(f"unknown dataset field {key!r} at position {start}; expected one of "
                    f"{', '.join(sorted(DATASET_KEYS))}.{did_you_mean(key, DATASET_KEYS)}")
    return entity, key, written


def _attribute_key(cursor: Cursor, schema: SearchSchema, key: str, written: str, start: int,
                   for_order: bool) -> str:
    canonical = schema.canonical_attribute(key)
    valid = (schema.order_by_attributes if for_order
             else schema.string_attributes | schema.numeric_attributes)
    if canonical in valid:
        return canonical
    cursor.pos = start
    names = sorted(valid)
    hint = did_you_mean(key, names + sorted(schema.attribute_aliases))
    if not hint and "." not in written:
        hint = f" To compare a metric, param or tag write metrics.{key}, params.{key} or tags.{key}."
    cursor.fail(f"unknown attribute {key!r} for {schema.name} at position {start}; expected "
                f"one of {', '.join(names)}.{hint}")


# -- operators and values ---------------------------------------------------------------------
def _operator(cursor: Cursor, schema: SearchSchema, entity: Entity, key: str, written: str) -> Op:
    at = cursor.pos
    char = cursor.peek()
    if char and char in OPERATOR_CHARS:
        symbols = cursor.read_symbols()
        if symbols in _SYMBOL_OPS:
            return _SYMBOL_OPS[symbols]
        hint = f" (did you mean {_SYMBOL_HINTS[symbols]!r}?)" if symbols in _SYMBOL_HINTS else ""
        _expected_operator(cursor, schema, entity, key, written, at, repr(symbols) + hint)
    word = cursor.read_word().upper()
    if word in ("LIKE", "ILIKE", "IN"):
        return Op(word)
    if word == "NOT":
        cursor.skip_ws()
        if cursor.read_word().upper() == "IN":
            return Op.NOT_IN
        cursor.pos = at
        cursor.fail(f"expected NOT IN at position {at}, found {cursor.found()}; NOT only "
                    "appears in NOT IN (NOT LIKE is not supported by MLflow)")
    if word == "IS":
        cursor.skip_ws()
        after_is = cursor.pos
        negated = cursor.read_word().upper() == "NOT"
        if negated:
            cursor.skip_ws()
        else:
            cursor.pos = after_is
        if cursor.read_word().upper() == "NULL":
            return Op.IS_NOT_NULL if negated else Op.IS_NULL
        cursor.pos = at
        cursor.fail(f"expected IS NULL or IS NOT NULL at position {at}, found {cursor.found()}")
    cursor.pos = at
    _expected_operator(cursor, schema, entity, key, written, at, cursor.found())


def _expected_operator(cursor: Cursor, schema: SearchSchema, entity: Entity, key: str,
                       written: str, at: int, found: str) -> NoReturn:
    cursor.pos = at
    ops = ", ".join(o.value for o in schema.allowed_ops(entity, key))
    cursor.fail(f"expected a comparison operator ({ops}) after {written!r} at position {at}, "
                f"found {found}")


def _value(cursor: Cursor, schema: SearchSchema, entity: Entity, key: str, written: str,
           op: Op) -> Value:
    at = cursor.pos
    if op in LIST_OPS:
        return _string_list(cursor, written, op)
    if schema.is_numeric(entity, key):
        number = cursor.read_number()
        if number is None:
            quoted = cursor.peek() in ("'", '"')
            cursor.fail(f"expected a number after {written!r} {op.value} at position {at}, "
                        f"found {cursor.found()}; {written!r} holds numbers"
                        + (", so write the value without quotes" if quoted else ""))
        if entity is Entity.METRIC:
            as_float = float(number)
            if not math.isfinite(as_float):
                cursor.pos = at
                cursor.fail(f"the number {number!r} after {written!r} {op.value} at position {at} "
                            "is too large for a 64-bit float")
            return as_float
        if any(c in number for c in ".eE"):
            as_float = float(number)
            if math.isinf(as_float):
                whole = _INT64_MAX + 1  # refused below, as out of range
            elif not as_float.is_integer():
                cursor.pos = at
                cursor.fail(f"expected a whole number after {written!r} {op.value} at position "
                            f"{at}, found {number!r}; {written!r} holds integers "
                            "(timestamps are in milliseconds)")
            else:
                whole = int(as_float)
        else:
            whole = int(number)
        if not -_INT64_MAX - 1 <= whole <= _INT64_MAX:
            cursor.pos = at
            cursor.fail(f"the number {number!r} after {written!r} {op.value} at position {at} is "
                        "out of range for a 64-bit integer")
        return whole
    if cursor.peek() in ("'", '"'):
        return cursor.read_quoted("string")
    found = cursor.found()
    cursor.fail(f"expected a quoted string after {written!r} {op.value} at position {at}, "
                f"found {found}; {written!r} holds strings, so quote the value: "
                f"{written} {op.value} '{found.strip(chr(39))}'")


def _string_list(cursor: Cursor, written: str, op: Op) -> tuple[str, ...]:
    if cursor.peek() != "(":
        cursor.fail(f"expected a parenthesised list of strings after {written!r} {op.value} "
                    f"at position {cursor.pos}, found {cursor.found()}; e.g. "
                    f"{written} {op.value} ('a', 'b')")
    cursor.pos += 1
    items: list[str] = []
    while True:
        cursor.skip_ws()
        if cursor.peek() not in ("'", '"'):
            what = "a quoted string" if not items else "another quoted string after ','"
            cursor.fail(f"expected {what} in the {op.value} list at position {cursor.pos}, "
                        f"found {cursor.found()}")
        items.append(cursor.read_quoted("string"))
        cursor.skip_ws()
        char = cursor.peek()
        if char in (",", ")"):
            cursor.pos += 1
        if char == ")":
            return tuple(items)
        if char != ",":
            cursor.fail(f"expected ',' or ')' in the {op.value} list at position {cursor.pos}, "
                        f"found {cursor.found()}")
