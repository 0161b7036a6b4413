"""Extraction in worker processes, so a crawl uses a second core: Scrapy's engine and the
archive writes keep the crawl's own process busy, and extraction (lxml parse, profile,
cleaning) is the largest CPU cost left to move off it; the WARC middleware has the
workers build each large page's records too (`Extractor.run`). Pure Python, no Scrapy: the spider
awaits `Extractor.extract` from its async callback.

A worker that dies (a crash in a C library, the OOM killer) is replaced and the pages it
had are tried once more in the new one; a page that kills a worker twice raises
`WorkerCrashed`, which the spider records as that page's failure. The crawl goes on."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import datetime, timezone

from drmcrawl.extract import Article, decode_html, extract

logger = logging.getLogger(__name__)


class WorkerCrashed(RuntimeError):
    """A page killed the extraction worker, twice."""


def extract_response(body: bytes, content_type: str, url: str, profile: str | None) -> Article:
    """Bytes as received (decode_html repairs windows-1252 declared as UTF-8) to Article,
    its times with fixed UTC offsets: a dateutil zone is pickled as its whole zone file and
    re-read by the crawl's process for every page (the offset is all the archive keeps)."""
    article = extract(decode_html(body, content_type), url, profile=profile)
    return replace(article, published=_fixed_offset(article.published), modified=_fixed_offset(article.modified))


def _fixed_offset(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.replace(tzinfo=timezone(value.utcoffset()))


def watch_crawl(crawl_pid: int, every: float = 1.0) -> None:
    """In each worker: exit when the crawl's process is gone. A worker holds both ends of
    its own call queue, so after a kill -9 of the crawl it would wait for work forever
    (and keep the forkserver alive with it)."""
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
        self._pool: ProcessPoolExecutor | None = None
        self.replaced_pools = 0

    async def extract(self, body: bytes, content_type: str, url: str, profile: str | None) -> Article:
        return await self.run(url, self.function, body, content_type, url, profile)

    async def run(self, url: str, function, *args):
        """`function(*args)` in a worker (here when there are none); `url`: the page it is
        for, named when it kills the worker."""
        if not self.workers:
            return function(*args)
        for _attempt in range(2):
            pool = self._running_pool()
            try:
                return await asyncio.wrap_future(pool.submit(function, *args))
            except BrokenProcessPool:
                self._replace(pool, url)
        raise WorkerCrashed(f"the extraction worker died twice on {url}")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _running_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: the crawl process runs threads (Twisted's resolver); forking it
            # directly could copy a held lock. The server imports the extractor once.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["drmcrawl.extract.pool"])
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=watch_crawl,
                                             initargs=(os.getpid(),))
        return self._pool

    def _replace(self, pool: ProcessPoolExecutor, url: str) -> None:
        if pool is self._pool:  # the first page to notice replaces it; the others reuse the new one
            logger.error("An extraction worker died (on %s or a page beside it); starting a new one", url)
            pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            self.replaced_pools += 1
