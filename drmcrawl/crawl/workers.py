"""Extraction in worker processes, so a crawl uses a second core: Scrapy's engine and the
archive writes keep the crawl's own process busy, and extraction (lxml parse, profile,
cleaning) is the largest CPU cost left to move off it; the WARC middleware has the
workers build each large page's records too (`Extractor.run`). Pure Python, no Scrapy
(the forkserver imports this module): the spider awaits `Extractor.extract` from its
async callback.

Each worker has two pipes, driven from the event loop's own thread: jobs are written to
one without blocking, results read from the other when the loop sees it readable. Why not
`concurrent.futures.ProcessPoolExecutor`: its two threads in the crawl's process (queue
feeder, result manager) took the GIL from Scrapy's thread for every job; here a job costs
the crawl one pickle and one write. `python benchmarks/micro.py ipc`, crawl-process CPU per
100 KB job: 0.33 ms with the executor, 0.056 ms now.

A worker that dies (a crash in a C library, the OOM killer) is replaced and the pages it
had are tried once more in the new one; a page that kills a worker twice raises
`WorkerCrashed`, which the spider records as that page's failure. The crawl goes on."""

from __future__ import annotations

import asyncio
import collections
import logging
import multiprocessing
import os
import pickle
import signal
import struct
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from drmcrawl.extract import Article, Document, decode_html, extract, extract_document, profiles
from drmcrawl.extract.pagetype import classify_page
from drmcrawl.versions import content_digest

logger = logging.getLogger(__name__)


class WorkerCrashed(RuntimeError):
    """A page killed the extraction worker, twice."""


def extract_response(body: bytes, content_type: str, url: str, profile: str | None) -> Article:
    """Bytes as received (decode_html repairs windows-1252 declared as UTF-8) to Article,
    its times with fixed UTC offsets: a dateutil zone is pickled as its whole zone file and
    re-read by the crawl's process for every page (the offset is all the archive keeps)."""
    article = extract(decode_html(body, content_type), url, profile=profile)
    return replace(article, published=_fixed_offset(article.published), modified=_fixed_offset(article.modified))


def extract_for_archive(body: bytes, content_type: str, url: str, profile: str | None) -> tuple[Article, str]:
    """The article and its `content_digest` (what storing it compares versions by),
    computed where it was extracted."""
    article = extract_response(body, content_type, url, profile)
    return article, content_digest(article.to_record())


@dataclass(frozen=True)
class PageRules:
    """What decides a fetched page's kind besides the page itself: the site declaration's
    regexes, and what the site's learned article URL shapes say of this URL."""

    site: str
    profile: str | None = None
    article_urls: tuple[str, ...] = ()
    skip_urls: tuple[str, ...] = ()
    shape_verdict: str | None = None  # "article", "navigation" or None
    selectors: tuple = ()  # the declaration's own profile (profiles.toml)
    timezone: str | None = None  # the declaration's

    def chosen_profile(self, doc: Document) -> profiles.Profile | None:
        """A built-in profile by name; else the declaration's selectors; else one the
        page's URL or markup calls for; else, for a declared zone, a profile of no
        selectors that puts the dates in it."""
        if self.profile:
            return profiles.by_name(self.profile)
        from drmcrawl.extract.profiles.toml import selector_profile

        if self.selectors:
            return selector_profile(self.selectors, self.timezone)
        found = profiles.find_profile(doc)
        return found if found is not None or not self.timezone else selector_profile((), self.timezone)


def classify_and_extract(body: bytes, content_type: str, url: str, rules: PageRules
                         ) -> tuple[str, str, Article | None, str | None]:
    """(kind, reason, article, digest) of a page of a site known only by evidence: the
    article and its digest when the page is one, else None and the kind of navigation it is.
    One parse serves both."""
    doc = Document(decode_html(body, content_type), url)
    profile = rules.chosen_profile(doc)
    if profile is not None and profile.jsonld_script_class:  # before anything reads the JSON-LD
        doc.prefer_jsonld(profile.jsonld_script_class)
    kind, reason = classify_page(doc, article_urls=rules.article_urls, skip_urls=rules.skip_urls,
                                 shapes=_Shapes(rules.shape_verdict), content_type=content_type)
    if kind != "article":
        return kind, reason, None, None
    article = extract_document(doc, profile)  # NotAnArticle: the caller records it
    article = replace(article, site=rules.site, published=_fixed_offset(article.published),
                      modified=_fixed_offset(article.modified))
    return kind, reason, article, content_digest(article.to_record())


