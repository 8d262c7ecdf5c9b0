"""MLflow's search language for runs, experiments and model versions, as a pure module.

`parse_filter("metrics.acc > 0.9 and params.C = '1.0'")` gives a tuple of `Comparison`s (a
conjunction); `parse_order_by("metrics.acc DESC")` gives an `OrderBy`; `render` prints clauses
back. `matches` and `sort_key` evaluate them over plain run-like mappings (shape below), so the
semantics are testable without a database; a store compiles the same AST to SQL.

Grammar (keywords case-insensitive; positions in errors are 0-based):

    filter      clause AND clause ...      (OR is refused with an explanation; "" = no clauses)
    clause      <entity>.<key> <op> <value>, or a bare attribute key: status = 'FAILED'
    entity      metrics|metric, params|param|parameters|parameter, tags|tag,
                attributes|attribute|attr|run, datasets|dataset
    key         name_with.dots-and/slashes, or `backquoted`, "double" or 'single' quoted
    metrics     = != < <= > >= with a number (1, -2.5, 1e-3); also IS NULL, IS NOT NULL
    params/tags = != LIKE ILIKE IN NOT IN with quoted strings; also IS NULL, IS NOT NULL
    attributes  runs: run_id run_name status artifact_uri user_id lifecycle_stage (strings:
                = != LIKE ILIKE IN NOT IN), start_time end_time (integers, ms: = != < <= > >=);
                aliases created/Created -> start_time, `run name` -> run_name
    datasets    name digest context: = != LIKE ILIKE IN NOT IN
    values      'single' or "double" quoted strings ('' doubles a quote), numbers,
                ('a', 'b') lists for IN / NOT IN
    order_by    <entity>.<key> [ASC|DESC] (ASC by default; datasets are not orderable)

Run-like mappings (missing sections are empty):

    {"metrics": {"acc": 0.91}, "params": {"C": "1.0"}, "tags": {"team": "core"},
     "attributes": {"run_id": "ab12", "status": "FINISHED", "start_time": 1700000000000, ...},
     "datasets": [{"name": "iris", "digest": "d41d8", "context": "train"}]}

Schemas (`RUNS`, `EXPERIMENTS`, `LOGGED_MODELS`, `MODEL_VERSIONS`,
`REGISTERED_MODELS`) say which entities and
attributes a search accepts. IN / NOT IN on params and tags and IS [NOT] NULL are accepted
beyond what MLflow does.
"""

from slipstream.protocol.search.evaluate import filter_runs, like, matches, sort_key, sort_runs
from slipstream.protocol.search.nodes import (
    EXPERIMENTS,
    LOGGED_MODELS,
    MODEL_VERSIONS,
    REGISTERED_MODELS,
    RUNS,
    Comparison,
    Entity,
    Op,
    OrderBy,
    SearchSchema,
)
from slipstream.protocol.search.parser import parse_filter, parse_order_by, parse_order_bys
from slipstream.protocol.search.render import render, render_clause, render_order_by

__all__ = [
    "EXPERIMENTS",
    "LOGGED_MODELS",
    "MODEL_VERSIONS",
    "REGISTERED_MODELS",
    "RUNS",
    "Comparison",
    "Entity",
    "Op",
    "OrderBy",
    "SearchSchema",
    "filter_runs",
    "like",
    "matches",
    "parse_filter",
    "parse_order_by",
    "parse_order_bys",
    "render",
    "render_clause",
    "render_order_by",
    "sort_key",
    "sort_runs",
]
