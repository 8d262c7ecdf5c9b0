"""PyTorch modules as typed values: a whole `torch.nn.Module` saved with `torch.save`
(cloudpickle as the pickle module, so classes defined in `__main__` travel by value), stored as
a blob of format "torch" and loaded on the CPU. Checked to be of the declared module class.

torch is never imported to answer `matches` unless the user's code already imported it. The
trust model is pickle's: load only from your own stores.
"""

from __future__ import annotations

import copy
import io
import sys
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import ValueConversionError
from slipstream.types.context import ConversionContext
from slipstream.types.hints import type_name
from slipstream.types.literals import is_blob_ref
from slipstream.types.messages import bad_literal, mismatch
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine


class TorchModuleTransformer(TypeTransformer[Any]):
    """Any subclass of `torch.nn.Module`."""

    name = "torch"
    storage_modules = ("torch",)

    def matches(self, tp: Any) -> bool:
        if not isinstance(tp, type) or "torch" not in sys.modules:
            return False
        import torch

        return issubclass(tp, torch.nn.Module)

    def check(self, engine: TypeEngine, value: Any, tp: Any) -> bool:
        if not isinstance(value, tp):
            raise mismatch(type_name(tp), value)
        return True

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        import cloudpickle
        import torch

        self.check(engine, value, tp)
        buffer = io.BytesIO()
        try:
            torch.save(value, buffer, pickle_module=cloudpickle)
        except Exception as err:  # pickling can fail with almost any exception type
            raise ValueConversionError(
                f"cannot save {type_name(type(value))} with torch.save: "
                f"{type(err).__name__}: {err}") from None
        return ctx.put_blob(buffer.getvalue(), "torch")

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        import torch

        if not is_blob_ref(literal, "torch"):
            raise bad_literal(type_name(tp), literal)
        return torch.load(io.BytesIO(ctx.get_blob(literal)), map_location="cpu",
                          weights_only=False)

    def copy(self, engine: TypeEngine, value: Any, tp: Any) -> Any:
        return copy.deepcopy(value)
