"""Valid filters (most from MLflow's search docs) and the ASTs they parse to; order-by parsing."""

from __future__ import annotations

import pytest

from slipstream.protocol.search import (
    EXPERIMENTS,
    MODEL_VERSIONS,
    Comparison,
    Entity,
    Op,
    OrderBy,
    parse_filter,
    parse_order_by,
    parse_order_bys,
)

M, P, T, A, D = Entity.METRIC, Entity.PARAM, Entity.TAG, Entity.ATTRIBUTE, Entity.DATASET

VALID = [
    ("metrics.accuracy > 0.92", [Comparison(M, "accuracy", Op.GT, 0.92)]),
    ("params.model = \"LogisticRegression\" and params.lambda = \"0.001\" and metrics.error <= 0.05",
     [Comparison(P, "model", Op.EQ, "LogisticRegression"), Comparison(P, "lambda", Op.EQ, "0.001"),
      Comparison(M, "error", Op.LE, 0.05)]),
    ("attributes.status = \"FAILED\"", [Comparison(A, "status", Op.EQ, "FAILED")]),
    ("metrics.rmse < 1 and params.model_class = 'LogisticRegression'",
     [Comparison(M, "rmse", Op.LT, 1.0), Comparison(P, "model_class", Op.EQ, "LogisticRegression")]),
    ("metrics.\"model class\" = 5 and tags.\"user-name\" = 'Tomas'",
     [Comparison(M, "model class", Op.EQ, 5.0), Comparison(T, "user-name", Op.EQ, "Tomas")]),
    ("metrics.`f1 score` >= 0.5", [Comparison(M, "f1 score", Op.GE, 0.5)]),
    ("params.`batch.size` != '4'", [Comparison(P, "batch.size", Op.NE, "4")]),
    ("metric.loss < -1.5e-3", [Comparison(M, "loss", Op.LT, -0.0015)]),
    ("metrics.loss>-1", [Comparison(M, "loss", Op.GT, -1.0)]),
    ("metrics.x = 1E+3", [Comparison(M, "x", Op.EQ, 1000.0)]),
    ("metrics.x = .5", [Comparison(M, "x", Op.EQ, 0.5)]),
    ("metrics.train/loss < 2", [Comparison(M, "train/loss", Op.LT, 2.0)]),
    ("metrics.a.b.c > 0", [Comparison(M, "a.b.c", Op.GT, 0.0)]),
    ("param.lr = '0.01' AND parameter.x = 'y' AND parameters.z = 'w'",
     [Comparison(P, "lr", Op.EQ, "0.01"), Comparison(P, "x", Op.EQ, "y"),
      Comparison(P, "z", Op.EQ, "w")]),
    ("tags.mlflow.source.type = 'LOCAL'", [Comparison(T, "mlflow.source.type", Op.EQ, "LOCAL")]),
    ("tag.team LIKE 'core%'", [Comparison(T, "team", Op.LIKE, "core%")]),
    ("tags.team ilike '%CORE_'", [Comparison(T, "team", Op.ILIKE, "%CORE_")]),
    ("attributes.run_name LIKE 'lr-%'", [Comparison(A, "run_name", Op.LIKE, "lr-%")]),
    ("attributes.`run name` = 'lr'", [Comparison(A, "run_name", Op.EQ, "lr")]),
    ("`Run Name` = 'lr'", [Comparison(A, "run_name", Op.EQ, "lr")]),
    ("attr.run_id IN ('a1', \"b2\")", [Comparison(A, "run_id", Op.IN, ("a1", "b2"))]),
    ("run.run_id not in ('a1')", [Comparison(A, "run_id", Op.NOT_IN, ("a1",))]),
    ("attribute.start_time > 1700000000000", [Comparison(A, "start_time", Op.GT, 1700000000000)]),
    ("attributes.created >= 1e3", [Comparison(A, "start_time", Op.GE, 1000)]),
    ("attributes.Created < 5", [Comparison(A, "start_time", Op.LT, 5)]),
    ("attributes.end_time != 0", [Comparison(A, "end_time", Op.NE, 0)]),
    ("attributes.user_id = 'ada' and attributes.artifact_uri LIKE 's3://%'",
     [Comparison(A, "user_id", Op.EQ, "ada"), Comparison(A, "artifact_uri", Op.LIKE, "s3://%")]),
    ("attributes.lifecycle_stage = 'active'", [Comparison(A, "lifecycle_stage", Op.EQ, "active")]),
    ("status = 'FINISHED'", [Comparison(A, "status", Op.EQ, "FINISHED")]),
    ("datasets.name = 'iris' and datasets.digest IN ('d1','d2') and dataset.context = 'train'",
     [Comparison(D, "name", Op.EQ, "iris"), Comparison(D, "digest", Op.IN, ("d1", "d2")),
      Comparison(D, "context", Op.EQ, "train")]),
    ("params.x IS NULL and tags.y is not null and metrics.z IS NULL",
     [Comparison(P, "x", Op.IS_NULL), Comparison(T, "y", Op.IS_NOT_NULL),
      Comparison(M, "z", Op.IS_NULL)]),
    ("params.q = 'it''s'", [Comparison(P, "q", Op.EQ, "it's")]),
    ("params.q = \"say \"\"hi\"\"\"", [Comparison(P, "q", Op.EQ, 'say "hi"')]),
    ("params.q = ''", [Comparison(P, "q", Op.EQ, "")]),
    ("params.q = 'a AND b'", [Comparison(P, "q", Op.EQ, "a AND b")]),
    ("  metrics.a > 1   AnD   metrics.b < 2  ", [Comparison(M, "a", Op.GT, 1.0),
                                                Comparison(M, "b", Op.LT, 2.0)]),
    ("metrics.a>1 AND\nmetrics.b<2", [Comparison(M, "a", Op.GT, 1.0), Comparison(M, "b", Op.LT, 2.0)]),
    ("Metrics.acc = 1", [Comparison(M, "acc", Op.EQ, 1.0)]),
    ("`metrics`.acc = 1", [Comparison(M, "acc", Op.EQ, 1.0)]),
    ("params.`weird``key` = 'v'", [Comparison(P, "weird`key", Op.EQ, "v")]),
]


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[t for t, _ in VALID])
def test_valid_filters_parse_to_their_ast(text: str, expected: list[Comparison]) -> None:
    assert parse_filter(text) == tuple(expected)


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t"])
def test_an_empty_filter_has_no_clauses(text: str | None) -> None:
    assert parse_filter(text) == ()


