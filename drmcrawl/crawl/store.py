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
from collections import Counter
from collections.abc import Callable

from twisted.internet.task import LoopingCall

from drmcrawl.storage import Archive

logger = logging.getLogger(__name__)

COMMIT_WRITES = 500
COMMIT_SECONDS = 1.0  # analysts reading during a crawl see its work this fresh


class CrawlStore:
    """Each crawl that `join`s gets, through its `on_commit(counts)`, the counts of its
    writes each commit made durable: a crawl counts what was committed, never writes a
    full disk then rolled back."""

    def __init__(self, db: str | None, seconds: float = COMMIT_SECONDS, writes: int = COMMIT_WRITES):
        self.archive = Archive(db)
        self.seconds, self.writes = seconds, writes
        # Crawls writing through this store (several sites in one run share it), each with
        # the counts of its writes in the open transaction and what to call on commit/error.
        self._owners: dict[object, tuple[Callable[[Counter], None], Callable[[str], None]]] = {}
        self.pending: dict[object, Counter] = {}
        self._rollbacks = self.archive.rollbacks
        self._writes = 0
        self._committed_at = time.monotonic()
        self._timer: LoopingCall | None = None
        self.after_commit: list[Callable[[], None]] = []  # what waits for the writes to be durable
        self.after_rollback: list[Callable[[], None]] = []  # ... and learns they were lost

    def join(self, owner, on_commit: Callable[[Counter], None], on_error: Callable[[str], None]) -> None:
        self._owners[owner] = (on_commit, on_error)
        self.pending[owner] = Counter()

    def leave(self, owner) -> bool:
        """True when `owner` was the last: the store may close."""
        self._owners.pop(owner, None)
        self.pending.pop(owner, None)
        return not self._owners

    def hold(self) -> None:
        """From now on writes are batched (the run's row is committed before this); a
        timer commits them when the crawl has nothing new to write (a slow site)."""
        self.archive.hold()
        if self._timer is None and self.seconds > 0:
            self._timer = LoopingCall(self._commit_if_due)
            self._timer.start(self.seconds, now=False)

    def wrote(self, owner, *counted: str) -> None:
        """One write was made by `owner` (its counts: `counted`, by name); commits when due."""
        self._forget_lost()
        self.pending[owner].update(counted)
        self._writes += 1
        if self._writes >= self.writes or time.monotonic() - self._committed_at >= self.seconds:
            self.commit()

    def count(self, owner, *counted: str) -> None:
        """Counts of the write `wrote()` registered last (it may have committed it already)."""
        self._forget_lost()
        if self._writes:
            self.pending[owner].update(counted)
        else:
            self._owners[owner][0](Counter(counted))

    def commit(self) -> None:
        self._forget_lost()
        try:
            self.archive.commit()
        except Exception:
            self._forget_lost()
            raise
        finally:
            self._writes = 0
        self._committed_at = time.monotonic()
        done, self.pending = self.pending, {owner: Counter() for owner in self._owners}
        for owner, counts in done.items():
            if counts and owner in self._owners:
                self._owners[owner][0](counts)
        for callback in self.after_commit:
            callback()

    def _forget_lost(self) -> None:
        """The archive rolled its transaction back (a full disk): what it held is not counted."""
        if self.archive.rollbacks != self._rollbacks:
            self._rollbacks = self.archive.rollbacks
            self.pending = {owner: Counter() for owner in self._owners}
            for callback in self.after_rollback:
                callback()

    def _commit_if_due(self) -> None:
        if self._writes and time.monotonic() - self._committed_at >= self.seconds:
            try:
                self.commit()
            except Exception as exc:  # its writes are lost: the crawl stops, as on a failed write
                logger.error("Periodic commit failed: %s", exc)
                for _on_commit, on_error in list(self._owners.values()):
                    on_error(str(exc))

    def close(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.archive.close()
