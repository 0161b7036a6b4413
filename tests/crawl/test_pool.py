"""Extraction in worker processes: the same articles as in-process extraction, and a
worker that dies costs one recorded failure, not the crawl."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from urllib.parse import urlsplit

import pytest
from conftest import SITE, expected_articles, run_cli
from records import assert_matches_expected, stored

from drmcrawl.crawl.workers import Extractor, WorkerCrashed, extract_response
from drmcrawl.extract import NotAnArticle
from drmcrawl.warc.records import read_record

PAGE = SITE / "fia-told-to-stop-misuse-of-cybercrimes-law" / "index.html"


def die_on_crash_urls(body: bytes, content_type: str, url: str, profile: str | None):
    """What a segfault in a C library does to a worker."""
    if "crash" in url:
        os._exit(1)
    return extract_response(body, content_type, url, profile)


def run(extractor: Extractor, *pages):
    async def all_pages():
        return await asyncio.gather(*(extractor.extract(*page) for page in pages), return_exceptions=True)
    try:
        return asyncio.run(all_pages())
    finally:
        extractor.close()


def test_a_worker_extracts_what_this_process_extracts():
    page = (PAGE.read_bytes(), "text/html; charset=UTF-8", "http://127.0.0.1:1/story/", "drm")
    inline, = run(Extractor(0), page)
    pooled, = run(Extractor(1), page)
    assert pooled == inline and inline.title.startswith("FIA told to stop")


def test_times_come_back_from_the_worker_with_their_fixed_offset():
    """Not as a dateutil zone, which pickles as its whole zone file."""
    from datetime import timedelta, timezone

    page = (PAGE.read_bytes(), "text/html; charset=UTF-8", "http://127.0.0.1:1/story/", "drm")
    inline, = run(Extractor(0), page)
    pooled, = run(Extractor(1), page)
    for name in ("published", "modified"):
        value = getattr(pooled, name)
        assert type(value.tzinfo) is timezone and value.utcoffset() == timedelta(hours=5)
        assert value == getattr(inline, name) and value.isoformat() == getattr(inline, name).isoformat()


def test_not_an_article_comes_back_from_the_worker_as_itself():
    result, = run(Extractor(1), (b"<html><body>nothing</body></html>", "text/html", "http://h/x/", None))
    assert isinstance(result, NotAnArticle)


def test_a_dead_worker_is_replaced_and_only_the_page_that_killed_it_fails():
    good = (PAGE.read_bytes(), "text/html; charset=UTF-8", "http://127.0.0.1:1/story/", "drm")
    crash = (b"<html></html>", "text/html", "http://127.0.0.1:1/crash/", "drm")
    extractor = Extractor(1, die_on_crash_urls)
    first, = run(extractor, crash)
    assert isinstance(first, WorkerCrashed) and extractor.replaced_workers == 2
    after, = run(extractor, good)  # a fresh pool takes the next pages
    assert after.title


@pytest.mark.parametrize("workers", ["0", "1"])
def test_a_crawl_stores_the_same_articles_with_and_without_workers(tmp_path, site_server, workers):
    db = tmp_path / "crawl.sqlite"
    result = run_cli("crawl", "--base-url", site_server.url, "--db", str(db), "--extract-workers", workers)
    assert result.returncode == 0, result.stderr[-2000:]
    assert_matches_expected(stored(db))
    # With workers the article pages' WARC records were built there: each reads back as
    # the page the server sent.
    con = sqlite3.connect(db)
    rows = con.execute("SELECT final_url, warc_file, warc_offset FROM fetches WHERE kind = 'article' "
                       "AND status = 200 AND record_type = 'response'").fetchall()
    assert len(rows) >= len(expected_articles())
    for url, name, offset in rows:
        page = SITE / urlsplit(url).path.strip("/") / "index.html"
        assert read_record(tmp_path / "warc" / name, offset).body == page.read_bytes()


def _children(pid: int) -> set[int]:
    return set(_process_tree().get(pid, []))


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (workers are the forkserver's children, not the crawl's)."""
    children = _process_tree()
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _process_tree() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    ppid = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    return children


def test_workers_exit_when_the_crawl_is_killed(tmp_path):
    """A kill -9 of the crawl must not leave its extraction workers (and forkserver) behind."""
    import signal

    from faultserver import FaultServer
    from processes import start_crawl, wait_for

    with FaultServer(SITE, delay=0.3) as server:  # slow pages: the crawl is still running
        proc = start_crawl(server.url, tmp_path / "k.sqlite", "--extract-workers", "1")
        try:
            # The worker is the forkserver's child: wait for a grandchild of the crawl.
            assert wait_for(lambda: _descendants(proc.pid) - _children(proc.pid), 30, proc), "no worker started"
            helpers = _descendants(proc.pid)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            assert wait_for(lambda: not any(os.path.exists(f"/proc/{p}") for p in helpers), 10), (
                f"left behind: {[p for p in helpers if os.path.exists(f'/proc/{p}')]}")
        finally:
            if proc.poll() is None:
                proc.kill()


STUCK_WORKER = """
import os, sys
from drmcrawl.crawl.workers import watch_crawl
watch_crawl(int(sys.argv[1]), every=0.05)
read_end, write_end = os.pipe()
os.write(1, b"ready\\n")
while True:  # a worker writing a result nobody reads: blocked for good, as after a kill -9
    os.write(write_end, b"x" * 65536)
"""


