"""`slipstream db upgrade` and `slipstream db check [--repair]`: the metadata store's schema
and integrity."""

from __future__ import annotations

from typing import Annotated

import typer

from slipstream.cli.main import client, console

db_app = typer.Typer(help="The metadata store: migrate its schema, check its integrity.",
                     no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade() -> None:
    """Migrate the metadata store's schema to this Slipstream's head revision, keeping data."""
    from slipstream.metadata import open_execution_store
    from slipstream.metadata.sql.urls import mask_url

    c = client()
    url = c.settings.store_url
    before = _revision(url)
    open_execution_store(url).close()  # opening migrates an older schema, under a lock
    after = _revision(url)
    if before == after:
        console.print(f"{mask_url(url)} is at revision {after} (head): nothing to do",
                      highlight=False)
    else:
        console.print(f"Upgraded {mask_url(url)} from revision {before or '(empty)'} to "
                      f"{after}", highlight=False)


def _revision(url: str) -> str | None:
    from slipstream._core.errors import InvalidInputError
    from slipstream.metadata.sql.engine import create_store_engine
    from slipstream.metadata.sql.migrate import current_revision

    if not url.startswith(("sqlite", "postgresql", "postgres")):
        raise InvalidInputError(f"db upgrade needs a SQL store URL (sqlite:///… or "
                                f"postgresql://…), got {url!r}")
    engine = create_store_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


@db_app.command("check")
def check(
    repair: Annotated[bool, typer.Option(
        help="Record executions whose runner died ABORTED and what they left running FAILED "
             "(as `slipstream recover` does)")] = False,
) -> None:
    """Check the store: outputs whose bytes are missing, executions and nodes left RUNNING by a
    dead runner, dangling references. Exits 1 when a problem is left."""
    from slipstream.execution.integrity import check_store

    c = client()
    report = check_store(c.store, c.artifacts, repair=repair)
    for problem in report.problems:
        console.print(str(problem), highlight=False, markup=False)
    left = sum(not p.repaired for p in report.problems)
    console.print(f"Checked {report.executions} executions, {report.nodes} nodes, "
                  f"{report.blobs} artifact references: {len(report.problems)} problems, "
                  f"{len(report.problems) - left} repaired", highlight=False)
    if left:
        raise typer.Exit(1)
