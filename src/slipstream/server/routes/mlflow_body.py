"""MLflow request bodies and query strings, read by hand: `Body` and `Args`, route dependencies.

The MLflow routes used pydantic request models, and building them (the classes, then FastAPI's
per-route fields) was a large part of the server's start. Their shapes are simple, so a route
reads each field with a typed getter instead (`body.text("name")`, `body.pairs("tags")`), and a
field of the wrong JSON type is refused with one message naming it, as FastAPI would
(`Invalid request to /api/2.0/mlflow/runs/create: body.tags.0.key: Input should be a valid
string`), mapped once to MLflow's 400 INVALID_PARAMETER_VALUE (`server.errors`).

As lenient as MLflow's server (protobuf's JSON mapping): unknown fields are ignored, `null` is an
unset field, integers may come as strings of digits or whole floats, numbers as strings. Query
strings (`Args`) are the same getters over text values; a list is the repeated parameter. Path
parameters are read from the matched path (`path_value`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Annotated, Any, NoReturn, TypeVar

from fastapi import Depends, Request

from slipstream._core.errors import InvalidInputError
from slipstream.metadata.rest.codec import float_from_json

E = TypeVar("E", bound=Enum)
T = TypeVar("T")
_BOOLEANS = {"true": True, "t": True, "1": True, "yes": True, "y": True, "on": True,
             "false": False, "f": False, "0": False, "no": False, "n": False, "off": False}


class BadField(Exception):
    """A field that is not what the shape says: its location (`body.tags.0.key`), then why."""


def integer(where: str, value: Any) -> int:
    """An integer, a float with no fractional part, or a string of digits (protobuf's JSON
    mapping writes int64 as a string)."""
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is str and value.strip().lstrip("+-").isdigit():
        return int(value)
    raise BadField(where, "Input should be a valid integer")


def number(where: str, value: Any) -> float:
    """A number, "NaN" / "Infinity" / "-Infinity", or a number written as a string."""
    try:
        return float_from_json(value)
    except ValueError as exc:
        if type(value) is str:
            try:
                return float(value)
            except ValueError:
                pass
        raise BadField(where, str(exc)) from None


class Fields:
    """Typed reads of one JSON object (or query string) at `where`; every getter raises
    InvalidInputError naming the field when it is missing (without a default) or mistyped."""

    __slots__ = ("_data", "_path", "_query", "_where")

    def __init__(self, data: Mapping[str, Any], path: str, where: str = "body") -> None:
        self._data = data
        self._path = path
        self._where = where
        self._query = where == "query"  # every value is a list of the strings given

    def _value(self, name: str, required: bool) -> Any:
        """The field as given, None when unset (`null` included); refused if `required`."""
        value = self._data.get(name)
        if self._query and value is not None:
            value = value[-1]
        if value is None and required:
            self._fail(name, "Field required")
        return value

    def _fail(self, name: str, why: str) -> NoReturn:
        raise InvalidInputError(f"Invalid request to {self._path}: {self._where}.{name}: {why}")

    def _checked(self, name: str, read: Callable[[str, Any], T], value: Any) -> T:
        try:
            return read(f"{self._where}.{name}", value)
        except BadField as exc:
            where, why = exc.args
            raise InvalidInputError(f"Invalid request to {self._path}: {where}: {why}") from None

    def text(self, name: str, default: str | None = None) -> str:
        """A string field (`default` when unset; required without one)."""
        value = self._value(name, default is None)
        if value is None and default is not None:
            return default
        if type(value) is not str:
            self._fail(name, "Input should be a valid string")
        return value

    def optional_text(self, name: str, *, keep_empty: bool = False) -> str | None:
        """A string field, or None when unset (or empty, unless `keep_empty`)."""
        value = self._value(name, False)
        if value is not None and type(value) is not str:
            self._fail(name, "Input should be a valid string")
        return value if keep_empty else value or None

    def integer(self, name: str, default: int | None = None) -> int:
        """An integer field (`default` when unset; required without one)."""
        value = self._value(name, default is None)
        if value is None and default is not None:
            return default
        return self._checked(name, integer, value)

    def optional_integer(self, name: str) -> int | None:
        value = self._value(name, False)
        return None if value is None else self._checked(name, integer, value)

    def number(self, name: str) -> float:
        """A required number (or "NaN", "Infinity", "-Infinity", or a number as a string)."""
        return self._checked(name, number, self._value(name, True))

    def boolean(self, name: str, default: bool) -> bool:
        value = self._value(name, False)
        if value is None:
            return default
        if type(value) is bool:
            return value
        if type(value) is str and value.lower() in _BOOLEANS:
            return _BOOLEANS[value.lower()]
        if type(value) is int and value in (0, 1):
            return bool(value)
        self._fail(name, "Input should be a valid boolean")

    def choice(self, name: str, kind: type[E], default: E) -> E:
        """One of the enum's values (MLflow's names, e.g. ACTIVE_ONLY)."""
        value = self._value(name, False)
        if value is None:
            return default
        try:
            return kind(value)
        except (ValueError, TypeError):
            allowed = ", ".join(repr(m.value) for m in kind)
            self._fail(name, f"Input should be one of {allowed}")

    def raw(self, name: str) -> Any:
        """A required field as it came (the caller checks it)."""
        return self._value(name, True)

    def texts(self, name: str) -> list[str]:
        """A list of strings (unset: empty)."""
        found = self._list(name)
        for i, item in enumerate(found):
            if type(item) is not str:
                self._fail(f"{name}.{i}", "Input should be a valid string")
        return found

    def objects(self, name: str) -> list[Fields]:
        """A list of JSON objects, each read with the same getters (unset: empty)."""
        found = self._list(name)
        for i, item in enumerate(found):
            if type(item) is not dict:
                self._fail(f"{name}.{i}", "Input should be an object")
        return [Fields(item, self._path, f"{self._where}.{name}.{i}")
                for i, item in enumerate(found)]

    def object(self, name: str) -> Fields:
        """A required JSON object field."""
        value = self._value(name, True)
        if type(value) is not dict:
            self._fail(name, "Input should be an object")
        return Fields(value, self._path, f"{self._where}.{name}")

    def pairs(self, name: str) -> dict[str, str]:
        """MLflow's `[{"key": ..., "value": ...}]` (a missing value is "") as a dict."""
        return {item.text("key"): item.text("value", "") for item in self.objects(name)}

    @property
    def run_id(self) -> str:
        """The run a run-scoped call names: MLflow's client sends run_id and run_uuid."""
        found = self.optional_text("run_id") or self.optional_text("run_uuid")
        if not found:
            raise InvalidInputError("Missing value for required parameter 'run_id'")
        return found

    def _list(self, name: str) -> list[Any]:
        if self._query:
            return list(self._data.get(name, ()))
        value = self._value(name, False)
        if value is None:
            return []
        if type(value) is not list:
            self._fail(name, "Input should be a valid list")
        return list(value)


