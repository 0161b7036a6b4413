"""Crawl runs: one row per run with its trigger, settings, counts, duration and status."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from drmcrawl.storage.models import Article, CrawlRun, CrawlRunWorker, Fetch
from drmcrawl.storage.records import utcnow

RUN_COUNTERS = (
    "pages_fetched", "articles_new", "articles_updated", "articles_unchanged",
    "articles_failed", "duplicates_dropped",
)
# Schema 2 counters (None on runs recorded by older versions).
EXTRA_COUNTERS = ("discovered", "skipped", "not_modified", "articles_removed", "robots_blocked")
# A run left "running" by a process that no longer exists was killed.
KILLED = "killed"
# A run's worker (crawl --frontier) whose heartbeat is older than this is gone.
WORKER_SILENT = timedelta(seconds=120)


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
                    if not process_alive(r.settings) and not _workers_alive(s, r)]
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

    # -- runs spread over several workers (crawl --frontier) ---------------------
    def join_run(self, run_id: int, worker: str) -> None:
        """`worker` takes part in run `run_id` (committed at once: the others see it)."""
        with self.session() as s:
            now = utcnow()
            row = s.scalar(select(CrawlRunWorker).where(CrawlRunWorker.run_id == run_id,
                                                        CrawlRunWorker.worker == worker))
            if row is None:
                s.add(CrawlRunWorker(run_id=run_id, worker=worker, started_at=now, heartbeat_at=now,
                                     status="running", pages_fetched=0))

    def worker_alive(self, run_id: int, worker: str) -> None:
        with self.session() as s:
            row = s.scalar(select(CrawlRunWorker).where(CrawlRunWorker.run_id == run_id,
                                                        CrawlRunWorker.worker == worker))
            if row is not None:
                row.heartbeat_at = utcnow()

    def run_status(self, run_id: int) -> str | None:
        with self.session() as s:
            run = s.get(CrawlRun, run_id)
            return run.status if run is not None else None

    def reopen_run(self, run_id: int) -> None:
        """An interrupted run of several workers is resumed by a worker joining it."""
        with self.session() as s:
            run = s.get(CrawlRun, run_id)
            run.status, run.finish_reason, run.finished_at = "running", None, None

    def finish_worker(self, run_id: int, worker: str, status: str, reason: str | None, counts: dict) -> None:
        with self.session() as s:
            row = s.scalar(select(CrawlRunWorker).where(CrawlRunWorker.run_id == run_id,
                                                        CrawlRunWorker.worker == worker))
            if row is None:
                return
            row.status, row.finish_reason, row.finished_at = status, reason, utcnow()
            row.pages_fetched = counts.get("pages_fetched", 0)
            row.counts = counts

    def mark_workers_killed(self, run_id: int, workers: list[str]) -> None:
        """Workers of the run that died without finishing: what they left in the archive
        is theirs (their fetches), their other counts died with them."""
        with self.session() as s:
            for row in s.scalars(select(CrawlRunWorker).where(CrawlRunWorker.run_id == run_id,
                                                              CrawlRunWorker.worker.in_(workers),
                                                              CrawlRunWorker.status == "running")):
                row.status, row.finish_reason = KILLED, KILLED
                row.finished_at = row.heartbeat_at or utcnow()

    def run_workers(self, run_id: int) -> list[dict]:
        with self.session() as s:
            rows = s.scalars(select(CrawlRunWorker).where(CrawlRunWorker.run_id == run_id)
                             .order_by(CrawlRunWorker.id))
            return [{"worker": r.worker, "status": r.status, "finish_reason": r.finish_reason,
                     "pages_fetched": r.pages_fetched, "started_at": r.started_at, "finished_at": r.finished_at,
                     "failed": (r.counts or {}).get("articles_failed", 0)} for r in rows]

    def worker_counts(self, run_id: int) -> dict:
        """The sums of the finished workers' counts (numbers added, dicts merged key by key)."""
        with self.session() as s:
            total: dict = {}
            for counts in s.scalars(select(CrawlRunWorker.counts).where(CrawlRunWorker.run_id == run_id)):
                _add(total, counts or {})
            return total


def _add(total: dict, counts: dict) -> None:
    for name, value in counts.items():
        if isinstance(value, bool) or value is None:
            total[name] = total.get(name) or value
        elif isinstance(value, (int, float)):
            total[name] = total.get(name, 0) + value
        elif isinstance(value, dict):
            _add(total.setdefault(name, {}), value)


def _workers_alive(s, run: CrawlRun) -> bool:
    """A run of several workers is going while one of them has been heard from lately."""
    if not (run.settings or {}).get("run_name"):
        return False
    since = utcnow() - WORKER_SILENT
    return bool(s.scalar(select(func.count(CrawlRunWorker.id)).where(
        CrawlRunWorker.run_id == run.id, CrawlRunWorker.status == "running", CrawlRunWorker.heartbeat_at >= since)))
