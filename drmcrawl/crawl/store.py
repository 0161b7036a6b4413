"""One archive connection per crawl (the session's), shared by the WARC middleware (fetch
index) and the store pipeline (articles, failures, the run), writing in one long transaction that is
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

from twisted.internet.task import LoopingCall

from drmcrawl.storage import Archive

logger = logging.getLogger(__name__)

COMMIT_WRITES = 500
COMMIT_SECONDS = 1.0  # analysts reading during a crawl see its work this fresh


class CrawlStore:
    def __init__(self, db: str | None, seconds: float = COMMIT_SECONDS, writes: int = COMMIT_WRITES):
        self.archive = Archive(db)
        self.seconds, self.writes = seconds, writes
        self._writes = 0
        self._committed_at = time.monotonic()
        self._timer: LoopingCall | None = None

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
            except Exception as exc:  # the next write reports it to the crawl
                logger.error("Periodic commit failed: %s", exc)

    def close(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.archive.close()
