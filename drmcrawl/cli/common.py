"""Helpers shared by the command modules: error mapping, database opening, output."""

from __future__ import annotations

import logging
from pathlib import Path

import click

DB_HELP = "Database path or SQLAlchemy URL [default: $DRMCRAWL_DB or data/drmcrawl.sqlite]."

logger = logging.getLogger("drmcrawl.cli")


def run(action):
    """Library errors become `Error: ...` with exit code 1."""
    from sqlalchemy.exc import SQLAlchemyError

    from drmcrawl.storage import StorageError

    try:
        return action()
    except (StorageError, OSError, ValueError, SQLAlchemyError) as exc:
        raise click.ClickException(error_message(exc)) from exc


def error_message(exc: BaseException) -> str:
    """What the user reads after `Error: `: the message, without Python's decoration."""
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError):
        return f"database error: {getattr(exc, 'orig', None) or exc}"
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return str(exc) or type(exc).__name__


class ErrorsAsMessages(click.Group):
    """The one place where whatever a command lets escape (a full disk, an I/O error, a
    database that cannot be reached, a bug) becomes `Error: ...` on stderr with exit code 1,
    never a traceback; `-vv` logs the traceback too. Click's own exceptions (usage errors:
    exit 2), Ctrl-C and exits pass through."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort,
                KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 (the whole point: no traceback reaches the user)
            from sqlalchemy.exc import SQLAlchemyError

            from drmcrawl.storage import StorageError

            logger.debug("%s failed", ctx.invoked_subcommand or "drmcrawl", exc_info=True)
            if isinstance(exc, (StorageError, OSError, SQLAlchemyError)):
                raise click.ClickException(error_message(exc)) from exc
            raise click.ClickException(f"unexpected {type(exc).__name__}: {error_message(exc)} "
                                       "(-vv shows the traceback)") from exc


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

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number or out of range)
    except ValueError as exc:
        raise click.BadParameter(f"not a valid URL: {url!r} ({exc})", param_hint="--base-url") from exc
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