@dataclass(frozen=True)
class _Shapes:
    """The learned shapes' verdict on the one URL of a job (the shapes stay in the crawl)."""

    answer: str | None

    def verdict(self, url: str) -> str | None:
        return self.answer


def _fixed_offset(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.replace(tzinfo=timezone(value.utcoffset()))


def watch_crawl(crawl_pid: int, every: float = 1.0) -> None:
    """In each worker: exit when the crawl's process is gone. Pipe EOF ends an idle worker,
    but one busy with a page that never finishes, or blocked on a pipe, would otherwise
    outlive a kill -9 of the crawl (and keep the forkserver alive with it)."""
    def watch() -> None:
        while _alive(crawl_pid):
            time.sleep(every)
        os._exit(0)
    threading.Thread(target=watch, name="watch-crawl", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user (a reused PID)
        return True
    try:  # a killed crawl its own parent has not reaped yet is a zombie: gone too
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:  # no /proc (not Linux): kill(0) said enough
        return True


def default_workers() -> int:
    """One core for the crawl itself, the others (at most two) for extraction."""
    return max(0, min(2, (os.cpu_count() or 1) - 1))


class Extractor:
    """`workers=0` extracts in this process. `function`: what a worker runs per page
    (a module-level function, pickled by name)."""

    def __init__(self, workers: int, function=None):
        self.workers = workers
        self.function = function or extract_response
        self._running: list[_Worker] = []
        self.replaced_workers = 0

    async def extract(self, body: bytes, content_type: str, url: str, profile: str | None) -> Article:
        return await self.run(url, self.function, body, content_type, url, profile)

    async def run(self, url: str, function, *args):
        """`function(*args)` in a worker (here when there are none); `url`: the page it is
        for, named when it kills the worker."""
        if not self.workers:
            return function(*args)
        for _attempt in range(2):
            worker = self._least_busy()
            try:
                return await worker.submit(function, args)
            except _WorkerDied:
                self._replace(worker, url)
        raise WorkerCrashed(f"the extraction worker died twice on {url}")

    def backlog(self) -> int:
        """Jobs waiting at the least busy worker (0 before any has started)."""
        return min((len(w.pending) for w in self._running if not w.dead), default=0)

    def close(self) -> None:
        for worker in self._running:
            worker.stop()
        self._running = []

    def _least_busy(self) -> _Worker:
        loop = asyncio.get_running_loop()
        for worker in [w for w in self._running if w.loop is not loop or w.dead]:  # a new loop: new workers
            self._running.remove(worker)
            worker.stop()
        while len(self._running) < self.workers:
            self._running.append(_Worker(loop))
        return min(self._running, key=lambda w: len(w.pending))

    def _replace(self, worker: _Worker, url: str) -> None:
        if worker in self._running:  # the first page to notice replaces it; the others reuse the new one
            logger.error("An extraction worker died (on %s or a page beside it); starting a new one", url)
            self._running.remove(worker)
            worker.stop()
            self.replaced_workers += 1


class _WorkerDied(Exception):
    pass


_HEADER = struct.Struct("!i")  # multiprocessing.Connection's framing: the worker reads with recv_bytes
# A result: job id and success flag ahead of the pickle, so that a result this process
# cannot unpickle (an exception class whose __init__ wants other arguments) fails its own
# page instead of leaving it waiting forever.
_OUTCOME = struct.Struct("!q?")
_PIPE_BYTES = 1 << 20  # a 100 KB job fits whole, so a write rarely waits for the worker


class _Worker:
    """One worker process and its pipes. Every method runs in the event loop's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.pending: dict[int, asyncio.Future] = {}
        self.dead = False
        self._next_id = 0
        self._unsent: collections.deque[memoryview] = collections.deque()
        self._received = bytearray()
        # forkserver: the crawl process runs threads (Twisted's resolver); forking it
        # directly could copy a held lock. The server imports the extractor once.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["drmcrawl.crawl.workers"])
        jobs_in, self._jobs = context.Pipe(duplex=False)
        self._results, results_out = context.Pipe(duplex=False)
        self.process = context.Process(target=_serve, args=(jobs_in, results_out, os.getpid()), daemon=True,
                                       name="drmcrawl-extract")
        self.process.start()
        jobs_in.close()
        results_out.close()  # the worker holds the only writer: its exit is EOF here
        for conn in (self._jobs, self._results):
            _widen(conn.fileno())
            os.set_blocking(conn.fileno(), False)
        loop.add_reader(self._results.fileno(), self._read)

    def submit(self, function, args: tuple) -> asyncio.Future:
        future = self.loop.create_future()
        data = pickle.dumps((self._next_id + 1, function, args), pickle.HIGHEST_PROTOCOL)
        self._next_id += 1
        self.pending[self._next_id] = future
        self._unsent.extend((memoryview(_HEADER.pack(len(data))), memoryview(data)))
        if len(self._unsent) == 2:  # nothing was waiting: write now, else the writer callback will
            self._write()
        return future

    def _write(self) -> None:
        try:
            while self._unsent:
                sent = os.writev(self._jobs.fileno(), list(self._unsent)[:64])
                while sent:
                    head = self._unsent[0]
                    if sent >= len(head):
                        sent -= len(head)
                        self._unsent.popleft()
                    else:
                        self._unsent[0], sent = head[sent:], 0
        except BlockingIOError:  # the pipe is full: go on when the worker has read some
            self.loop.add_writer(self._jobs.fileno(), self._write)
            return
        except OSError:  # the worker is gone; its EOF fails the pending jobs
            self._unsent.clear()
        self.loop.remove_writer(self._jobs.fileno())

    def _read(self) -> None:
        try:
            while chunk := os.read(self._results.fileno(), _PIPE_BYTES):
                self._received += chunk
        except BlockingIOError:
            self._deliver()
            return
        self._deliver()  # EOF: the worker exited; what it sent before that still counts
        self._died()

    def _deliver(self) -> None:
        buffer, at = self._received, 0
        while len(buffer) - at >= 4:
            size = _HEADER.unpack_from(buffer, at)[0]
            if len(buffer) - at - 4 < size:
                break
            job_id, ok = _OUTCOME.unpack_from(buffer, at + 4)
            try:
                value = pickle.loads(memoryview(buffer)[at + 4 + _OUTCOME.size:at + 4 + size])
            except Exception as exc:  # noqa: BLE001
                value, ok = RuntimeError(f"the worker's result could not be read: {exc!r}"), False
            at += 4 + size
            future = self.pending.pop(job_id, None)
            if future is not None and not future.done():
                future.set_result(value) if ok else future.set_exception(value)
        del buffer[:at]

    def _died(self) -> None:
        self.dead = True
        self._close_pipes()
        for future in self.pending.values():
            if not future.done():
                future.set_exception(_WorkerDied())
        self.pending.clear()

    def stop(self) -> None:
        """Its jobs' EOF ends the worker once its current page is done."""
        self._close_pipes()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        for future in self.pending.values():
            future.cancel()
        self.pending.clear()
        self.dead = True

    def _close_pipes(self) -> None:
        for conn, remove in ((self._results, self.loop.remove_reader), (self._jobs, self.loop.remove_writer)):
            if not conn.closed:
                if not self.loop.is_closed():
                    remove(conn.fileno())
                conn.close()


def _widen(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # not Linux, or over the system's limit: the default
        pass


def _serve(jobs, results, crawl_pid: int) -> None:
    """A worker's loop: a job (id, function, args) in, (id, ok) and the pickled result or
    exception out, until the crawl closes its end."""
    # Ctrl-C reaches the whole process group: the crawl decides how to stop (Scrapy first
    # finishes the pages in flight, and their jobs are here); closing the pipe ends us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_crawl(crawl_pid)
    while True:
        try:
            job_id, function, args = pickle.loads(jobs.recv_bytes())
        except EOFError:
            return
        try:
            ok, value = True, function(*args)
        except Exception as exc:  # noqa: BLE001 (the caller gets it, as if it ran there)
            ok, value = False, exc
        try:
            data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 (an unpicklable result or exception)
            ok, data = False, pickle.dumps(RuntimeError(f"{function.__name__}: {exc!r}"))
        results.send_bytes(_OUTCOME.pack(job_id, ok) + data)
