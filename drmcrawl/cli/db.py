"""`drmcrawl db upgrade` and `drmcrawl db copy`: the archive's schema and moving an
archive between databases (SQLite <-> PostgreSQL)."""

from __future__ import annotations

import click

from drmcrawl.cli import main
from drmcrawl.cli.common import DB_HELP, open_archive, run


@main.group()
def db() -> None:
    """The archive's database: schema upgrades, copies between backends."""


@db.command()
@click.option("--db", "db_url", default=None, help=DB_HELP)
def upgrade(db_url: str | None) -> None:
    """Bring the database to the current schema revision (Alembic), creating it if new.

    \b
    Examples:
        drmcrawl db upgrade --db data/drmcrawl.sqlite
        drmcrawl db upgrade --db postgresql+psycopg://drmcrawl@db.example/archive
    """
    archive = open_archive(db_url, must_exist=False)
    try:
        before, now = archive.revisions
        what = "already at" if before == now else f"upgraded from {before or 'none'} to"
        click.echo(f"{archive.location}: {what} revision {now}")
    finally:
        archive.close()


@db.command()
@click.option("--from", "source_url", required=True, help="Archive to copy (path or SQLAlchemy URL).")
@click.option("--to", "target_url", required=True, help="New, empty database to copy into.")
def copy(source_url: str, target_url: str) -> None:
    """Copy an archive into another database: every article, version, term, fetch row and
    run, with their ids. WARC files stay where they are (the fetch index names them).

    \b
    Example:
        drmcrawl db copy --from data/drmcrawl.sqlite --to postgresql+psycopg://drmcrawl@db.example/archive
    """
    from drmcrawl.storage.copy import copy_archive

    source = open_archive(source_url, must_exist=True)
    try:
        target = open_archive(target_url, must_exist=False)
        try:
            copied = run(lambda: copy_archive(source, target))
        finally:
            target.close()
    finally:
        source.close()
    rows = ", ".join(f"{name} {n}" for name, n in copied.items())
    click.echo(f"copied {source.location} -> {target.location}: {rows}")