def test_value_types_are_typed() -> None:
    metric, start = parse_filter("metrics.a = 1 and attributes.start_time = 1")
    assert isinstance(metric.value, float)
    assert isinstance(start.value, int)


def test_experiment_and_model_version_schemas() -> None:
    assert parse_filter("name LIKE 'churn%' and tags.team = 'core' and creation_time > 5",
                        EXPERIMENTS) == (
        Comparison(A, "name", Op.LIKE, "churn%"), Comparison(T, "team", Op.EQ, "core"),
        Comparison(A, "creation_time", Op.GT, 5))
    assert parse_filter("name = 'm' and run_id IN ('r1') and version_number >= 2",
                        MODEL_VERSIONS) == (
        Comparison(A, "name", Op.EQ, "m"), Comparison(A, "run_id", Op.IN, ("r1",)),
        Comparison(A, "version_number", Op.GE, 2))


ORDER_BYS = [
    ("metrics.acc DESC", OrderBy(M, "acc", ascending=False)),
    ("metrics.acc desc", OrderBy(M, "acc", ascending=False)),
    ("params.C", OrderBy(P, "C")),
    ("attributes.start_time ASC", OrderBy(A, "start_time")),
    ("metrics.`my metric` DESC", OrderBy(M, "my metric", ascending=False)),
    ("tags.\"a b\" asc", OrderBy(T, "a b")),
    ("start_time", OrderBy(A, "start_time")),
    ("created DESC", OrderBy(A, "start_time", ascending=False)),
    ("attributes.experiment_id", OrderBy(A, "experiment_id")),
    ("  metrics.loss   ", OrderBy(M, "loss")),
]


@pytest.mark.parametrize(("text", "expected"), ORDER_BYS, ids=[t for t, _ in ORDER_BYS])
def test_order_by_parses(text: str, expected: OrderBy) -> None:
    assert parse_order_by(text) == expected


def test_order_by_lists_and_other_schemas() -> None:
    assert parse_order_bys(["metrics.a DESC", "params.b"]) == (
        OrderBy(M, "a", ascending=False), OrderBy(P, "b"))
    assert parse_order_bys(None) == ()
    assert parse_order_by("last_update_time DESC", EXPERIMENTS) == OrderBy(
        A, "last_update_time", ascending=False)
    assert parse_order_by("version_number", MODEL_VERSIONS) == OrderBy(A, "version_number")
