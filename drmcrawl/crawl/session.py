"""One crawl's shared state, in one object: the site, the run, the plan, the extraction
workers, the archive connection, the WARC recorder and the counters.

The spider attaches the session to its crawler when Scrapy creates it (before any
middleware, pipeline or extension exists); every other drmcrawl component gets it with
`CrawlSession.of(crawler)`. The session opens on `spider_opened` (its handler is the
first connected, so it runs before the other components' handlers) and closes on
`spider_closed`. Nothing travels through Scrapy's stats, request meta or other
components' attributes: the run's counts, the summary and the run row are read from here.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.utils.defer import deferred_from_coro

from drmcrawl.crawl.plan import Plan, load_plan
from drmcrawl.crawl.store import COMMIT_SECONDS, COMMIT_WRITES, CrawlStore
from drmcrawl.crawl.workers import Extractor, default_workers
from drmcrawl.sites import Site
from drmcrawl.sites.scope import MAX_URL_LENGTH, Scope
from drmcrawl.storage import StorageError, resolve_db_url
from drmcrawl.storage.repository import utcnow
from drmcrawl.warc.recorder import Recorder
from drmcrawl.warc.records import (
    DEFAULT_GZIP_LEVEL,
    DEFAULT_MAX_SIZE,
    WarcWriter,
    file_prefix,
    repair_killed,
    settings_info,
    warc_folder,
)

logger = logging.getLogger(__name__)

# How a Scrapy close reason maps to the run's status.
_FINISHED_REASONS = ("finished", "max_articles", "closespider_itemcount", "closespider_pagecount")
# Counters stored with the run (`runs`, the summary), by name.
RUN_COUNTS = ("articles_new", "articles_updated", "articles_unchanged", "articles_failed", "duplicates_dropped",
              "articles_removed", "not_modified")
# Crawl settings named in each WARC file's warcinfo record and in the run's row.
RECORDED_SETTINGS = ("USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
                     "CONCURRENT_REQUESTS_PER_DOMAIN", "DRMCRAWL_FULL", "DRMCRAWL_REVISIT", "DRMCRAWL_TRIGGER")

_SESSIONS: WeakKeyDictionary = WeakKeyDictionary()
_FAILED_PREFIX = "failed_by_reason/"


@dataclass
class CrawlResult:
    run_id: int | None
    status: str
    reason: str | None
    db: str | None
    new: int
    updated: int
    unchanged: int
    failed: int
    duplicates: int
    pages: int
    error: str | None = None  # why the archive could not be written, if it could not
    removed: int = 0
    not_modified: int = 0
    warc_records: int = 0
    warc_dir: str | None = None
    health: dict | None = None  # site health of the run, with its alarms (drmcrawl.crawl.health)


class CrawlSession:
    """Attributes, once open: `site`, `base_url`, `credentials`, `max_articles`, `run_id`, `plan`,
    `workers` (an `Extractor`), `store` (a `CrawlStore`), `counts` (a Counter by name:
    see RUN_COUNTS, plus `warc_records`, `articles_waited`, `bad_links`...),
    `failed_by_reason` and `navigation_failed` (Counters by reason), `discovery` (what
    discovery did, stored with the run)."""

    def __init__(self, crawler, site: Site, base_url: str, max_articles: int | None,
                 credentials: tuple[str, str] | None = None):
        self.crawler = crawler
        self.credentials = credentials  # HTTP Basic (user, password) for base_url's origin only
        self.settings = crawler.settings
        self.site = site
        self.base_url = base_url
        self.max_articles = max_articles
        self.counts: Counter[str] = Counter()
        self.failed_by_reason: Counter[str] = Counter()
        self.navigation_failed: Counter[str] = Counter()
        self.non_articles: Counter[str] = Counter()  # answers to article requests that were navigation, by kind
        # What discovery did, stored with the run: sitemaps fetched, cut by reason, whether
        # the site's complete listing was read whole (removals are only inferred then).
        self.discovery: dict = {"sitemaps": 0, "sitemaps_cut": Counter(), "listing_complete": None}
        self.run_id: int | None = None
        self.resume_since: datetime | None = None
        self.plan = Plan({}, utcnow())  # every article is new until the archive is read
        self.workers = Extractor(0)
        self.store: CrawlStore | None = None
        self.status, self.reason = "failed", None
        self.storage_error: str | None = None
        self.health: dict | None = None
        self._recorder: Recorder | None = None
        self._fetches: WeakKeyDictionary = WeakKeyDictionary()  # request -> fetch id of its answer
        self._last_progress = time.monotonic()
        self.live_progress = False  # a live display (crawl.progress) shows the progress instead of the log
        # The shared crawl this session is one worker of (crawl/frontier.py), if any.
        self.frontier = None
        self.frontier_error: str | None = None
        self._beating = None
        if self.settings.get("DRMCRAWL_FRONTIER"):
            from drmcrawl.crawl.frontier import Frontier

            self.frontier = Frontier(
                self.settings.get("DRMCRAWL_FRONTIER"), self.settings.get("DRMCRAWL_RUN_NAME") or "default",
                site.name, resolve_db_url(self.settings.get("DRMCRAWL_DB")),
                prefix=self.settings.get("DRMCRAWL_FRONTIER_PREFIX") or "drmcrawl",
                heartbeat=self.settings.getfloat("DRMCRAWL_FRONTIER_HEARTBEAT", 2.0))
        crawler.signals.connect(self._opened, signals.spider_opened)
        crawler.signals.connect(self._closed, signals.spider_closed)
        crawler.signals.connect(self._item_error, signals.item_error)
        if self.frontier is not None:
            crawler.signals.connect(self._idle, signals.spider_idle)

    @classmethod
    def attach(cls, crawler, site: Site, base_url: str, max_articles: int | None = None,
               credentials: tuple[str, str] | None = None) -> CrawlSession:
        session = _SESSIONS[crawler] = cls(crawler, site, base_url, max_articles, credentials)
        return session

    @classmethod
    def of(cls, crawler) -> CrawlSession:
        try:
            return _SESSIONS[crawler]
        except KeyError:
            raise RuntimeError("drmcrawl's components need a drmcrawl spider (none attached a session)") from None

    @cached_property
    def scope(self) -> Scope:
        """What this crawl may fetch: base_url's scheme, host and port, and the site's
        declared hosts (on base_url's scheme and port), compared after normalisation; URLs
        up to URLLENGTH_LIMIT characters (0: no limit). `crawl/middlewares/offsite.py`."""
        limit = self.settings.getint("URLLENGTH_LIMIT", MAX_URL_LENGTH) or sys.maxsize
        return Scope(self.base_url, self.site.hosts, limit)

    @property
    def is_open(self) -> bool:
        return self.store is not None

    @property
    def archive(self):
        return self.store.archive

    # -- lifecycle ---------------------------------------------------------------
    def _opened(self, spider) -> None:
        settings = self.settings
        self.store = _shared_store(settings)
        self.store.join(self, on_commit=self._committed, on_error=self.stop_storing)
        self._recover_killed_runs()
        if self.frontier is not None:
            from drmcrawl.crawl.frontier import FrontierError

            try:
                self._join_frontier()
            except FrontierError as exc:
                self.frontier_failed(exc)
                return
        else:
            self._start_run()
        self.store.hold()  # the run's row is committed; the crawl's writes are batched
        logger.info("Crawl run %s writing to %s", self.run_id, self.archive.location)
        self.plan = load_plan(self.archive, settings, self.site.name, self.resume_since)
        workers = settings.get("DRMCRAWL_EXTRACT_WORKERS")
        self.workers = Extractor(default_workers() if workers in (None, "auto") else int(workers))

    def _recover_killed_runs(self) -> None:
        """Runs whose process died (kill -9) are marked interrupted and their WARC files
        cut back to the last indexed exchange (a torn gzip member would fail readers)."""
        killed = self.archive.mark_killed_runs()
        if not killed:
            return
        logger.warning("Crawl runs %s were killed before they finished; marked interrupted", killed)
        folder = self.warc_folder
        if folder.is_dir():
            prefixes = [file_prefix(self.archive.location, self.site.name, run_id) for run_id in killed]
            repair_killed(folder, prefixes, self.archive.warc_ends(killed))

    def _start_run(self) -> None:
        settings = self.settings
        resume = self.archive.resume_point(self.site.name) if settings.getbool("DRMCRAWL_RESUME", True) else None
        self.run_id = self.archive.start_run(
            self.site.name, self.base_url, self.recorded_settings(),
            trigger=settings.get("DRMCRAWL_TRIGGER") or "scrapy",
            full=settings.getbool("DRMCRAWL_FULL") or bool(resume and resume[2]),
            resumed_from=resume[0] if resume else None)
        self.started_at = utcnow()
        if resume:
            # Articles the interrupted run(s) already checked are done; the rest is fetched.
            self.resume_since = resume[1]
            logger.info("Resuming interrupted run %s (its work since %s is kept)", resume[0], resume[1])

    def _join_frontier(self) -> None:
        """The run this worker joins (or creates and leads), and the heartbeat that keeps
        its leases and finds the workers that died."""
        from twisted.internet.task import LoopingCall

        frontier = self.frontier
        frontier.open()

        def create() -> int:
            self._start_run()
            return self.run_id

        self.run_id = frontier.join(create, self._resumable)
        self.started_at = utcnow()
        self.archive.join_run(self.run_id, frontier.worker)
        self.store.after_commit.append(self._frontier_committed)
        self.store.after_rollback.append(frontier.forget_acks)
        logger.info("Worker %s %s run %s (%r)", frontier.worker, "leads" if frontier.lead else "joins",
                    self.run_id, frontier.run_name)
        self._beats = 0
        self._beating = LoopingCall(self._beat)
        self._beating.start(frontier.heartbeat, now=False)

    def _resumable(self, run_id: int) -> bool:
        """Can this worker join run `run_id` (named in Redis)? Yes while it runs, and when
        it was interrupted (its last worker stopped early): it is reopened."""
        status = self.archive.run_status(run_id)
        if status == "interrupted":
            self.archive.reopen_run(run_id)
            logger.info("Resuming run %s, interrupted with requests still queued", run_id)
            return True
        return status == "running"

    def _beat(self) -> None:
        if self.frontier_error or self.storage_error:
            return
        frontier = self.frontier
        try:
            frontier.beat()
            if frontier.lead and not self._lead_discovering():
                frontier.discovery_done()
            dead = frontier.reclaim()
            self._beats += 1
            if dead:
                self.archive.mark_workers_killed(self.run_id, dead)
            if self._beats % 5 == 0:
                self.archive.worker_alive(self.run_id, frontier.worker)
            if frontier.waiting_acks:
                self.store.commit()  # its after-commit releases the leases
        except StorageError as exc:
            self.stop_storing(str(exc))
        except Exception as exc:  # noqa: BLE001 - Redis gone (redis.RedisError, OSError)
            self.frontier_failed(exc)

    def _lead_discovering(self) -> bool:
        """The lead still has discovery to do: its start, a navigation request queued, in
        flight or being parsed."""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        if slot is None or getattr(engine, "_start", None) is not None:
            return True
        if getattr(slot.scheduler, "_local", None):
            return True
        from drmcrawl.crawl.middlewares.warc import KIND_META

        return any(request.meta.get(KIND_META) != "article" for request in slot.inprogress)

    def _idle(self, spider) -> None:
        """A worker with nothing to do stays until the crawl is over: discovery ended, the
        queue empty, no lease held by any worker."""
        if self.frontier_error or self.storage_error:
            return
        frontier = self.frontier
        try:
            if frontier.lead:
                frontier.discovery_done()
            if frontier.reclaim():
                raise DontCloseSpider
            if frontier.waiting_acks:
                self.store.commit()
            if not frontier.finished():
                raise DontCloseSpider
        except DontCloseSpider:
            raise
        except StorageError as exc:
            self.stop_storing(str(exc))
        except Exception as exc:  # noqa: BLE001 - Redis gone
            self.frontier_failed(exc)

    def _frontier_committed(self) -> None:
        try:
            self.frontier.committed()
        except Exception as exc:  # noqa: BLE001 - Redis gone: the leases stay, the requests are crawled again
            self.frontier_failed(exc)

    def frontier_failed(self, exc) -> None:
        """Redis went away: this worker stops (its committed work is kept; what it had
        leased stays in Redis or is fetched by the next run, whose plan finds it missing)."""
        if self.frontier_error:
            return
        from drmcrawl.crawl.frontier import FrontierError, _safe

        self.frontier_error = (str(exc) if isinstance(exc, FrontierError)
                               else f"the frontier (Redis at {_safe(self.frontier.url)}) failed: {exc}")
        logger.error("Stopping this worker: %s", self.frontier_error)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="frontier_error"))

    def claim(self, url: str) -> bool:
        """Without a frontier, always; with one, unless a worker of the run queued `url`."""
        if self.frontier is None:
            return True
        if self.frontier_error:
            return False
        from drmcrawl.urls import url_key

        try:
            return self.frontier.claim(url_key(url))
        except Exception as exc:  # noqa: BLE001 - Redis gone
            self.frontier_failed(exc)
            return False

    def done(self, request) -> None:
        """The outcome of an article request is written: its lease ends with the next commit.
        Once a write failed, none ends: the request is fetched again rather than lost."""
        if self.frontier is not None and not self.storage_error:
            from drmcrawl.crawl.frontier import first_url

            self.frontier.done(first_url(request))

    def _closed(self, spider, reason: str) -> None:
        if self._beating is not None and self._beating.running:
            self._beating.stop()
        self.workers.close()
        for name, count in self.counts.items():  # for Scrapy's stats dump; never read back
            self.crawler.stats.set_value(f"drmcrawl/{name}", count)
        if self._recorder is not None:
            try:
                self._recorder.writer.close()
            except OSError as exc:  # a full disk: the run is still finished, with the reason
                self.storage_error = self.storage_error or f"cannot write WARC files: {exc}"
                logger.error("Closing the WARC file failed: %s", exc)
        if self.store is None:
            return
        try:
            # The crawl's batched work first: a run-row update that fails (disk full) must
            # not take it along. If this commit fails, the run stays "running" and the
            # next crawl recovers it like a killed one (its WARC files cut back to the index).
            self.store.commit()
            self._finish_run(reason)
        except StorageError as exc:
            self.storage_error = self.storage_error or str(exc)
            logger.error("Could not finish run %s: %s", self.run_id, exc)
        finally:
            if self.frontier is not None:
                self._leave_frontier()
            try:
                _release_store(self.store, self)
            except StorageError as exc:
                logger.error("Closing the archive failed: %s", exc)

    def _finish_run(self, reason: str) -> None:
        status = "finished" if reason in _FINISHED_REASONS else ("interrupted" if reason == "shutdown" else "failed")
        counts = self.run_counts()
        if self.frontier is not None:
            return self._finish_worker(status, reason, counts)
        if status == "finished" and not counts["pages_fetched"]:
            # Not one response: the site (or our network) was down. Not a success.
            status, reason = "failed", "nothing_fetched"
        self.archive.remember_lastmods(self.site.name, self.plan.lastmods_to_remember(), self.started_at)
        if status == "finished":
            from drmcrawl.crawl.health import session_health

            self.health = counts["health"] = session_health(self, counts)
        self.archive.finish_run(self.run_id, status, reason, counts)
        self.status, self.reason = status, reason

    def _finish_worker(self, status: str, reason: str, counts: dict) -> None:
        """This worker's share goes to its row; the last worker to leave writes the run's
        row with the sums of all of them. Redis gone: the run is interrupted, and the next
        run resumes it (its plan fetches what was not stored)."""
        frontier = self.frontier
        if self.run_id is None:  # it never joined (Redis was gone)
            return
        if self.frontier_error:
            status, reason = "failed", "frontier_error"
        self.archive.remember_lastmods(self.site.name, self.plan.lastmods_to_remember(), self.started_at)
        self.archive.finish_worker(self.run_id, frontier.worker, status, reason, counts)
        self.store.commit()  # the worker's row before it leaves: the last one reads every row
        self.status, self.reason = status, reason
        if self.frontier_error:
            totals = self.archive.worker_counts(self.run_id)
            self.archive.finish_run(self.run_id, "interrupted", reason, totals)
            return
        if not self._leave_frontier():
            return
        totals = self.archive.worker_counts(self.run_id)
        if status != "finished":
            # The last worker stopped early (the database refused a write, Ctrl-C): what is
            # still queued stays in Redis, and the same command with this run name resumes
            # the run (Frontier.join reopens it).
            self.archive.finish_run(self.run_id, "interrupted", reason, totals)
            self.store.commit()
            self.status = "interrupted"
            return
        if not totals.get("pages_fetched"):
            status, reason = "failed", "nothing_fetched"
        if status == "finished":
            from drmcrawl.crawl.health import session_health

            self.health = totals["health"] = session_health(self, totals)
        self.archive.finish_run(self.run_id, status, reason, totals)
        self.store.commit()
        try:
            frontier.clear()
        except Exception as exc:  # noqa: BLE001 - the next run with this name clears them
            logger.warning("Could not clear the run's keys in Redis: %s", exc)
        self.status, self.reason = status, reason

    def _leave_frontier(self) -> bool:
        """Leaves the shared crawl once (its unfinished leases back to the queue); True if
        this worker was the last."""
        if getattr(self, "_left", None) is not None:
            return self._left
        self._left = False
        try:
            if self.frontier.run_id is not None:
                self._left = self.frontier.leave()
        except Exception as exc:  # noqa: BLE001 - Redis gone: the leases wait in Redis for the next run
            logger.error("Could not leave the shared crawl: %s", exc)
        finally:
            self.frontier.close()
        return self._left

    def _item_error(self, item, response, spider, failure) -> None:
        if failure.check(StorageError):
            self.stop_storing(str(failure.value))

    def stop_storing(self, error: str) -> None:
        """The first write the archive (or the WARC folder) refused stops the crawl: fetching
        on without storing would lose data silently and hammer the site for nothing."""
        if self.storage_error:
            return
        self.storage_error = error
        logger.error("Stopping the crawl: %s", self.storage_error)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="storage_error"))

    # -- the archive -------------------------------------------------------------
    @property
    def warc_folder(self) -> Path:
        return warc_folder(self.archive.location, self.settings.get("DRMCRAWL_WARC_DIR"))

    @property
    def recorder(self) -> Recorder:
        """The WARC writer and fetch index of this run, opened on the first exchange."""
        if self._recorder is None:
            settings = self.settings
            writer = WarcWriter(
                self.warc_folder, self._warc_prefix(),
                settings_info(self.recorded_settings()),
                max_size=settings.getint("DRMCRAWL_WARC_MAX_SIZE", DEFAULT_MAX_SIZE),
                gzip_level=settings.getint("DRMCRAWL_WARC_GZIP_LEVEL", DEFAULT_GZIP_LEVEL),
            )
            self._recorder = _StoppingRecorder(self, self.archive, writer, self.site.name)
        return self._recorder

    def _warc_prefix(self) -> str:
        """Each worker of a shared crawl writes files of its own: no two append to one file."""
        prefix = file_prefix(self.archive.location, self.site.name, self.run_id)
        if self.frontier is not None:
            prefix += "-" + re.sub(r"[^A-Za-z0-9_.]+", "_", self.frontier.worker)
        return prefix

    def wrote(self, *counted: str) -> None:
        """One write of this crawl's (its counts: `counted`, by name), counted when committed."""
        self.store.wrote(self, *counted)

    def archived(self, request, fetch_id: int) -> None:
        """The answer to `request` is in the WARC files and the fetch index as `fetch_id`."""
        self._fetches[request] = fetch_id
        self.store.count(self, "warc_records")

    def fetch_of(self, request) -> int | None:
        """The fetch id of the archived answer to `request` (None if it was not archived)."""
        return self._fetches.get(request)

    def recorded_settings(self) -> dict:
        settings = {name: self.settings.get(name) for name in RECORDED_SETTINGS}
        settings.update(spider=self.site.name, base_url=self.base_url, max_articles=self.max_articles)
        if self.frontier is not None:  # a shared crawl: its run name (workers find the run by it)
            settings["run_name"] = self.frontier.run_name
            settings["DOWNLOAD_DELAY"] = self.settings.getfloat("DRMCRAWL_HOST_DELAY")  # kept by the frontier
        return settings

    # -- counts ------------------------------------------------------------------
    # The counts of writes (articles, failures, WARC records) reach `counts` when their
    # transaction commits (`CrawlStore`): a write a full disk rolled back is not counted.
    @staticmethod
    def failure(reason: str) -> tuple[str, str]:
        """The counts of a failure row, for `CrawlStore.wrote`."""
        return "articles_failed", _FAILED_PREFIX + reason

    def _committed(self, counts: Counter) -> None:
        for name, count in counts.items():
            if name.startswith(_FAILED_PREFIX):
                self.failed_by_reason[name[len(_FAILED_PREFIX):]] += count
            else:
                self.counts[name] += count

    def pages_fetched(self) -> int:
        return int(self.crawler.stats.get_value("downloader/response_count", 0))

    def run_counts(self) -> dict:
        counts = {name: self.counts[name] for name in RUN_COUNTS}
        counts["pages_fetched"] = self.pages_fetched()
        counts["robots_blocked"] = int(self.crawler.stats.get_value("robotstxt/forbidden", 0))
        counts["discovered"] = len(self.plan.discovered)
        counts["skipped"] = self.plan.skipped
        counts["failed_by_reason"] = dict(self.failed_by_reason)
        counts["requested_by_reason"] = dict(self.plan.requested_by_reason)
        counts["discovery"] = {**self.discovery, "sitemaps_cut": dict(self.discovery["sitemaps_cut"]),
                               "navigation_failed": dict(self.navigation_failed),
                               "non_articles": dict(self.non_articles)}
        return counts

    def log_progress(self, every: float = 5.0) -> None:
        """The periodic progress line (`crawl.progress.progress_line`), unless a live
        display shows the same numbers; DRMCRAWL_PROGRESS_EVERY overrides `every`."""
        if self.live_progress:
            return
        now = time.monotonic()
        if now - self._last_progress < self.settings.getfloat("DRMCRAWL_PROGRESS_EVERY", every):
            return
        self._last_progress = now
        from drmcrawl.crawl.progress import progress_line, snapshot

        logger.info(progress_line(snapshot(self)))

    def result(self) -> CrawlResult:
        counts = self.counts
        return CrawlResult(
            run_id=self.run_id, status=self.status if self.run_id else "failed",
            reason=self.reason if self.run_id else self.crawler.stats.get_value("finish_reason"),
            db=self.archive.location if self.store else None,
            new=counts["articles_new"], updated=counts["articles_updated"], unchanged=counts["articles_unchanged"],
            failed=counts["articles_failed"], duplicates=counts["duplicates_dropped"], pages=self.pages_fetched(),
            error=self.storage_error or self.frontier_error, removed=counts["articles_removed"],
            not_modified=counts["not_modified"],
            warc_records=counts["warc_records"],
            warc_dir=str(self._recorder.writer.folder) if self._recorder is not None else None,
            health=self.health,
        )


# Crawls of several sites in one process write to one database through one connection:
# SQLite has one writer, and two connections in the reactor's one thread would each wait
# for the other's transaction to end.
_STORES: dict[str, list] = {}  # database URL -> [its CrawlStore]


def _shared_store(settings) -> CrawlStore:
    db = resolve_db_url(settings.get("DRMCRAWL_DB"))
    entry = _STORES.get(db)
    if entry is None:
        store = CrawlStore(settings.get("DRMCRAWL_DB"), settings.getfloat("DRMCRAWL_COMMIT_SECONDS", COMMIT_SECONDS),
                           settings.getint("DRMCRAWL_COMMIT_WRITES", COMMIT_WRITES))
        entry = _STORES[db] = [store]
    return entry[0]


def _release_store(store: CrawlStore, session: CrawlSession) -> None:
    """The last session to leave a shared store commits and closes it."""
    if store.leave(session):
        for db, entry in list(_STORES.items()):
            if entry[0] is store:
                del _STORES[db]
        store.close()


class _StoppingRecorder(Recorder):
    """An exchange that cannot be archived (WARC folder or database full, an I/O error)
    stops the crawl, and its request is ignored (no traceback in the log for each)."""

    def __init__(self, session: CrawlSession, *args):
        super().__init__(*args)
        self.session = session

    def record(self, *args, **kwargs) -> int:
        try:
            return super().record(*args, **kwargs)
        except (StorageError, OSError) as exc:
            what = exc if isinstance(exc, StorageError) else f"cannot write WARC files: {exc}"
            self.session.stop_storing(str(what))
            raise IgnoreRequest(f"not archived: {what}") from None
