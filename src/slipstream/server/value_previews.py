"""What a stored execution value looks like, for the console: a few rows of a table, the shape
and first items of an array, a JSON document, text, or an image; never more than a preview.

A value too large to keep inline in a node's record is a blob reference
`{"$blob": sha256, "fmt": ..., "size": ...}` (and a whole large input or output map is
`{"$literals": <a json blob>}`). `preview(store, digest, fmt)` reads as little of the blob as
the format allows (a parquet file's footer and first row group; an array's header) and never
deserialises code: pickle, sklearn, torch and archive blobs are described, not opened.

    kind "table"   columns [{name, type}], rows (lists, JSON-safe), total_rows
    kind "array"   dtype, shape, items (the first `max_items`, flattened)
    kind "json"    value (a document up to MAX_JSON bytes)
    kind "text"    text (the first MAX_TEXT characters), truncated
    kind "image"   media_type (served by the raw route)
    kind "opaque"  nothing beyond fmt and size
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

MAX_JSON = 2 * 1024 * 1024
MAX_TEXT = 20_000
MAX_ARRAY_BYTES = 16 * 1024 * 1024
_IMAGES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
           (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))


def media_type(head: bytes) -> str | None:
    """The image type the first bytes announce, if any."""
    for magic, kind in _IMAGES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def preview(store: Any, digest: str, fmt: str, max_rows: int = 20) -> dict[str, Any]:
    """A preview of the blob `digest` stored as `fmt` (see the module docstring)."""
    size = store.size(digest)
    base: dict[str, Any] = {"digest": digest, "fmt": fmt, "size": size}
    if fmt == "parquet":
        return {**base, **_table(store, digest, max_rows)}
    if fmt == "npy" and size <= MAX_ARRAY_BYTES:
        try:
            return {**base, **_array(store.get_bytes(digest), max_rows * 5)}
        except ValueError:  # an object array: it would need unpickling
            return {**base, "kind": "opaque"}
    if fmt == "json" and size <= MAX_JSON:
        return {**base, "kind": "json", "value": json.loads(store.get_bytes(digest))}
    if fmt in ("bytes", "json", "text"):
        with store.open(digest) as stream:
            head = stream.read(MAX_TEXT * 4)
        image = media_type(head)
        if image:
            return {**base, "kind": "image", "media_type": image}
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            text = head.decode("utf-8", errors="ignore") if fmt != "bytes" else ""
            if not text:
                return {**base, "kind": "opaque"}
        return {**base, "kind": "text", "text": text[:MAX_TEXT],
                "truncated": size > len(text[:MAX_TEXT].encode())}
    return {**base, "kind": "opaque"}


def _table(store: Any, digest: str, max_rows: int) -> dict[str, Any]:
    import pyarrow.parquet as pq

    with store.open(digest) as stream:
        data = stream if stream.seekable() else io.BytesIO(stream.read())
        parquet = pq.ParquetFile(data)
        schema = parquet.schema_arrow
        total = parquet.metadata.num_rows
        head = (parquet.read_row_group(0).slice(0, max_rows) if parquet.num_row_groups
                else schema.empty_table())
    columns = [{"name": f.name, "type": str(f.type)} for f in schema
               if not f.name.startswith("__index_level_")]
    names = [c["name"] for c in columns]
    rows = [[_safe(row.get(n)) for n in names] for row in head.select(names).to_pylist()]
    return {"kind": "table", "columns": columns, "rows": rows, "total_rows": total}


def _array(data: bytes, max_items: int) -> dict[str, Any]:
    import numpy as np

    array = np.load(io.BytesIO(data), allow_pickle=False)
    items = array.reshape(-1)[:max_items].tolist()
    return {"kind": "array", "dtype": str(array.dtype), "shape": list(array.shape),
            "items": [_safe(v) for v in items]}


def _safe(value: Any) -> Any:
    """A JSON-safe cell: NaN and infinities as strings, other non-JSON values as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _safe(v) for k, v in value.items()}
    return str(value)
