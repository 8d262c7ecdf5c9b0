"""Store fixtures: `execution_store`, `tracking_store` and `store_url`, parametrised over SQLite
and PostgreSQL; `tracking_store` also over access "direct" and "rest" (the same store served
by a real Slipstream server, through its REST store: `tests.live_server`).

PostgreSQL comes from SLIPSTREAM_TEST_POSTGRES_URL (default: the local trust-auth server);
every test gets its own schema, selected through the libpq `options=-csearch_path=...` URL
parameter and dropped afterwards. Without the env var an unreachable server skips those tests;
with it, they fail.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from slipstream.metadata.base import ExecutionStore
from slipstream.metadata.tracking import TrackingStore
from tests.live_server import rest_server  # noqa: F401  (fixture registration)

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_url_for_test() -> str:
    """The PostgreSQL server tests may use (env SLIPSTREAM_TEST_POSTGRES_URL or the default)."""
    return os.environ.get("SLIPSTREAM_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


@functools.cache
def _postgres_problem() -> str | None:
    import sqlalchemy as sa

    from slipstream.metadata.sql.engine import normalise_url

    engine = sa.create_engine(normalise_url(postgres_url_for_test()),
                              connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as exc:
        return str(getattr(exc, "orig", exc)).strip()
    finally:
        engine.dispose()
    return None


def require_postgres() -> None:
    """Fail with a clear message when the test PostgreSQL server is unreachable: the project's
    machines run one (see README); deselect these tests with `-m "not postgres"` elsewhere."""
    problem = _postgres_problem()
    if problem is None:
        return
    pytest.fail(f"PostgreSQL at {postgres_url_for_test()} unreachable: {problem}. Start it, set "
                'SLIPSTREAM_TEST_POSTGRES_URL, or deselect with -m "not postgres"')


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """Create a fresh schema `t_<hex>`; yield a store URL whose connections use it; drop it."""
    import sqlalchemy as sa

    from slipstream.metadata.sql.engine import normalise_url

    require_postgres()
    schema = f"t_{secrets.token_hex(6)}"
    base = normalise_url(postgres_url_for_test())
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def sqlite_url(folder: Path) -> str:
    """A store URL for a new SQLite file in `folder` (the file does not exist yet)."""
    return f"sqlite:///{folder / 'store' / 'slipstream.db'}"


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a brand-new, empty store on each backend."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture
def execution_store(store_url: str) -> Iterator[ExecutionStore]:
    """An open, empty execution store on each backend, closed afterwards."""
    from slipstream.metadata import open_execution_store

    store = open_execution_store(store_url)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=["direct", "rest"])
def tracking_store(request: pytest.FixtureRequest, store_url: str,
                   tmp_path: Path) -> Iterator[TrackingStore]:
    """An open, new tracking store on each backend (artifacts under tmp_path), closed after;
    used directly, and through a real server as its REST store ("rest")."""
    from slipstream.metadata import open_tracking_store

    store = open_tracking_store(store_url, str(tmp_path / "artifacts"))
    try:
        if request.param == "direct":
            yield store
        else:
            with request.getfixturevalue("rest_server").serving(store) as rest:
                yield rest
    finally:
        store.close()
