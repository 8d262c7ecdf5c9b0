"""In-memory semantics of filters and order-bys over run-like mappings."""

from __future__ import annotations

import math
from typing import Any

import pytest

from slipstream.protocol.search import (
    filter_runs,
    like,
    matches,
    parse_filter,
    parse_order_bys,
    sort_runs,
)


def run(run_id: str, start: int | None = 0, *, metrics: dict[str, float] | None = None,
        params: dict[str, str] | None = None, tags: dict[str, str] | None = None,
        datasets: list[dict[str, str]] | None = None, **attributes: Any) -> dict[str, Any]:
    return {"metrics": metrics or {}, "params": params or {}, "tags": tags or {},
            "attributes": {"run_id": run_id, "start_time": start, "status": "FINISHED",
                           "run_name": run_id, **attributes},
            "datasets": datasets or []}


def ok(text: str, r: dict[str, Any]) -> bool:
    return matches(parse_filter(text), r)


R = run("r1", 100, metrics={"acc": 0.9, "loss": 2.0, "nan": math.nan},
        params={"C": "1.0", "penalty": "l2", "n": "10"}, tags={"team": "Core-ML"},
        datasets=[{"name": "iris", "digest": "d1", "context": "train"},
                  {"name": "wine", "digest": "d2", "context": "test"}],
        end_time=None)


@pytest.mark.parametrize(("text", "expected"), [
    ("", True),
    ("metrics.acc > 0.5", True), ("metrics.acc >= 0.9", True), ("metrics.acc > 0.9", False),
    ("metrics.acc = 0.9", True), ("metrics.acc != 0.9", False), ("metrics.acc < 1", True),
    ("metrics.acc <= 0.89", False), ("metrics.loss = 2", True),
    ("metrics.nan > 0", False), ("metrics.nan = 0", False), ("metrics.nan != 0", True),
    # params are strings: compared as strings, never as numbers
    ("params.C = '1.0'", True), ("params.C = '1'", False), ("params.n != '10'", False),
    ("params.penalty IN ('l1', 'l2')", True), ("params.penalty NOT IN ('l1', 'l2')", False),
    # LIKE is case-sensitive, ILIKE is not; % is any run, _ one character
    ("tags.team LIKE 'Core%'", True), ("tags.team LIKE 'core%'", False),
    ("tags.team ILIKE 'core%'", True), ("tags.team LIKE '%ML'", True),
    ("tags.team LIKE 'Core_ML'", True), ("tags.team LIKE 'Core_'", False),
    ("tags.team LIKE '%'", True), ("tags.team LIKE 'Core-ML'", True),
    ("tags.team LIKE 'C%-%L'", True), ("tags.team LIKE 'Core.ML'", False),
    # missing keys never match, whatever the operator
    ("metrics.missing != 1", False), ("params.missing != 'x'", False),
    ("params.missing NOT IN ('x')", False), ("tags.missing LIKE '%'", False),
    ("attributes.end_time != 0", False), ("attributes.end_time < 5", False),
    # ...except IS NULL / IS NOT NULL
    ("params.missing IS NULL", True), ("params.C IS NULL", False),
    ("params.C IS NOT NULL", True), ("metrics.missing IS NOT NULL", False),
    # attributes
    ("attributes.status = 'FINISHED'", True), ("status != 'FINISHED'", False),
    ("attributes.run_id IN ('r0', 'r1')", True), ("attributes.run_id NOT IN ('r1')", False),
    ("attributes.start_time = 100", True), ("created > 99", True), ("created > 100", False),
    ("attributes.`run name` LIKE 'r%'", True),
    # datasets: any dataset input may satisfy the clause
    ("datasets.name = 'wine'", True), ("datasets.context = 'train'", True),
    ("datasets.name = 'mnist'", False), ("datasets.digest IN ('d9', 'd2')", True),
    ("datasets.name != 'iris'", True),
    # AND: every clause must hold
    ("metrics.acc > 0.5 and params.C = '1.0'", True),
    ("metrics.acc > 0.5 and params.C = '2.0'", False),
    ("metrics.acc > 0.95 and params.C = '1.0'", False),
])
def test_filter_semantics(text: str, expected: bool) -> None:
    assert ok(text, R) is expected


