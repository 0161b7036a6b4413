"""Item pipelines: thin adapters from Scrapy to the archive, through the crawl session."""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem

from drmcrawl.crawl.items import Extracted, Gone, NonArticle, NotModified, PageFailure
from drmcrawl.crawl.session import CrawlSession
from drmcrawl.provenance import EXTRACTOR_VERSION
from drmcrawl.storage import StorageError
from drmcrawl.storage.repository import RecordError, utcnow
from drmcrawl.urls import url_key

logger = logging.getLogger(__name__)


class ValidatePipeline:
    """Drops (with a counted, logged reason) items that cannot be stored."""

    def __init__(self, crawler):
        self.session = CrawlSession.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if isinstance(item, Extracted) and not (item.article.url and item.article.title and item.article.body):
            self.session.counts["dropped/invalid_article"] += 1
            raise DropItem(f"Article without url, title or body: {item.article.url}")
        return item


class StorePipeline:
    """Writes articles, failures, 304s and removals to the session's archive."""

    def __init__(self, crawler):
        self.session = CrawlSession.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        try:
            self._store(item)
        except StorageError as exc:  # the crawl stops; the error is its result (no item dump, no traceback)
            self.session.stop_storing(str(exc))
        return item

    def _store(self, item) -> None:
        if isinstance(item, PageFailure):
            counted = self._failed(item.url, item.reason, item.detail)
        elif isinstance(item, NotModified):
            counted = self._not_modified(item)
        elif isinstance(item, Gone):
            counted = self._gone(item)
        elif isinstance(item, NonArticle):
            counted = self._non_article(item)
        else:
            counted = self._save(item)
        self.session.wrote(*counted)  # counted when committed
        self.session.log_progress()

    def _save(self, item: Extracted) -> tuple[str, ...]:
        session, article = self.session, item.article
        key = url_key(article.canonical_url or article.url)  # the article's key in the archive and the plan
        try:
            outcome = session.archive.save_article(
                article, session.run_id, fetch_id=item.fetch_id, extractor_version=EXTRACTOR_VERSION,
                digest=item.digest, sitemap_lastmod=session.plan.lastmods.get(key))
        except RecordError as exc:  # this article only (its write undone): a failure, and the crawl goes on
            return self._failed(article.url, "store_error", str(exc)[:500])
        if outcome == "new":
            session.plan.stored_new(key)
        return (f"articles_{outcome}",)

    def _non_article(self, item: NonArticle) -> tuple[str, ...]:
        if item.fetch_id is not None:
            self.session.archive.classify_fetch(item.fetch_id, item.kind, item.reason)
        self.session.non_articles[item.kind] += 1
        logger.debug("Not an article: %s (%s: %s)", item.url, item.kind, item.reason)
        return ()

    def _failed(self, url: str, reason: str, detail: str | None) -> tuple[str, ...]:
        self.session.archive.record_failure(self.session.run_id, url, reason, detail)
        logger.warning("Failed %s: %s", url, reason)
        return self.session.failure(reason)

    def _not_modified(self, item: NotModified) -> tuple[str, ...]:
        session = self.session
        if not session.archive.mark_not_modified(session.site.name, item.url, session.run_id, utcnow()):
            return self._failed(item.url, "not_modified_unknown", "304 for an article not in the archive")
        return ("articles_unchanged", "not_modified")

    def _gone(self, item: Gone) -> tuple[str, ...]:
        session = self.session
        outcome = session.archive.mark_removed(session.site.name, item.url, item.status, session.run_id, utcnow())
        if outcome is None:  # never archived: an ordinary failure
            return self._failed(item.url, item.reason, item.detail)
        logger.info("Article %s %s (%s)", item.url, outcome.replace("_", " "), item.status)
        return ("articles_removed" if outcome == "removed" else "still_removed",)
