"""Item pipelines: thin adapters from Scrapy to the archive."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from scrapy import signals
from scrapy.exceptions import DropItem

from drmcrawl.archive.events import Gone, NotModified
from drmcrawl.archive.middleware import file_prefix, recorded_settings, warc_dir
from drmcrawl.archive.provenance import EXTRACTOR_VERSION
from drmcrawl.archive.warc import repair_killed
from drmcrawl.crawlstore import CrawlStore
from drmcrawl.discovery import url_key
from drmcrawl.extract import Article
from drmcrawl.items import PageFailure
from drmcrawl.storage import Archive
from drmcrawl.storage.repository import utcnow

logger = logging.getLogger(__name__)

STATS_PREFIX = "drmcrawl/"
# How a Scrapy close reason maps to the run's status.
_FINISHED_REASONS = ("finished", "max_articles", "closespider_itemcount", "closespider_pagecount")
PROGRESS_EVERY_S = 5.0
# Per-run counters kept in Scrapy stats as drmcrawl/<name>.
COUNTED = ("articles_new", "articles_updated", "articles_unchanged", "articles_failed", "duplicates_dropped",
           "articles_removed", "not_modified")


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
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self._last_progress = time.monotonic()
        self._lastmods_stored: dict[str, datetime] = {}  # url key -> the lastmod a new article was stored with
        crawler.signals.connect(self.spider_opened, signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        self.store = CrawlStore.of(self.crawler)
        self.archive = self.store.archive
        self.site = getattr(spider, "profile", spider.name)
        self._recover_killed_runs(spider)
        self._start_run(spider)
        self.store.hold()  # the run's row is committed; the crawl's writes are batched
        self.stats.set_value(STATS_PREFIX + "run_id", self.run_id)
        self.stats.set_value(STATS_PREFIX + "db", self.archive.location)
        logger.info("Crawl run %s writing to %s", self.run_id, self.archive.location)

    def _recover_killed_runs(self, spider) -> None:
        """Runs whose process died (kill -9) are marked interrupted and their WARC files
        cut back to the last indexed exchange (a torn gzip member would fail readers)."""
        killed = self.archive.mark_killed_runs()
        if not killed:
            return
        logger.warning("Crawl runs %s were killed before they finished; marked interrupted", killed)
        folder = warc_dir(self.crawler, self.archive.location)
        if folder.is_dir():
            prefixes = [file_prefix(self.archive.location, spider.name, run_id) for run_id in killed]
            repair_killed(folder, prefixes, self.archive.warc_ends(killed))

    def _start_run(self, spider) -> None:
        settings = self.crawler.settings
        resume = self.archive.resume_point(spider.name) if settings.getbool("DRMCRAWL_RESUME", True) else None
        self.run_id = self.archive.start_run(
            spider.name, getattr(spider, "base_url", None), recorded_settings(self.crawler, spider),
            trigger=settings.get("DRMCRAWL_TRIGGER") or "scrapy",
            full=settings.getbool("DRMCRAWL_FULL") or bool(resume and resume[2]),
            resumed_from=resume[0] if resume else None)
        self.started_at = utcnow()
        if resume:
            # Articles the interrupted run(s) already checked are done; the rest is fetched.
            self.stats.set_value(STATS_PREFIX + "resume_since", resume[1])
            logger.info("Resuming interrupted run %s (its work since %s is kept)", resume[0], resume[1])

    def process_item(self, item):
        if isinstance(item, PageFailure):
            self._failed(item.url, item.reason, item.detail)
        elif isinstance(item, NotModified):
            self._not_modified(item)
        elif isinstance(item, Gone):
            self._gone(item)
        else:
            self._save(item)
        self.store.wrote()
        self._log_progress()
        return item

    @property
    def _lastmods(self) -> dict:
        """The sitemap lastmods the spider's plan has seen so far (url key -> time)."""
        plan = getattr(self.crawler.spider, "plan", None)
        return plan.lastmods if plan is not None else {}

    def _save(self, item: Article) -> None:
        fetch_id, digest = self.store.article_fetches.pop(item.url, (None, None))
        if fetch_id is None:
            fetch_id = self.archive.fetch_id_for(self.run_id, item.url)
        key = url_key(item.canonical_url or item.url)  # the article's key in the archive and the plan
        lastmod = self._lastmods.get(key)
        outcome = self.archive.save_article(item, self.run_id, fetch_id=fetch_id, extractor_version=EXTRACTOR_VERSION,
                                            digest=digest, sitemap_lastmod=lastmod)
        if outcome == "new" and lastmod is not None:
            self._lastmods_stored[key] = lastmod
        self.stats.inc_value(STATS_PREFIX + f"articles_{outcome}")

    def _failed(self, url: str, reason: str, detail: str | None) -> None:
        self.archive.record_failure(self.run_id, url, reason, detail)
        self.stats.inc_value(STATS_PREFIX + "articles_failed")
        self.stats.inc_value(STATS_PREFIX + f"failed/{reason}")
        logger.warning("Failed %s: %s", url, reason)

    def _not_modified(self, item: NotModified) -> None:
        if not self.archive.mark_not_modified(self.site, item.url, self.run_id, utcnow()):
            return self._failed(item.url, "not_modified_unknown", "304 for an article not in the archive")
        self.stats.inc_value(STATS_PREFIX + "articles_unchanged")
        self.stats.inc_value(STATS_PREFIX + "not_modified")

    def _gone(self, item: Gone) -> None:
        outcome = self.archive.mark_removed(self.site, item.url, item.status, self.run_id, utcnow())
        if outcome is None:  # never archived: an ordinary failure
            return self._failed(item.url, item.reason, item.detail)
        self.stats.inc_value(STATS_PREFIX + ("articles_removed" if outcome == "removed" else "still_removed"))
        logger.info("Article %s %s (%s)", item.url, outcome.replace("_", " "), item.status)

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
        try:
            # The crawl's batched work first: a run-row update that fails (disk full) must
            # not take it along. If this commit fails, the run stays "running" and the
            # next crawl recovers it like a killed one.
            self.store.commit()
            self._finish_run(spider, reason)
        finally:
            self.store.close()

    def _finish_run(self, spider, reason: str) -> None:
        counts = self._counts(getattr(spider, "plan", None))
        status = "finished" if reason in _FINISHED_REASONS else (
            "interrupted" if reason == "shutdown" else "failed")
        if status == "finished" and not counts["pages_fetched"]:
            # Not one response: the site (or our network) was down. Not a success.
            status, reason = "failed", "nothing_fetched"
        # New articles were stored with their lastmod; updating 20,000 rows here again took
        # 1.5 s at the end of a 20,000-article crawl. The rest, and any lastmod that grew
        # after its article was stored, are set now.
        left = {key: lastmod for key, lastmod in self._lastmods.items() if self._lastmods_stored.get(key) != lastmod}
        if left:
            self.archive.remember_lastmods(self.site, left, self.started_at)
        self.archive.finish_run(self.run_id, status, reason, counts)
        self.stats.set_value(STATS_PREFIX + "status", status)
        self.stats.set_value(STATS_PREFIX + "reason", reason)

    def _counts(self, plan) -> dict:
        get = self.stats.get_value
        counts = {name: get(STATS_PREFIX + name, 0) for name in COUNTED}
        counts["pages_fetched"] = get("downloader/response_count", 0)
        counts["robots_blocked"] = get("robotstxt/forbidden", 0)
        counts["discovered"] = len(plan.discovered) if plan else 0
        counts["skipped"] = plan.skipped if plan else 0
        prefix = STATS_PREFIX + "failed/"
        counts["failed_by_reason"] = {k[len(prefix):]: v for k, v in self.stats.get_stats().items()
                                      if k.startswith(prefix)}
        return counts
