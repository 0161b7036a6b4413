"""One archive connection per crawl, shared by the WARC middleware (fetch index) and the
store pipeline (articles, failures, the run), writing in one long transaction that is
committed every DRMCRAWL_COMMIT_WRITES writes or DRMCRAWL_COMMIT_SECONDS seconds
(`drmcrawl crawl --commit-every`).

Why: two connections to one SQLite file, each committing every write, cost about four
commits per article and took more CPU than fetching the page. Batched, a killed crawl loses
at most the last second of index rows; recovery cuts the WARC files back to the last
committed index row (`warc.repair_killed`), so files and index still agree and the next
run fetches those pages again."""

from __future__ import annotations

import logging
import time
from weakref import WeakKeyDictionary

from twisted.internet.task import LoopingCall

from drmcrawl.storage import Archive

logger = logging.getLogger(__name__)

COMMIT_WRITES = 500
COMMIT_SECONDS = 1.0  # analysts reading during a crawl see its work this fresh
ARTICLE_FETCHES_KEPT = 10_000

_STORES: WeakKeyDictionary = WeakKeyDictionary()


class CrawlStore:
    def __init__(self, db: str | None, seconds: float = COMMIT_SECONDS, writes: int = COMMIT_WRITES):
        self.archive = Archive(db)
        self.seconds, self.writes = seconds, writes
        # url -> (fetch id of the 200 answer to an article request, the content digest of
        # its extraction when a worker computed it), until its article is stored
        self.article_fetches: dict[str, tuple[int, str | None]] = {}
        self._writes = 0
        self._committed_at = time.monotonic()
        self._users = 0
        self._timer: LoopingCall | None = None

    @classmethod
    def of(cls, crawler) -> CrawlStore:
        """The crawl's store, opened by its first user; each user calls `close()` once."""
        store = _STORES.get(crawler)
        if store is None or store._users == 0:
            settings = crawler.settings
            store = _STORES[crawler] = cls(settings.get("DRMCRAWL_DB"),
                                           settings.getfloat("DRMCRAWL_COMMIT_SECONDS", COMMIT_SECONDS),
                                           settings.getint("DRMCRAWL_COMMIT_WRITES", COMMIT_WRITES))
        store._users += 1
        return store

    def remember_article_fetch(self, url: str, fetch_id: int, digest: str | None = None) -> None:
        """For the article's row. Pages that yield no article (duplicates, failures) are
        never taken back out: beyond ARTICLE_FETCHES_KEPT the oldest are forgotten, and
        the pipeline then looks the fetch up in the database (and digests the article)."""
        self.article_fetches[url] = (fetch_id, digest)
        if len(self.article_fetches) > ARTICLE_FETCHES_KEPT:
            self.article_fetches.pop(next(iter(self.article_fetches)))

    def hold(self) -> None:
        """From now on writes are batched (the run's row is committed before this); a
        timer commits them when the crawl has nothing new to write (a slow site)."""
        self.archive.hold()
        if self._timer is None and self.seconds > 0:
            self._timer = LoopingCall(self._commit_if_due)
            self._timer.start(self.seconds, now=False)

    def wrote(self, count: int = 1) -> None:
        self._writes += count
        if self._writes >= self.writes or time.monotonic() - self._committed_at >= self.seconds:
            self.commit()

    def commit(self) -> None:
        self.archive.commit()
        self._writes = 0
        self._committed_at = time.monotonic()

    def _commit_if_due(self) -> None:
        if self._writes and time.monotonic() - self._committed_at >= self.seconds:
            try:
                self.commit()
            except Exception:  # the next write reports it to the crawl
                logger.exception("Periodic commit failed")

    def close(self) -> None:
        """The last user's close commits and closes the archive."""
        self._users -= 1
        if self._users == 0:
            if self._timer is not None and self._timer.running:
                self._timer.stop()
            self.archive.close()
