"""A workflow whose `train` task logs a training and an evaluation dataset to its node's run and
returns that run's id (what a model would be registered from)."""

from __future__ import annotations

import slipstream as ss
from slipstream import task, workflow
from slipstream.entities import Dataset

TRAIN = Dataset("churn-train", "d7a1b2c3", "s3", '{"uri": "s3://data/churn/train.parquet"}')
EVAL = Dataset("churn-eval", "e9f8a7b6", "s3", '{"uri": "s3://data/churn/eval.parquet"}')


@task
def train(rows: int) -> str:
    ss.log_param("rows", rows)
    ss.log_input(TRAIN, context="training")
    ss.log_input(EVAL, context="evaluation")
    active = ss.active_run()
    if active is None:
        raise RuntimeError("a task's logging call made no run")
    return active.run_id


@workflow
def fit(rows: int = 100) -> str:
    return train(rows=rows)