def test_a_worker_blocked_on_its_pipes_exits_when_the_crawl_is_gone():
    """Workers hold both ends of their queues, so a dead crawl never gives them EOF: the
    watch thread is what ends them."""
    import signal
    import subprocess
    import sys

    crawl = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    worker = subprocess.Popen([sys.executable, "-c", STUCK_WORKER, str(crawl.pid)], stdout=subprocess.PIPE)
    try:
        assert worker.stdout.readline() == b"ready\n"
        assert worker.poll() is None
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait(5)
        assert worker.wait(5) == 0
    finally:
        for proc in (crawl, worker):
            if proc.poll() is None:
                proc.kill()


def test_an_archive_page_whose_worker_dies_is_parsed_here(monkeypatch):
    """Its article and pagination links are not lost with the worker."""
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from drmcrawl.crawl.spiders.drm import DrmSpider

    spider = DrmSpider.from_crawler(get_crawler(DrmSpider), base_url="http://mirror.example:8000")

    async def dies(*_args):
        raise WorkerCrashed("the extraction worker died twice on the page")
    monkeypatch.setattr(spider.session.workers, "run", dies)
    body = (SITE / "category" / "drm-exclusive" / "index.html").read_bytes()
    page = HtmlResponse("http://mirror.example:8000/category/drm-exclusive/", body=body, encoding="utf-8")

    async def requests():
        return [r.url async for r in spider.parse_listing(page)]
    urls = asyncio.run(requests())
    assert any("/page/2/" in url for url in urls) and len(urls) > 5


def test_an_archive_page_goes_to_the_worker_as_received_bytes(monkeypatch):
    """Not as text: a decoded copy (twice the body) of every archive page waiting for the
    worker stayed in the crawl's process, 64 at a time at the end of a large crawl."""
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from drmcrawl.crawl.spiders.drm import DrmSpider

    spider = DrmSpider.from_crawler(get_crawler(DrmSpider), base_url="http://mirror.example:8000")
    jobs = []

    async def run(_url, function, *args):
        jobs.append(args)
        return function(*args)
    monkeypatch.setattr(spider.session.workers, "run", run)
    body = (SITE / "category" / "drm-exclusive" / "index.html").read_bytes()
    page = HtmlResponse("http://mirror.example:8000/category/drm-exclusive/", body=body,
                        headers={"Content-Type": "text/html; charset=UTF-8"})

    async def requests():
        return [r.url async for r in spider.parse_listing(page)]
    urls = asyncio.run(requests())
    assert [type(arg) for arg in jobs[0]] == [bytes, str, str] and jobs[0][0] is page.body
    assert any("/page/2/" in url for url in urls) and len(urls) > 5


def test_the_workers_content_digest_is_the_one_the_store_computes(tmp_path, site_server):
    """A crawl with a worker stores the digest the worker computed; without workers the
    store computes it. Version detection depends on both being the same."""
    hashes = {}
    for workers in ("0", "1"):
        db = tmp_path / f"w{workers}.sqlite"
        result = run_cli("crawl", "--base-url", site_server.url, "--db", str(db), "--extract-workers", workers)
        assert result.returncode == 0, result.stderr[-2000:]
        hashes[workers] = dict(sqlite3.connect(db).execute("SELECT post_id, content_hash FROM articles"))
    assert len(hashes["1"]) == len(expected_articles()) and hashes["1"] == hashes["0"]


def test_ctrl_c_leaves_the_worker_to_the_crawl():
    """A terminal's Ctrl-C signals the whole process group; the worker goes on serving the
    pages in flight while the crawl shuts down, instead of dying on KeyboardInterrupt."""
    import signal
    import time

    page = (PAGE.read_bytes(), "text/html; charset=UTF-8", "http://127.0.0.1:1/story/", "drm")
    extractor = Extractor(1)

    async def interrupted():
        first = await extractor.extract(*page)
        worker = extractor._running[0]
        os.kill(worker.process.pid, signal.SIGINT)
        time.sleep(0.3)
        return first, await extractor.extract(*page), worker.process.is_alive()
    try:
        first, second, alive = asyncio.run(interrupted())
    finally:
        extractor.close()
    assert alive and second == first and extractor.replaced_workers == 0


class NeedsTwoArguments(Exception):
    """Pickles fine, but unpickling calls __init__ with the one stored argument."""

    def __init__(self, page, why):
        super().__init__(f"{page}: {why}")


def raise_unreadable(url: str):
    raise NeedsTwoArguments(url, "odd")


def unpicklable_result(url: str):
    return lambda: url


def test_a_result_that_cannot_cross_back_fails_its_page_only():
    extractor = Extractor(1)

    async def jobs():
        return await asyncio.gather(extractor.run("a", raise_unreadable, "a"),
                                    extractor.run("b", unpicklable_result, "b"),
                                    extractor.run("c", len, "ccc"), return_exceptions=True)
    try:
        unreadable, unpicklable, fine = asyncio.run(asyncio.wait_for(jobs(), 30))
    finally:
        extractor.close()
    assert isinstance(unreadable, RuntimeError) and "could not be read" in str(unreadable)
    assert isinstance(unpicklable, RuntimeError) and "unpicklable_result" in str(unpicklable)
    assert fine == 3 and extractor.replaced_workers == 0
