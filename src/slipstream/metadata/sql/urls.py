"""Store URLs without SQLAlchemy: which backend, where, and how to show them safely.

`sqlite:///relative.db`, `sqlite:////absolute.db` and `sqlite://` (in memory) follow
SQLAlchemy's reading; `postgresql://`, `postgres://` and `postgresql+psycopg://` mean psycopg 3
and are handed to libpq as a URI, so its query parameters (`?options=-csearch_path%3D...`,
`connect_timeout=...`) apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, unquote

from slipstream._core.errors import InvalidInputError, StoreUnavailableError

_URL = re.compile(r"^(?P<scheme>[A-Za-z][\w+.-]*)://(?P<rest>.*)$", re.DOTALL)
_PASSWORD = re.compile(r"^(?P<head>[^:/]+://[^:/@?#]*:)[^@/?#]*@")
_SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")
_PG_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


@dataclass(frozen=True)
class StoreTarget:
    """Where a store lives. SQLite: `database` is a file path, or None in memory. PostgreSQL:
    `database` is a libpq connection URI."""

    backend: Literal["sqlite", "postgresql"]
    database: str | None
    query: frozenset[str] = frozenset()


def parse_url(url: str) -> StoreTarget:
    """The backend and location of `url`. Raises InvalidInputError for other databases and
    StoreUnavailableError for URLs this driver layer cannot open."""
    match = _URL.match(url)
    scheme = match["scheme"].lower() if match else ""
    if match is None or not scheme.startswith(("sqlite", "postgres")):
        raise InvalidInputError(
            f"Unsupported metadata store URL {mask_url(url)!r}: use sqlite:///path/to/file.db "
            "or postgresql://user@host:port/database"
        )
    rest = match["rest"]
    if scheme in _SQLITE_SCHEMES:
        path, _, query = rest.partition("?")
        if query:
            raise StoreUnavailableError(
                f"Cannot open metadata store {mask_url(url)!r}: SQLite store URLs take no query "
                f"parameters (got {query!r})"
            )
        if path and not path.startswith("/"):
            raise StoreUnavailableError(
                f"Cannot open metadata store {mask_url(url)!r}: a SQLite URL has no host; use "
                "sqlite:///relative/path.db or sqlite:////absolute/path.db"
            )
        database = unquote(path[1:])
        return StoreTarget("sqlite", None if database in ("", ":memory:") else database)
    if scheme in _PG_SCHEMES:
        query = frozenset(parse_qs(rest.partition("?")[2]))
        return StoreTarget("postgresql", f"postgresql://{rest}", query)
    raise StoreUnavailableError(
        f"Cannot open metadata store {mask_url(url)!r}: driver {scheme.partition('+')[2]!r} is "
        "not supported; use postgresql:// (psycopg 3) or sqlite:///"
    )


def mask_url(url: object) -> str:
    """The URL as text with any password replaced by ***. Accepts a SQLAlchemy URL too."""
    if not isinstance(url, str):
        render = getattr(url, "render_as_string", None)
        return str(render(hide_password=True)) if render else "<unparseable URL>"
    return _PASSWORD.sub(r"\g<head>***@", url, count=1)


def describe_db_error(exc: BaseException) -> str:
    """The driver's one-line message for a database error (no traceback, no SQL)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip() or type(orig).__name__
    return " ".join(line.strip() for line in text.splitlines() if line.strip())