def test_dataset_clauses_never_match_a_run_without_datasets() -> None:
    assert not ok("datasets.name != 'x'", run("r2"))
    assert not ok("datasets.name != 'x'", {"attributes": {}})


def test_sections_may_be_missing() -> None:
    assert not ok("metrics.a > 0", {})
    assert ok("params.a IS NULL", {})


def test_filter_runs_keeps_order() -> None:
    runs = [run("a", metrics={"acc": 0.1}), run("b", metrics={"acc": 0.8}),
            run("c", metrics={"acc": 0.9})]
    assert [r["attributes"]["run_id"] for r in filter_runs(parse_filter("metrics.acc > 0.5"),
                                                           runs)] == ["b", "c"]


@pytest.mark.parametrize(("text", "pattern", "expected"), [
    ("", "", True), ("", "%", True), ("", "_", False), ("abc", "abc", True), ("abc", "ab", False),
    ("abc", "a%c", True), ("abc", "%b%", True), ("abc", "a_c", True), ("abbbc", "a%b%c", True),
    ("abc", "%%%", True), ("ab", "a%b%c", False), ("mississippi", "%sip%", True),
    ("mississippi", "m%iss%ppi", True), ("mississippi", "m%iss%ppx", False),
])
def test_like(text: str, pattern: str, expected: bool) -> None:
    assert like(text, pattern) is expected


def test_like_is_not_catastrophic() -> None:
    assert like("a" * 5000, "%a" * 50 + "%b") is False


def ids(runs: list[dict[str, Any]]) -> list[str]:
    return [r["attributes"]["run_id"] for r in runs]


def test_default_order_is_start_time_desc_then_run_id() -> None:
    runs = [run("b", 1), run("a", 1), run("c", 3), run("d", None)]
    assert ids(sort_runs(runs)) == ["c", "a", "b", "d"]


@pytest.mark.parametrize(("order_by", "expected"), [
    (["metrics.acc DESC"], ["high", "mid", "low", "nan", "none"]),
    (["metrics.acc"], ["low", "mid", "high", "nan", "none"]),
    (["metrics.acc ASC"], ["low", "mid", "high", "nan", "none"]),
])
def test_missing_and_nan_metrics_sort_last_both_ways(order_by: list[str],
                                                     expected: list[str]) -> None:
    runs = [run("none", 5), run("mid", 4, metrics={"acc": 0.5}),
            run("nan", 3, metrics={"acc": math.nan}), run("high", 2, metrics={"acc": 0.9}),
            run("low", 1, metrics={"acc": 0.1})]
    assert ids(sort_runs(runs, parse_order_bys(order_by))) == expected


def test_ties_fall_back_to_start_time_desc_then_run_id() -> None:
    runs = [run("a", 1, metrics={"acc": 1.0}), run("b", 2, metrics={"acc": 1.0}),
            run("c", 2, metrics={"acc": 1.0}), run("d", 9, metrics={"acc": 0.0})]
    assert ids(sort_runs(runs, parse_order_bys(["metrics.acc DESC"]))) == ["b", "c", "a", "d"]


def test_several_terms_mix_directions() -> None:
    runs = [run("a", params={"m": "x"}, metrics={"acc": 1.0}),
            run("b", params={"m": "y"}, metrics={"acc": 2.0}),
            run("c", params={"m": "x"}, metrics={"acc": 3.0}),
            run("d", metrics={"acc": 4.0})]
    order = parse_order_bys(["params.m DESC", "metrics.acc ASC"])
    assert ids(sort_runs(runs, order)) == ["b", "a", "c", "d"]


def test_string_params_sort_as_strings() -> None:
    runs = [run("a", params={"n": "10"}), run("b", params={"n": "9"}), run("c", params={"n": "100"})]
    assert ids(sort_runs(runs, parse_order_bys(["params.n"]))) == ["a", "c", "b"]


def test_order_by_attributes_and_tags() -> None:
    runs = [run("a", 3, tags={"t": "z"}), run("b", 1, tags={"t": "y"}), run("c", 2)]
    assert ids(sort_runs(runs, parse_order_bys(["attributes.start_time"]))) == ["b", "c", "a"]
    assert ids(sort_runs(runs, parse_order_bys(["created DESC"]))) == ["a", "c", "b"]
    assert ids(sort_runs(runs, parse_order_bys(["tags.t DESC"]))) == ["a", "b", "c"]
