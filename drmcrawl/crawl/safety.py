"""The database must be writable before a crawl starts (and the crawl session stops a
crawl as soon as it cannot write)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from drmcrawl.storage import Archive, StorageError


def prepare_archive(db: str | None) -> None:
    """Call with the crawl lock held. Raises StorageError unless the archive opens and
    accepts a write. (Runs a killed crawl left "running" are closed by the crawl
    session when the crawl opens: it also cuts their WARC files back to the last
    indexed exchange.)"""
    archive = Archive(db)
    try:
        _probe_write(archive)
    finally:
        archive.close()


def _probe_write(archive: Archive) -> None:
    """SQLite refuses this UPDATE on a read-only database even though it matches no row
    (`1 = 0`, not `0`: PostgreSQL wants a boolean)."""
    try:
        with archive.engine.begin() as connection:
            connection.execute(text("UPDATE crawl_runs SET status = status WHERE 1 = 0"))
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot write to database {archive.location}: {exc.orig or exc}") from exc
