"""Compile the hot-path SQL of the execution store ahead of time, from the table definitions.

`python -m slipstream.metadata.sql.compile_sql` writes `_compiled.py`: per dialect (SQLite, and
PostgreSQL through psycopg 3) the DDL of the head schema, the upserts `record` runs, the
cache-entries SELECT, the tracking store's `log_batch` statements and a run's start and end,
and the study store's per-trial statements. Opening a store, `record`, `get_cache_entries`,
`log_batch`, creating and ending a run and a trial's start and finish then run that text
through the driver without importing SQLAlchemy. A test regenerates the module in memory and
compares it with the committed file, so it cannot drift from `tables.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CreateIndex, CreateTable

from slipstream.metadata.sql import study_trials, tables

TARGET = Path(__file__).with_name("_compiled.py")
#: Keys per cache lookup statement: under every SQLite variable limit.
CACHE_CHUNK = 500
KEYS_MARK = "{keys}"

#: Short name in `record` -> table.
UPSERT_TABLES = {"workflows": tables.workflows, "executions": tables.executions,
                 "nodes": tables.node_executions, "cache": tables.cache_entries}


def dialects() -> dict[str, Dialect]:
    """The dialects compiled for, by `Dialect.name`, both with positional parameters (binding
    tuples is the drivers' fastest path)."""
    pg = psycopg.dialect(paramstyle="format")  # type: ignore[no-untyped-call]
    return {"sqlite": sqlite.dialect(), "postgresql": pg}


def create_schema(dialect: Dialect) -> list[str]:
    """What `metadata.create_all` emits (tables in dependency order, each followed by its
    indexes), then the alembic_version table stamped at HEAD_REVISION."""
    statements: list[str] = []
    for table in tables.metadata.sorted_tables:
        statements.append(_clean_ddl(str(CreateTable(table).compile(dialect=dialect))))
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            statements.append(_clean_ddl(str(CreateIndex(index).compile(dialect=dialect))))
    statements.append("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                      "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
    statements.append("INSERT INTO alembic_version (version_num) VALUES "
                      f"('{tables.HEAD_REVISION}')")
    return statements


def upsert_statement(dialect: str, table: sa.Table) -> sa.Insert:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE SET every other column; for workflow
    versions (immutable: the version is a content hash) DO NOTHING, keeping the first
    registration time."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    keys = [c.name for c in table.primary_key.columns]
    if table is tables.workflows:
        return stmt.on_conflict_do_nothing(index_elements=keys)
    updates = {c.name: stmt.excluded[c.name] for c in table.columns if not c.primary_key}
    return stmt.on_conflict_do_update(index_elements=keys, set_=updates)


def upsert(dialect: Dialect, table: sa.Table) -> tuple[str, tuple[str, ...]]:
    """The upsert's SQL and the names of the parameters it binds, in order."""
    compiled = upsert_statement(dialect.name, table).compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    if sorted(names) != sorted(c.name for c in table.columns):
        raise AssertionError(f"upsert of {table.name} binds {names}")  # internal invariant
    return str(compiled), names


def log_batch_statements(dialect: Dialect) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The tracking hot path (`log_batch`), each as (SQL, the names it binds in order): the run
    check, metric points (an identical point again is a no-op, as in MLflow), the latest-metric
    upsert (replaced only by a higher step, then timestamp, then value), params (first value
    kept; the store compares afterwards), tag upserts, the run columns mirroring tags, and
    the default experiment "0" (inserted if missing when a tracking store opens), and the
    logged-model check and metric link for points logged with a model_id."""
    insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    runs, lm = tables.runs, tables.latest_metrics
    latest = insert(lm)
    new = latest.excluded
    replaces = sa.or_(new.step > lm.c.step,
                      sa.and_(new.step == lm.c.step, new.timestamp > lm.c.timestamp),
                      sa.and_(new.step == lm.c.step, new.timestamp == lm.c.timestamp,
                              new.value > lm.c.value))
    latest = latest.on_conflict_do_update(
        index_elements=["run_id", "key"], where=replaces,
        set_={c: new[c] for c in ("value", "is_nan", "timestamp", "step")})
    tag = insert(tables.tags)
    tag = tag.on_conflict_do_update(index_elements=["run_id", "key"],
                                    set_={"value": tag.excluded.value})
    by_run = runs.c.run_id == sa.bindparam("run_id")
    statements: dict[str, sa.Insert | sa.Select[Any] | sa.Update] = {
        "run": sa.select(runs.c.lifecycle_stage).where(by_run),
        "metric": insert(tables.metrics).on_conflict_do_nothing(),
        "latest": latest,
        "param": insert(tables.params).on_conflict_do_nothing(),
        "param_values": sa.select(tables.params.c.key, tables.params.c.value).where(
            tables.params.c.run_id == sa.bindparam("run_id")),
        "tag": tag,
        "run_name": sa.update(runs).where(by_run).values(name=sa.bindparam("name")),
        "run_parent": sa.update(runs).where(by_run).values(
            parent_run_id=sa.bindparam("parent_run_id")),
        "default_experiment": insert(tables.experiments).on_conflict_do_nothing(),
        "model": sa.select(tables.logged_models.c.model_id).where(
            tables.logged_models.c.model_id == sa.bindparam("model_id")),
        "model_metric": insert(tables.logged_model_metrics).on_conflict_do_nothing(),
        # The reads a client's first calls make (set_experiment), so they need no SQLAlchemy.
        "experiment_by_id": _experiment_row().where(
            tables.experiments.c.experiment_id == sa.bindparam("experiment_id")),
        "experiment_by_name": _experiment_row().where(
            tables.experiments.c.name == sa.bindparam("name")),
        "experiment_tags": sa.select(tables.experiment_tags.c.key,
                                     tables.experiment_tags.c.value).where(
            tables.experiment_tags.c.experiment_id == sa.bindparam("experiment_id")),
    }
    out = {}
    for name, stmt in statements.items():
        compiled = stmt.compile(dialect=dialect)
        out[name] = (str(compiled), tuple(compiled.positiontup or ()))
    return out


def trial_statements(dialect: Dialect) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The study store's per-trial statements (`study_trials`), each as (SQL, the
    parameters it binds in order)."""
    out = {}
    for name, stmt in study_trials.trial_statements(dialect.name).items():
        compiled = stmt.compile(dialect=dialect)
        out[name] = (str(compiled), tuple(compiled.positiontup or ()))
    return out


def run_statements(dialect: Dialect) -> dict[str, tuple[str, tuple[str, ...]]]:
    """A run's start and end (`tracking_runs.run_statements`), each as (SQL, the parameters
    it binds in order)."""
    from slipstream.metadata.sql import tracking_runs

    out = {}
    for name, stmt in tracking_runs.run_statements().items():
        compiled = stmt.compile(dialect=dialect)
        out[name] = (str(compiled), tuple(compiled.positiontup or ()))
    if out["insert"][1] != tracking_runs.INFO_COLUMNS:  # tracking_lifecycle binds in that order
        raise AssertionError(f"the run insert binds {out['insert'][1]}")  # internal invariant
    return out


def _experiment_row() -> sa.Select[Any]:
    """An experiment's columns in `Experiment`'s field order (tags apart)."""
    e = tables.experiments.c
    return sa.select(e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage,
                     e.creation_time, e.last_update_time)


def select_cache(dialect: Dialect) -> str:
    """Cache entries by key: `= ANY(one array parameter)` on PostgreSQL; on SQLite an IN
    list whose placeholders replace KEYS_MARK at run time (one `?` per key)."""
    ce = tables.cache_entries
    if dialect.name == "postgresql":
        keys = sa.bindparam("keys", type_=postgresql.ARRAY(sa.Text))
        return str(sa.select(ce).where(ce.c.key == sa.any_(keys)).compile(dialect=dialect))
    sql = str(sa.select(ce).where(ce.c.key.in_(sa.bindparam("keys", expanding=True)))
              .compile(dialect=dialect))
    marker = "__[POSTCOMPILE_keys]"
    if sql.count(marker) != 1:
        raise AssertionError(f"unexpected cache SELECT {sql!r}")  # internal invariant
    return sql.replace(marker, KEYS_MARK)


def render() -> str:
    """The text of `_compiled.py`."""
    out = [
        '"""Generated by `python -m slipstream.metadata.sql.compile_sql` from tables.py: do not',
        "edit. Run that command after changing tables.py (a test fails until you do). Keys are",
        'SQLAlchemy dialect names; "postgresql" is compiled for psycopg 3."""',
        "",
        "from __future__ import annotations",
        "",
        f"HEAD_REVISION = {tables.HEAD_REVISION!r}",
        "TABLES: tuple[str, ...] = (",
        _literal(repr(tuple(tables.metadata.tables)), 4, raw=True),
        ")",
        "#: Columns of the cache SELECT, in order (CacheEntry fields).",
        "CACHE_COLUMNS: tuple[str, ...] = (",
        _literal(repr(tuple(c.name for c in tables.cache_entries.columns)), 4, raw=True),
        ")",
        f"CACHE_CHUNK = {CACHE_CHUNK}",
        f"KEYS_MARK = {KEYS_MARK!r}",
        "",
        "CREATE_SCHEMA: dict[str, tuple[str, ...]] = {",
    ]
    compiled = dialects()
    for name, dialect in compiled.items():
        out.append(f"    {name!r}: (")
        out.extend(_literal(sql, 8) + "," for sql in create_schema(dialect))
        out.append("    ),")
    out += ["}", "", "#: record's upserts: (SQL, the columns its positional parameters bind, in order).",
            "UPSERT: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {"]
    for name, dialect in compiled.items():
        out.append(f"    {name!r}: {{")
        for short, table in UPSERT_TABLES.items():
            sql, names = upsert(dialect, table)
            out.append(f"        {short!r}: (")
            out.append(_literal(sql, 12) + ",")
            out.append(_literal(repr(names), 12, raw=True) + ",")
            out.append("        ),")
        out.append("    },")
    out += ["}", "", "#: log_batch's statements: (SQL, the parameters it binds, in order).",
            "LOG_BATCH: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {"]
    for name, dialect in compiled.items():
        out.append(f"    {name!r}: {{")
        for short, (sql, names) in log_batch_statements(dialect).items():
            out.append(f"        {short!r}: (")
            out.append(_literal(sql, 12) + ",")
            out.append(_literal(repr(names), 12, raw=True) + ",")
            out.append("        ),")
        out.append("    },")
    out += ["}", "", "#: A run's start and end: (SQL, the parameters it binds, in order).",
            "RUNS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {"]
    for name, dialect in compiled.items():
        out.append(f"    {name!r}: {{")
        for short, (sql, names) in run_statements(dialect).items():
            out.append(f"        {short!r}: (")
            out.append(_literal(sql, 12) + ",")
            out.append(_literal(repr(names), 12, raw=True) + ",")
            out.append("        ),")
        out.append("    },")
    out += ["}", "", "#: The study store's per-trial statements: (SQL, the parameters it binds, in order).",
            "TRIALS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {"]
    for name, dialect in compiled.items():
        out.append(f"    {name!r}: {{")
        for short, (sql, names) in trial_statements(dialect).items():
            out.append(f"        {short!r}: (")
            out.append(_literal(sql, 12) + ",")
            out.append(_literal(repr(names), 12, raw=True) + ",")
            out.append("        ),")
        out.append("    },")
    out += ["}", "", "SELECT_CACHE: dict[str, str] = {"]
    for name, dialect in compiled.items():
        out.append(f"    {name!r}: (")
        out.append(_literal(select_cache(dialect), 8))
        out.append("    ),")
    out += ["}", ""]
    return "\n".join(out)


def _clean_ddl(sql: str) -> str:
    """CreateTable's layout without its blank edges and trailing spaces."""
    return "\n".join(line.rstrip() for line in sql.strip().splitlines()).replace("\t", "    ")


def _literal(text: str, indent: int, *, raw: bool = False, width: int = 100) -> str:
    """`text` as Python source: adjacent string literals split after spaces or newlines, each
    line under `width` columns (`raw`: text is already an expression, wrapped at ', ')."""
    pad = " " * indent
    room = width - indent - 4
    pieces: list[str] = []
    current = ""
    sep = ", " if raw else " "
    for token in _split_keeping(text, sep):
        if current and (len(repr(current + token)) > room or current.endswith("\n")):
            pieces.append(current)
            current = ""
        current += token
    pieces.append(current)
    if raw:
        return "\n".join(pad + p.rstrip() for p in pieces)
    return "\n".join(pad + repr(p) for p in pieces)


def _split_keeping(text: str, sep: str) -> list[str]:
    """Split after each `sep` and newline, keeping them, so the pieces join back to `text`."""
    tokens: list[str] = []
    buffer = ""
    for char in text:
        buffer += char
        if char == "\n" or buffer.endswith(sep):
            tokens.append(buffer)
            buffer = ""
    if buffer:
        tokens.append(buffer)
    return tokens


def main() -> None:
    """Write `_compiled.py` next to this module."""
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}", file=sys.stderr)


if __name__ == "__main__":
    main()
