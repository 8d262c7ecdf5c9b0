"""Every malformed filter and order-by raises one InvalidInputError saying what, where and why."""

from __future__ import annotations

import pytest

from slipstream._core.errors import InvalidInputError
from slipstream.protocol.search import EXPERIMENTS, parse_filter, parse_order_by

ERRORS = [
    ("metrics.acc >> 1", ["Invalid filter 'metrics.acc >> 1': expected a comparison operator "
                          "(=, !=, <, <=, >, >=", "after 'metrics.acc' at position 12",
                          "found '>>'"]),
    ("metrics.acc == 1", ["at position 12", "found '=='", "did you mean '='?"]),
    ("params.a <> 'b'", ["did you mean '!='?"]),
    ("metrics.acc", ["expected a comparison operator", "at position 11",
                     "found the end of the input"]),
    ("metrics.acc 1", ["expected a comparison operator", "at position 12", "found '1'"]),
    ("metrcs.acc > 1", ["unknown entity 'metrcs' at position 0",
                        "expected one of metrics, params, tags, attributes, datasets",
                        "Did you mean 'metrics'?"]),
    ("metrics.a > 1 and parms.b = 'x'", ["unknown entity 'parms' at position 18",
                                         "Did you mean 'params'?"]),
    ("metrics.acc > 1 or params.a = 'b'", ["OR at position 16 is not supported",
                                           "only join clauses with AND", "IN ('a', 'b')"]),
    ("metrics.acc LIKE '0.9%'", ["LIKE cannot compare metric 'metrics.acc' (metrics are numbers)",
                                 "at position 12", "use one of =, !=, <, <=, >, >="]),
    ("params.C > '1'", ["> cannot compare param 'params.C' (params are strings)",
                        "at position 9", "use one of =, !=, LIKE, ILIKE, IN, NOT IN"]),
    ("tags.t <= 'x'", ["<= cannot compare tag 'tags.t'"]),
    ("attributes.start_time LIKE '1%'", ["LIKE cannot compare numeric attribute "
                                         "'attributes.start_time'"]),
    ("attributes.status > 'A'", ["> cannot compare string attribute 'attributes.status'"]),
    ("attributes.status IS NULL", ["IS NULL cannot compare string attribute"]),
    ("datasets.name < 'a'", ["< cannot compare dataset field 'datasets.name'"]),
    ("metrics.acc > '0.9'", ["expected a number after 'metrics.acc' > at position 14",
                             "found \"'0.9'\"", "write the value without quotes"]),
    ("metrics.acc > abc", ["expected a number", "found 'abc'"]),
    ("metrics.acc > 1abc", ["expected a number", "found '1abc'"]),
    ("metrics.acc > 1.2.3", ["expected a number"]),
    ("metrics.acc > ", ["expected a number", "found the end of the input"]),
    ("params.C = 1", ["expected a quoted string after 'params.C' = at position 11",
                      "found '1'", "quote the value: params.C = '1'"]),
    ("params.C = abc", ["expected a quoted string", "params.C = 'abc'"]),
    ("params.C = 'abc", ["unterminated string starting at position 11", "close it with '"]),
    ("metrics.`abc > 1", ["unterminated quoted key starting at position 8", "close it with `"]),
    ("attributes.start_time > 'x'", ["expected a number", "'attributes.start_time' holds numbers"]),
    ("attributes.start_time > 1.5", ["expected a whole number", "found '1.5'", "milliseconds"]),
    ("attributes.run_id IN 'a'", ["expected a parenthesised list of strings",
                                  "attributes.run_id IN ('a', 'b')"]),
    ("attributes.run_id IN ()", ["expected a quoted string in the IN list at position 22"]),
    ("attributes.run_id IN ('a',)", ["expected another quoted string after ','"]),
    ("attributes.run_id IN ('a' 'b')", ["expected ',' or ')' in the IN list"]),
    ("attributes.run_id IN ('a', 1)", ["expected another quoted string"]),
    ("attributes.run_id IN ('a'", ["expected ',' or ')'", "the end of the input"]),
    ("attributes.run_id NOT LIKE 'a'", ["expected NOT IN at position 18",
                                        "NOT LIKE is not supported"]),
    ("params.a IS 'x'", ["expected IS NULL or IS NOT NULL at position 9"]),
    ("params.a IS NOT", ["expected IS NULL or IS NOT NULL"]),
    ("attributes.colour = 'red'", ["unknown attribute 'colour' for runs at position 0",
                                   "run_id", "status"]),
    ("attributes.stats = 'x'", ["Did you mean 'status'?"]),
    ("acc > 1", ["unknown attribute 'acc'", "write metrics.acc, params.acc or tags.acc"]),
    ("datasets.size = 'x'", ["unknown dataset field 'size'", "context, digest, name"]),
    ("datasets.nme = 'x'", ["Did you mean 'name'?"]),
    ("metrics. > 1", ["expected a key after 'metrics.' at position 8", "metrics.`my key`"]),
    ("metrics.`` > 1", ["expected a key after 'metrics.'"]),
    ("metrics.a > 1 and", ["expected a clause after AND at position 17"]),
    ("metrics.a > 1 and ", ["expected a clause after AND at position 18"]),
    ("and metrics.a > 1", ["unknown attribute 'and'"]),
    ("metrics.a > 1 metrics.b > 2", ["expected AND or the end of the filter after the clause on "
                                     "'metrics.a' at position 14", "found 'metrics.b'"]),
    ("metrics.a > 1 andmetrics.b > 2", ["expected AND or the end", "found 'andmetrics.b'"]),
    ("metrics.a > 1;", ["expected AND or the end", "found ';'"]),
    ("(metrics.a > 1)", ["expected an identifier such as metrics.acc", "at position 0"]),
    ("= 1", ["expected an identifier", "found '='"]),
]


@pytest.mark.parametrize(("text", "fragments"), ERRORS, ids=[t for t, _ in ERRORS])
def test_malformed_filters_explain_themselves(text: str, fragments: list[str]) -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_filter(text)
    message = str(info.value)
    assert message.startswith(f"Invalid filter {text!r}: ")
    for fragment in fragments:
        assert fragment in message


def test_schema_restricts_entities() -> None:
    with pytest.raises(InvalidInputError, match="experiments searches have no entity 'metrics'"):
        parse_filter("metrics.a > 1", EXPERIMENTS)
    with pytest.raises(InvalidInputError, match="unknown attribute 'status' for experiments"):
        parse_filter("status = 'x'", EXPERIMENTS)


ORDER_BY_ERRORS = [
    ("metrics.acc DOWN", ["expected ASC, DESC or the end after 'metrics.acc' at position 12",
                          "found 'DOWN'"]),
    ("metrics.acc DESC ASC", ["expected the end after DESC at position 17"]),
    ("metric.acc,", ["expected ASC, DESC or the end", "found ','"]),
    ("datasets.name", ["datasets are not orderable"]),
    ("attributes.colour", ["unknown attribute 'colour'"]),
    ("metrcs.a", ["Did you mean 'metrics'?"]),
    ("", ["expected an identifier"]),
]


@pytest.mark.parametrize(("text", "fragments"), ORDER_BY_ERRORS, ids=[t for t, _ in ORDER_BY_ERRORS])
def test_malformed_order_bys_explain_themselves(text: str, fragments: list[str]) -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_order_by(text)
    message = str(info.value)
    assert message.startswith(f"Invalid order_by {text!r}: ")
    for fragment in fragments:
        assert fragment in message
