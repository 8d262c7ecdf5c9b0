"""numpy arrays as `np.save` bytes (blob format "npy", no pickled object arrays).

numpy is only touched when the hint is `numpy.ndarray`, which means the user already imported it.
"""

from __future__ import annotations

import io
import sys
import typing
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import ValueConversionError
from slipstream.types.context import ConversionContext
from slipstream.types.literals import is_blob_ref
from slipstream.types.messages import bad_literal, mismatch
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine


class NdarrayTransformer(TypeTransformer[Any]):
    """`numpy.ndarray` and `numpy.typing.NDArray[...]`."""

    name = "ndarray"

    def matches(self, tp: Any) -> bool:
        np = sys.modules.get("numpy")
        return np is not None and (tp is np.ndarray or typing.get_origin(tp) is np.ndarray)

    def check(self, engine: TypeEngine, value: Any, tp: Any) -> bool:
        import numpy as np

        if not isinstance(value, np.ndarray):
            raise mismatch("numpy.ndarray", value)
        return not value.dtype.hasobject  # object arrays: only np.save can tell

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        import numpy as np

        self.check(engine, value, tp)
        buffer = io.BytesIO()
        try:
            np.save(buffer, value, allow_pickle=False)
        except ValueError as err:
            raise ValueConversionError(
                f"cannot store a numpy array of dtype {value.dtype} without pickling ({err}); "
                "use a numeric or fixed-width string dtype, or annotate the value as Any"
            ) from None
        return ctx.put_blob(buffer.getvalue(), "npy")

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        import numpy as np

        if not is_blob_ref(literal, "npy"):
            raise bad_literal("numpy.ndarray", literal)
        return np.load(io.BytesIO(ctx.get_blob(literal)), allow_pickle=False)

    def copy(self, engine: TypeEngine, value: Any, tp: Any) -> Any:
        return value.copy()

