"""scikit-learn estimators as typed values: pickled (scikit-learn's own persistence format),
stored as blobs of format "sklearn", and checked to be of the declared estimator class.

No warning is emitted, unlike the generic pickle fallback: an estimator is the expected value
of a training task. The trust model is the same as pickle's: load only from your own stores.
"""

from __future__ import annotations

import copy
import pickle
import sys
from typing import TYPE_CHECKING, Any

from slipstream.types.context import ConversionContext
from slipstream.types.hints import type_name
from slipstream.types.literals import is_blob_ref
from slipstream.types.messages import bad_literal, mismatch
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine


class SklearnEstimatorTransformer(TypeTransformer[Any]):
    """Any subclass of `sklearn.base.BaseEstimator` (without importing sklearn to check)."""

    name = "sklearn"

    def matches(self, tp: Any) -> bool:
        if not isinstance(tp, type) or "sklearn" not in sys.modules:
            return False
        from sklearn.base import BaseEstimator

        return issubclass(tp, BaseEstimator)

    def check(self, engine: TypeEngine, value: Any, tp: Any) -> bool:
        if not isinstance(value, tp):
            raise mismatch(type_name(tp), value)
        return True

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        self.check(engine, value, tp)
        return ctx.put_blob(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), "sklearn")

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not is_blob_ref(literal, "sklearn"):
            raise bad_literal(type_name(tp), literal)
        return pickle.loads(ctx.get_blob(literal))

    def copy(self, engine: TypeEngine, value: Any, tp: Any) -> Any:
        return copy.deepcopy(value)

