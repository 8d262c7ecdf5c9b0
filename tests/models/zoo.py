"""Small real models the models tests log, save and load: a torch MLP trained in the test, a
PythonModel subclass, and a plain object with predict()."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from slipstream.models.flavors.python_function import PythonModel


class TinyMLP(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(),
                                       torch.nn.Linear(8, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


def train_mlp(x: np.ndarray, y: np.ndarray) -> TinyMLP:
    torch.manual_seed(0)
    model = TinyMLP()
    optimiser = torch.optim.Adam(model.parameters(), lr=0.05)
    inputs, targets = torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    for _ in range(60):
        optimiser.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(inputs), targets)
        loss.backward()
        optimiser.step()
    return model


class Doubler(PythonModel):
    def load_context(self, context: Any) -> None:
        self.factor = 2.0

    def predict(self, context: Any, model_input: Any) -> Any:
        return np.asarray(model_input, dtype=float) * self.factor


class Plain:
    def predict(self, model_input: Any) -> Any:
        return np.asarray(model_input).sum(axis=1)
