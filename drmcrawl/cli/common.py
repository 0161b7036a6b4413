"""Helpers shared by the command modules: error mapping, database opening, output."""

from __future__ import annotations

from pathlib import Path

import click

DB_HELP = "Database path or SQLAlchemy URL [default: $DRMCRAWL_DB or data/drmcrawl.sqlite]."

def run(action):
    """Library errors become `Error: ...` with exit code 1."""
    from drmcrawl.storage import StorageError

    try:
        return action()
    except (StorageError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


def open_archive(db: str | None, must_exist: bool, read_only: bool = False):
    """read_only: the command only reads (the file is opened read-only: see Archive)."""
    from drmcrawl.storage import Archive, resolve_db_url

    url = resolve_db_url(db, create_folder=not read_only)
    if must_exist and url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        raise click.ClickException(f"no database at {url[len('sqlite:///'):]}: run `drmcrawl crawl` first")
    return run(lambda: Archive(db, read_only=read_only))


def read_file(file: str) -> bytes:
    try:
        return Path(file).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror}") from exc


def check_url(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"expected an http(s) URL, got {url!r}", param_hint="--base-url")


def print_summary(result) -> None:
    click.echo(
        f"run {result.run_id}: {result.status} ({result.reason}); articles new {result.new}, "
        f"updated {result.updated}, unchanged {result.unchanged}, failed {result.failed}, "
        f"duplicates dropped {result.duplicates}; pages fetched {result.pages}; db {result.db}"
    )


def table(title: str, rows) -> None:
    click.echo(f"\nby {title}:")
    width = max((len(str(name)) for name, _ in rows), default=0)
    for name, count in rows:
        click.echo(f"  {str(name):<{width}}  {count}")
    if not rows:
        click.echo("  (none)")