def decode_object(raw: bytes, path: str) -> dict[str, Any]:
    """A request body: a JSON object (an empty body is `{}`); InvalidInputError otherwise."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:  # json.JSONDecodeError, UnicodeDecodeError
        raise InvalidInputError(f"Invalid request to {path}: body: JSON decode error: {exc}"
                                ) from None
    if type(data) is not dict:
        raise InvalidInputError(f"Invalid request to {path}: body: Input should be a JSON "
                                "object")
    return data


async def request_body(request: Request) -> Fields:
    """The request's JSON body, to read with `Fields`' getters."""
    return Fields(decode_object(await request.body(), request.url.path), request.url.path)


def request_args(request: Request) -> Fields:
    """The request's query string, to read with `Fields`' getters (lists: repeated names)."""
    values: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        values.setdefault(name, []).append(value)
    return Fields(values, request.url.path, "query")


def path_value(name: str) -> Any:
    """The route's path parameter `name`, as a dependency: `Annotated[str, path_value("id")]`
    (read from the matched path, so FastAPI builds no field for it)."""

    def read(request: Request) -> str:
        return str(request.path_params[name])

    return Depends(read)


#: A route's JSON body (POST, PATCH, DELETE).
Body = Annotated[Fields, Depends(request_body)]
#: A route's query string (GET).
Args = Annotated[Fields, Depends(request_args)]
