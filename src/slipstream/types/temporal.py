"""datetime and date as ISO 8601 strings (time zone kept); timedelta as float seconds."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from slipstream.types.context import ConversionContext
from slipstream.types.messages import bad_literal, mismatch, unparsable
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine


class _Temporal(TypeTransformer[Any]):
    def is_immutable(self, engine: TypeEngine, tp: Any) -> bool:
        return True


class DatetimeTransformer(_Temporal):
    name = "datetime"

    def matches(self, tp: Any) -> bool:
        return tp is dt.datetime

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if isinstance(value, dt.datetime):
            return value.isoformat()
        raise mismatch("datetime", value)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any,
                  ctx: ConversionContext) -> dt.datetime:
        if type(literal) is str:
            try:
                return dt.datetime.fromisoformat(literal)
            except ValueError:
                pass
        raise bad_literal("datetime", literal)

    def from_string(self, engine: TypeEngine, text: str, tp: Any,
                    ctx: ConversionContext) -> dt.datetime:
        try:
            return dt.datetime.fromisoformat(text.strip())
        except ValueError:
            raise unparsable("datetime", text, "use ISO 8601, e.g. 2024-05-01T12:00:00+00:00") \
                from None


class DateTransformer(_Temporal):
    """A `datetime` is not accepted for `date`: converting it would drop the time."""

    name = "date"

    def matches(self, tp: Any) -> bool:
        return tp is dt.date

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        raise mismatch("date", value)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any,
                  ctx: ConversionContext) -> dt.date:
        if type(literal) is str:
            try:
                return dt.date.fromisoformat(literal)
            except ValueError:
                pass
        raise bad_literal("date", literal)

    def from_string(self, engine: TypeEngine, text: str, tp: Any,
                    ctx: ConversionContext) -> dt.date:
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            raise unparsable("date", text, "use ISO 8601, e.g. 2024-05-01") from None


class TimedeltaTransformer(_Temporal):
    name = "timedelta"

    def matches(self, tp: Any) -> bool:
        return tp is dt.timedelta

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if isinstance(value, dt.timedelta):
            return value.total_seconds()
        raise mismatch("timedelta", value)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any,
                  ctx: ConversionContext) -> dt.timedelta:
        if type(literal) in (int, float):
            return dt.timedelta(seconds=literal)
        raise bad_literal("timedelta", literal)

    def from_string(self, engine: TypeEngine, text: str, tp: Any,
                    ctx: ConversionContext) -> dt.timedelta:
        try:
            return dt.timedelta(seconds=float(text.strip()))
        except (ValueError, OverflowError):
            raise unparsable("timedelta", text, "give a number of seconds") from None
