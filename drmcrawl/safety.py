"""The database must be writable before a crawl starts, and a crawl stops as soon as it
cannot write (disk full, read-only file): fetching on without storing would lose data
silently and hammer the site for nothing."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from drmcrawl.storage import Archive, StorageError

logger = logging.getLogger(__name__)
STORAGE_ERROR_STAT = "drmcrawl/storage_error"


def prepare_archive(db: str | None) -> list[int]:
    """Call with the crawl lock held. Raises StorageError unless the archive opens and
    accepts a write. Then closes the runs a killed crawl left "running" (with the lock
    held, no other crawl is alive): they become "interrupted", reason "killed". Returns
    their ids."""
    archive = Archive(db)
    try:
        _probe_write(archive)
        # The archive's own bookkeeping when it has it (storage/runs.py), else plain SQL.
        mark = getattr(archive, "mark_killed_runs", None)
        dead = mark() if mark else _mark_killed_runs(archive)
    finally:
        archive.close()
    if dead:
        logger.warning("Crawl runs %s were killed before they finished; marked interrupted",
                       ", ".join(map(str, dead)))
    return dead


def _probe_write(archive: Archive) -> None:
    """SQLite refuses this UPDATE on a read-only database even though it matches no row."""
    try:
        with archive.engine.begin() as connection:
            connection.execute(text("UPDATE crawl_runs SET status = status WHERE 0"))
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot write to database {archive.location}: {exc.orig or exc}") from exc


def _mark_killed_runs(archive: Archive) -> list[int]:
    try:
        with archive.engine.begin() as connection:
            dead = list(connection.execute(text("SELECT id FROM crawl_runs WHERE status = 'running'")).scalars())
            connection.execute(text(
                "UPDATE crawl_runs SET status = 'interrupted', finish_reason = 'killed' WHERE status = 'running'"))
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot write to database {archive.location}: {exc.orig or exc}") from exc
    return dead


class StorageGuard:
    """Closes the spider on the first item the archive could not store."""

    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.item_error, signals.item_error)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def item_error(self, item, response, spider, failure) -> None:
        if not failure.check(StorageError) or self.crawler.stats.get_value(STORAGE_ERROR_STAT):
            return
        message = str(failure.value)
        logger.error("Stopping the crawl: %s", message)
        self.crawler.stats.set_value(STORAGE_ERROR_STAT, message)
        engine = self.crawler.engine
        if hasattr(engine, "close_spider_async"):  # Scrapy >= 2.14
            deferred_from_coro(engine.close_spider_async(reason="storage_error"))
        else:
            engine.close_spider(spider, "storage_error")
