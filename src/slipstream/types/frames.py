"""pandas DataFrame / Series and pyarrow Table as parquet blobs (format "parquet").

DataFrames keep their index and dtypes (pyarrow's pandas metadata); a Series is stored as a
one-column frame with its name in the file's metadata. pandas and pyarrow are imported only
when a hint names one of their classes, so the user has already imported them.
"""

from __future__ import annotations

import io
import json
import sys
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import ValueConversionError
from slipstream.types.context import ConversionContext
from slipstream.types.hints import type_name
from slipstream.types.literals import NotPlainJson, is_blob_ref, json_copy
from slipstream.types.messages import bad_literal, mismatch
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine

SERIES_NAME_KEY = b"slipstream.series_name"
SERIES_COLUMN = "__series__"


def _class_in(module: str, name: str, tp: Any) -> bool:
    mod = sys.modules.get(module)
    return mod is not None and tp is getattr(mod, name, None)


def table_to_parquet(table: Any) -> bytes:
    """Parquet bytes of a pyarrow Table; the same table gives the same bytes."""
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    # Intermediate values are written once and read whole: statistics (for predicate pushdown)
    # and dictionary pages for numeric columns cost more than they save. lz4 keeps it small.
    strings = [f.name for f in table.schema if not _is_numeric(f.type)]
    pq.write_table(table, buffer, compression="lz4", write_statistics=False,
                   use_dictionary=strings)
    return buffer.getvalue()


def _is_numeric(arrow_type: Any) -> bool:
    import pyarrow.types as pat

    return bool(pat.is_integer(arrow_type) or pat.is_floating(arrow_type)
                or pat.is_boolean(arrow_type) or pat.is_temporal(arrow_type))


def parquet_to_table(data: bytes) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(data))


def frame_to_table(frame: Any, tp: Any) -> Any:
    import pyarrow as pa

    try:
        # one thread: for frames like these a per-call thread pool costs more than it saves
        return pa.Table.from_pandas(frame, preserve_index=None, nthreads=1)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError) as err:
        raise ValueConversionError(f"cannot store this {type_name(tp)} as parquet: {err}") \
            from None


def table_to_frame(table: Any) -> Any:
    """`table.to_pandas()`, with columns and index levels that were `object` dtype (pandas 3
    reads their strings back as `str`) made `object` again, missing values as None."""
    import pandas as pd

    frame = table.to_pandas()
    meta = table.schema.pandas_metadata or {}
    by_field = {c["field_name"]: c for c in meta.get("columns", [])}
    for position, field in enumerate(table.schema.names):
        info = by_field.get(field)
        if info is None or info.get("numpy_type") != "object" or field not in frame.columns:
            continue
        column = frame.iloc[:, position] if frame.columns.is_unique else frame[field]
        if column.dtype != object:
            frame[field] = column.astype(object).where(column.notna(), None)
    index_fields = [f for f in meta.get("index_columns", []) if isinstance(f, str)]
    if index_fields and any(by_field.get(f, {}).get("numpy_type") == "object"
                            for f in index_fields):
        levels = [frame.index.get_level_values(i) for i in range(frame.index.nlevels)]
        restored = [
            level.astype(object) if by_field.get(f, {}).get("numpy_type") == "object" else level
            for level, f in zip(levels, index_fields, strict=False)
        ]
        frame.index = (pd.MultiIndex.from_arrays(restored, names=frame.index.names)
                       if frame.index.nlevels > 1 else restored[0])
    return frame


class DataFrameTransformer(TypeTransformer[Any]):
    name = "pandas.DataFrame"
    storage_modules = ("pyarrow", "pyarrow.parquet", "pyarrow.pandas_compat")

    def matches(self, tp: Any) -> bool:
        return _class_in("pandas", "DataFrame", tp)

    def check(self, engine: TypeEngine, value: Any, tp: Any) -> bool:
        if not isinstance(value, tp):
            raise mismatch("pandas.DataFrame", value)
        if not all(isinstance(c, str) for c in value.columns):
            raise ValueConversionError(
                "cannot store a pandas.DataFrame with non-str column names as parquet: "
                f"{list(value.columns)[:5]!r}; rename them, e.g. df.columns = df.columns.map(str)")
        return True

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        self.check(engine, value, tp)
        return ctx.put_blob(table_to_parquet(frame_to_table(value, tp)), "parquet")

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not is_blob_ref(literal, "parquet"):
            raise bad_literal("pandas.DataFrame", literal)
        return table_to_frame(parquet_to_table(ctx.get_blob(literal)))

    def copy(self, engine: TypeEngine, value: Any, tp: Any) -> Any:
        return value.copy(deep=True)

class SeriesTransformer(TypeTransformer[Any]):
    name = "pandas.Series"
    storage_modules = ("pyarrow", "pyarrow.parquet", "pyarrow.pandas_compat")

    def matches(self, tp: Any) -> bool:
        return _class_in("pandas", "Series", tp)

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not isinstance(value, tp):
            raise mismatch("pandas.Series", value)
        try:
            name = json.dumps(json_copy(value.name)).encode()
        except NotPlainJson as err:
            raise ValueConversionError(f"cannot store the name of this pandas.Series: {err}") \
                from None
        table = frame_to_table(value.to_frame(name=SERIES_COLUMN), tp)
        metadata = {**(table.schema.metadata or {}), SERIES_NAME_KEY: name}
        data = table_to_parquet(table.replace_schema_metadata(metadata))
        return ctx.put_blob(data, "parquet")

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not is_blob_ref(literal, "parquet"):
            raise bad_literal("pandas.Series", literal)
        table = parquet_to_table(ctx.get_blob(literal))
        name = json.loads((table.schema.metadata or {}).get(SERIES_NAME_KEY, b"null"))
        series = table_to_frame(table)[SERIES_COLUMN]
        series.name = name
        return series

    def copy(self, engine: TypeEngine, value: Any, tp: Any) -> Any:
        return value.copy(deep=True)

class ArrowTableTransformer(TypeTransformer[Any]):
    name = "pyarrow.Table"
    storage_modules = ("pyarrow", "pyarrow.parquet", "pyarrow.pandas_compat")

    def matches(self, tp: Any) -> bool:
        return _class_in("pyarrow", "Table", tp)

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not isinstance(value, tp):
            raise mismatch("pyarrow.Table", value)
        return ctx.put_blob(table_to_parquet(value), "parquet")

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not is_blob_ref(literal, "parquet"):
            raise bad_literal("pyarrow.Table", literal)
        return parquet_to_table(ctx.get_blob(literal))

    def is_immutable(self, engine: TypeEngine, tp: Any) -> bool:
        return True  # pyarrow tables cannot be changed in place

