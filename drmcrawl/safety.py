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


def prepare_archive(db: str | None) -> None:
    """Call with the crawl lock held. Raises StorageError unless the archive opens and
    accepts a write. (Runs a killed crawl left "running" are closed by the store
    pipeline when the crawl opens: it also cuts their WARC files back to the last
    indexed exchange.)"""
    archive = Archive(db)
    try:
        _probe_write(archive)
    finally:
        archive.close()


def _probe_write(archive: Archive) -> None:
    """SQLite refuses this UPDATE on a read-only database even though it matches no row."""
    try:
        with archive.engine.begin() as connection:
            connection.execute(text("UPDATE crawl_runs SET status = status WHERE 0"))
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot write to database {archive.location}: {exc.orig or exc}") from exc


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
