"""torch modules as typed values: the engine picks the torch transformer (no pickle warning),
round-trips a trained module through a blob, refuses a value of another class, and never
imports torch for programs that did not."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from slipstream._core.errors import SlipstreamWarning, ValueConversionError
from slipstream.types.context import ConversionContext
from slipstream.types.engine import TypeEngine, default_transformers
from slipstream.types.pickled import PickleTransformer
from slipstream.types.torch_modules import TorchModuleTransformer
from tests.models.zoo import TinyMLP, train_mlp
from tests.types.conftest import MemoryBlobStore


def test_a_trained_module_round_trips_without_the_pickle_warning(tmp_path: Path) -> None:
    engine = TypeEngine(default_transformers(), fallback=PickleTransformer())
    rng = np.random.default_rng(4)
    x = rng.normal(size=(40, 3))
    mlp = train_mlp(x, (x[:, 0] > 0).astype(float))
    store = MemoryBlobStore()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SlipstreamWarning)
        assert isinstance(engine.transformer_for(TinyMLP), TorchModuleTransformer)
        literal = engine.to_literal(mlp, TinyMLP, ConversionContext(store, str(tmp_path)))
        assert literal["fmt"] == "torch"
        back = engine.to_python(literal, TinyMLP, ConversionContext(store, str(tmp_path)))
    assert isinstance(back, TinyMLP)
    inputs = torch.tensor(x, dtype=torch.float32)
    with torch.no_grad():
        assert torch.equal(back(inputs), mlp(inputs))
    copied = engine.copy(mlp, TinyMLP)
    assert copied is not mlp and torch.equal(copied(inputs), mlp(inputs))


def test_a_module_of_another_class_is_refused(tmp_path: Path) -> None:
    engine = TypeEngine(default_transformers(), fallback=PickleTransformer())
    with pytest.raises(ValueConversionError, match="TinyMLP"):
        engine.to_literal(torch.nn.Linear(2, 2), TinyMLP,
                          ConversionContext(MemoryBlobStore(), str(tmp_path)))


def test_the_engine_does_not_import_torch() -> None:
    code = ("import sys; from slipstream.types.engine import default_engine; "
            "e = default_engine(); e.transformer_for(int); e.transformer_for(dict); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
