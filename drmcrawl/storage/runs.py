"""Crawl runs: one row per run with its trigger, settings, counts, duration and status."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from drmcrawl.storage.models import Article, CrawlRun, Fetch
from drmcrawl.storage.records import utcnow

RUN_COUNTERS = (
    "pages_fetched", "articles_new", "articles_updated", "articles_unchanged",
    "articles_failed", "duplicates_dropped",
)
# Schema 2 counters (None on runs recorded by older versions).
EXTRA_COUNTERS = ("discovered", "skipped", "not_modified", "articles_removed", "robots_blocked")
# A run left "running" by a process that no longer exists was killed.
KILLED = "killed"


def process_alive(settings: dict | None) -> bool:
    """Is the process that started a run (pid and host in its settings) still running?"""
    settings = settings or {}
    pid, host = settings.get("pid"), settings.get("host")
    if not isinstance(pid, int) or host != socket.gethostname():
        return False  # older rows and other machines: only a live local process counts
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, someone else's
        return True
    return True


@dataclass
class RunSummary:
    id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]
    spider: str = ""
    trigger: str | None = None
    full: bool | None = None
    resumed_from: int | None = None
    finish_reason: str | None = None
    failed_by_reason: dict | None = None
    duration_s: float | None = None
    settings: dict | None = None
    requested_by_reason: dict | None = None
    discovery: dict | None = None
    health: dict | None = None


def summary(r: CrawlRun) -> RunSummary:
    counts = {n: getattr(r, n) for n in RUN_COUNTERS}
    counts.update({n: getattr(r, n) or 0 for n in EXTRA_COUNTERS})
    return RunSummary(r.id, r.status, r.started_at, r.finished_at, counts, r.spider, r.trigger, r.full,
                      r.resumed_from, r.finish_reason, r.failed_by_reason, r.duration_s, r.settings,
                      r.requested_by_reason, r.discovery, r.health)


class RunStore:
    """Mixin of `Archive` (needs `session()` and `utcnow`)."""

    def start_run(self, spider: str, base_url: str | None, settings: dict | None = None, *,
                  trigger: str | None = None, full: bool | None = None, resumed_from: int | None = None) -> int:
        with self.session() as s:
            # pid and host: a later run can tell a killed run from one still going.
            settings = {**(settings or {}), "pid": os.getpid(), "host": socket.gethostname()}
            run = CrawlRun(spider=spider, base_url=base_url, started_at=utcnow(), status="running",
                           settings=settings, trigger=trigger, full=full, resumed_from=resumed_from,
                           **{name: 0 for name in RUN_COUNTERS})
            s.add(run)
            s.flush()
            return run.id

    def finish_run(self, run_id: int, status: str, reason: str | None, counts: dict) -> None:
        with self.session() as s:
            run = s.get(CrawlRun, run_id)
            run.status, run.finish_reason, run.finished_at = status, reason, utcnow()
            run.duration_s = round((run.finished_at - run.started_at).total_seconds(), 3)
            for name in RUN_COUNTERS + EXTRA_COUNTERS:
                setattr(run, name, counts.get(name, 0))
            run.failed_by_reason = counts.get("failed_by_reason") or {}
            run.requested_by_reason = counts.get("requested_by_reason") or {}
            run.discovery = counts.get("discovery") or {}
            if counts.get("health") is not None:
                run.health = counts["health"]

    def runs(self, limit: int = 10) -> list[RunSummary]:
        with self.session() as s:
            rows = s.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit))
            return [summary(r) for r in rows]

    def site_runs(self, spider: str, limit: int = 10, before: int | None = None) -> list[RunSummary]:
        """The last `limit` runs of one site (newest first), those before run `before` if given."""
        with self.session() as s:
            query = select(CrawlRun).where(CrawlRun.spider == spider)
            if before is not None:
                query = query.where(CrawlRun.id < before)
            return [summary(r) for r in s.scalars(query.order_by(CrawlRun.id.desc()).limit(limit))]

    def mark_killed_runs(self) -> list[int]:
        """Runs still "running" whose process is gone died without closing (kill -9, power
        loss). They become "interrupted" (reason "killed"); returns their ids."""
        with self.session() as s:
            rows = [r for r in s.scalars(select(CrawlRun).where(CrawlRun.status == "running"))
                    if not process_alive(r.settings)]
            for run in rows:
                last = s.scalar(select(Fetch.fetched_at).where(Fetch.run_id == run.id)
                                .order_by(Fetch.id.desc()).limit(1))
                run.status, run.finish_reason = "interrupted", KILLED
                run.finished_at = last or utcnow()
                # Its counters died with it; what it left in the archive is countable.
                run.pages_fetched = s.scalar(select(func.count(Fetch.id)).where(Fetch.run_id == run.id))
                run.articles_new = s.scalar(select(func.count(Article.id)).where(Article.first_run_id == run.id))
                run.duration_s = round((run.finished_at - run.started_at).total_seconds(), 3)
            return [r.id for r in rows]

    def resume_point(self, spider: str) -> tuple[int, datetime, bool] | None:
        """If the last crawl of `spider` was interrupted: (its id, when the interrupted
        work started, whether it was --full). Follows chains of resumed runs back."""
        with self.session() as s:
            last = s.scalar(select(CrawlRun).where(CrawlRun.spider == spider).order_by(CrawlRun.id.desc()).limit(1))
            if last is None or last.status != "interrupted":
                return None
            first = last
            while first.resumed_from is not None:
                earlier = s.get(CrawlRun, first.resumed_from)
                if earlier is None:
                    break
                first = earlier
            return last.id, first.started_at, bool(last.full)
