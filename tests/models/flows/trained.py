"""A workflow that trains models in tasks, logs and registers them from the task's run, and
hands them to downstream tasks as typed values (a scikit-learn estimator, a torch module) and
by registry URI."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

import slipstream as ss
from slipstream import task, workflow
from tests.models.zoo import TinyMLP, train_mlp


@task
def make_data(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(rows, 3)), columns=["a", "b", "c"])
    frame["y"] = (frame["a"] + frame["c"] > 0).astype(int)
    return frame


@task
def train(data: pd.DataFrame) -> LogisticRegression:
    features = data[["a", "b", "c"]]
    ss.log_input(data, context="training", name="churn-train")
    model = LogisticRegression().fit(features, data["y"])
    ss.models.log_model(model, input_example=features.head(2), registered_model_name="churn")
    return model


@task
def train_torch(data: pd.DataFrame) -> TinyMLP:
    return train_mlp(data[["a", "b", "c"]].to_numpy(), data["y"].to_numpy())


@task
def accuracy(model: LogisticRegression, data: pd.DataFrame) -> float:
    return float((model.predict(data[["a", "b", "c"]]) == data["y"]).mean())


@task
def torch_accuracy(model: TinyMLP, data: pd.DataFrame) -> float:
    import torch

    with torch.no_grad():
        logits = model(torch.tensor(data[["a", "b", "c"]].to_numpy(), dtype=torch.float32))
    return float(((logits.numpy() > 0) == data["y"].to_numpy()).mean())


@task
def registered_accuracy(data: pd.DataFrame, trained: float) -> float:
    model = ss.models.load_pyfunc("models:/churn/latest")
    return float((model.predict(data[["a", "b", "c"]]) == data["y"]).mean())


@workflow
def pipeline(rows: int = 200) -> tuple[float, float, float]:
    data = make_data(rows=rows)
    model = train(data=data)
    score = accuracy(model=model, data=data)
    mlp = train_torch(data=data)
    return score, torch_accuracy(model=mlp, data=data), registered_accuracy(data=data,
                                                                            trained=score)


@task
def train_and_register(rows: int) -> int:
    rng = np.random.default_rng(6)
    features = pd.DataFrame(rng.normal(size=(rows, 2)), columns=["a", "b"])
    model = LogisticRegression().fit(features, (features["a"] > 0).astype(int))
    info = ss.models.log_model(model, registered_model_name="pooled")
    return info.registered_model_version or 0


@workflow
def register_only(rows: int = 50) -> int:
    return train_and_register(rows=rows)


@task
def load_registered(name: str) -> ss.models.PyFuncModel:
    return ss.models.load_pyfunc(f"models:/{name}/latest")


@task
def predict_one(model: ss.models.PyFuncModel) -> int:
    return int(model.predict(pd.DataFrame({"a": [2.0], "b": [0.0]}))[0])


@workflow
def handoff(rows: int = 50) -> int:
    version = train_and_register(rows=rows)
    model = load_registered(name="pooled")
    version >> model
    return predict_one(model=model)
