"""Item pipelines: thin adapters from Scrapy to the archive."""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import DropItem

from drmcrawl.extract import Article
from drmcrawl.items import PageFailure
from drmcrawl.storage import Archive

logger = logging.getLogger(__name__)

STATS_PREFIX = "drmcrawl/"
# How a Scrapy close reason maps to the run's status.
_FINISHED_REASONS = ("finished", "max_articles", "closespider_itemcount", "closespider_pagecount")
PROGRESS_EVERY_S = 5.0


class ValidatePipeline:
    """Drops (with a counted, logged reason) items that cannot be stored."""

    def __init__(self, crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if isinstance(item, Article) and not (item.url and item.title and item.body):
            self.stats.inc_value(STATS_PREFIX + "dropped/invalid_article")
            raise DropItem(f"Article without url, title or body: {item.url}")
        return item


class StorePipeline:
    """Writes articles and failures to the archive and keeps the crawl-run row."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db = crawler.settings.get("DRMCRAWL_DB")
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self._last_progress = time.monotonic()
        crawler.signals.connect(self.spider_opened, signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        self.archive = Archive(self.db)
        settings = {k: self.crawler.settings.get(k) for k in
                    ("USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED")}
        settings["max_articles"] = getattr(spider, "max_articles", None)
        self.run_id = self.archive.start_run(spider.name, getattr(spider, "base_url", None), settings)
        self.stats.set_value(STATS_PREFIX + "run_id", self.run_id)
        self.stats.set_value(STATS_PREFIX + "db", self.archive.location)
        logger.info("Crawl run %s writing to %s", self.run_id, self.archive.location)

    def process_item(self, item):
        if isinstance(item, PageFailure):
            self.archive.record_failure(self.run_id, item.url, item.reason, item.detail)
            self.stats.inc_value(STATS_PREFIX + "articles_failed")
            self.stats.inc_value(STATS_PREFIX + f"failed/{item.reason}")
            logger.warning("Failed %s: %s", item.url, item.reason)
            return item
        outcome = self.archive.save_article(item, self.run_id)
        self.stats.inc_value(STATS_PREFIX + f"articles_{outcome}")
        self._log_progress()
        return item

    def _log_progress(self) -> None:
        now = time.monotonic()
        if now - self._last_progress < PROGRESS_EVERY_S:
            return
        self._last_progress = now
        get = self.stats.get_value
        logger.info(
            "progress: %d new, %d updated, %d unchanged, %d failed; %d pages fetched",
            get(STATS_PREFIX + "articles_new", 0), get(STATS_PREFIX + "articles_updated", 0),
            get(STATS_PREFIX + "articles_unchanged", 0), get(STATS_PREFIX + "articles_failed", 0),
            get("downloader/response_count", 0),
        )

    def spider_closed(self, spider, reason):
        if self.archive is None:
            return
        counts = {
            name: self.stats.get_value(STATS_PREFIX + name, 0)
            for name in ("articles_new", "articles_updated", "articles_unchanged",
                         "articles_failed", "duplicates_dropped")
        }
        counts["pages_fetched"] = self.stats.get_value("downloader/response_count", 0)
        status = "finished" if reason in _FINISHED_REASONS else (
            "interrupted" if reason == "shutdown" else "failed")
        if status == "finished" and not counts["pages_fetched"]:
            # Not one response: the site (or our network) was down. Not a success.
            status, reason = "failed", "nothing_fetched"
        self.archive.finish_run(self.run_id, status, reason, counts)
        self.stats.set_value(STATS_PREFIX + "status", status)
        self.stats.set_value(STATS_PREFIX + "reason", reason)
        self.archive.close()
