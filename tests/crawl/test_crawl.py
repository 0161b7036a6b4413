"""The real spider crawling the fixture site over HTTP on 127.0.0.1 into a real SQLite file."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys

import pytest
from conftest import LIVE, SITE, collector_watch, expected_articles, run_cli
from records import assert_matches_expected, stored

from drmcrawl.demo.server import FixtureServer


def crawl(base_url: str, db, *extra: str):
    result = run_cli("crawl", "--base-url", base_url, "--db", str(db), *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return result






@pytest.fixture(scope="module")
def first_crawl(tmp_path_factory, site_server):
    db = tmp_path_factory.mktemp("crawl") / "drm.sqlite"
    result = crawl(site_server.url, db)
    return db, result


def test_every_article_stored_once_with_exact_fields(first_crawl):
    db, result = first_crawl
    records = stored(db)
    assert_matches_expected(records)
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from articles").fetchone()[0] == len(expected_articles())
    assert con.execute("select count(distinct url_key) from articles").fetchone()[0] == len(expected_articles())
    assert f"new {len(expected_articles())}," in result.stdout
    assert "run 1: finished" in result.stdout


def test_only_articles_are_stored_and_run_is_recorded(first_crawl):
    db, _ = first_crawl
    con = sqlite3.connect(db)
    urls = [u for (u,) in con.execute("select url from articles")]
    assert not [u for u in urls if "/category/" in u or "/tag/" in u or "/author/" in u or u.endswith("/feed/")]
    status, new, failed, pages = con.execute(
        "select status, articles_new, articles_failed, pages_fetched from crawl_runs").fetchone()
    assert (status, new, failed) == ("finished", len(expected_articles()), 0)
    assert pages > len(expected_articles())


def test_recrawl_is_idempotent(first_crawl, site_server, tmp_path):
    db = tmp_path / "again.sqlite"
    shutil.copy(first_crawl[0], db)
    result = crawl(site_server.url, db, "--full")  # without --full, the revisit policy skips them all
    n = len(expected_articles())
    assert f"new 0, updated 0, unchanged {n}," in result.stdout
    assert len(stored(db)) == n
    runs = sqlite3.connect(db).execute("select id, articles_unchanged from crawl_runs order by id").fetchall()
    assert runs == [(1, 0), (2, n)]


def test_max_articles_limits_the_crawl(site_server, tmp_path):
    db = tmp_path / "limited.sqlite"
    result = crawl(site_server.url, db, "--max-articles", "3")
    assert len(stored(db)) == 3
    assert "new 3," in result.stdout


def make_mirror(tmp_path, transform=None):
    root = tmp_path / "mirror"
    shutil.copytree(SITE, root)
    if transform:
        for path in root.rglob("*"):
            if path.is_file() and path.suffix in (".html", ".xml", ".txt"):
                path.write_text(transform(path.read_text(encoding="utf-8")), encoding="utf-8")
    return root


def test_mirror_with_host_relative_links(tmp_path):
    """A mirror saved with links converted to the mirror's own paths (wget -k style)."""
    root = make_mirror(tmp_path, lambda text: text.replace(LIVE + "/", "/").replace(
        "https://www.digitalrightsmonitor.pk/", "/"))
    db = tmp_path / "mirror.sqlite"
    with FixtureServer(root) as server:
        crawl(server.url, db)
    records = stored(db)
    assert sorted(records) == sorted(e["post_id"] for e in expected_articles().values())
    assert all(r["url"].startswith("http://127.0.0.1:") for r in records.values())


def test_missing_article_is_a_recorded_failure_not_a_crash(tmp_path):
    victim = sorted(expected_articles())[0]
    root = make_mirror(tmp_path)
    shutil.rmtree(root / victim)
    db = tmp_path / "missing.sqlite"
    with FixtureServer(root) as server:
        result = crawl(server.url, db)
    assert len(stored(db)) == len(expected_articles()) - 1
    con = sqlite3.connect(db)
    failures = con.execute("select url, reason from failures").fetchall()
    assert failures and all(reason == "http_404" for _, reason in failures)
    assert any(url.rstrip("/").endswith("/" + victim) for url, _ in failures)
    assert "failed 1," in result.stdout or f"failed {len(failures)}," in result.stdout


def test_robots_txt_is_obeyed(tmp_path):
    victim = sorted(expected_articles())[1]
    root = make_mirror(tmp_path)
    (root / "robots.txt").write_text(f"User-agent: *\nDisallow: /{victim}\n")
    db = tmp_path / "robots.sqlite"
    with FixtureServer(root) as server:
        crawl(server.url, db)
    urls = [r["url"] for r in stored(db).values()]
    assert not [u for u in urls if victim in u]
    reasons = sqlite3.connect(db).execute("select distinct reason from failures").fetchall()
    assert reasons == [("robots_txt",)]
    blocked, by_reason = sqlite3.connect(db).execute("select robots_blocked, failed_by_reason from crawl_runs").fetchone()
    assert blocked >= 1 and json.loads(by_reason) == {"robots_txt": 1}


def test_shortlinks_and_url_variants_are_one_article(tmp_path):
    """Feed items pointing at `/?p=ID` (301 to the permalink) and sitemap entries with
    `www.` and trailing slashes still give every article exactly once."""
    import re

    redirects = json.loads((SITE / "_redirects.json").read_text())
    by_path = {path.strip("/"): post_id for post_id, path in redirects.items()}

    def shortlinks(text: str) -> str:
        def repl(match):
            slug = match.group(2).strip("/")
            return f"<link>{LIVE}/?p={by_path[slug]}</link>" if slug in by_path else match.group(0)
        text = re.sub(r"<link>(https://digitalrightsmonitor\.pk)/([^<]+)</link>", repl, text)
        return text.replace(f"<loc>{LIVE}/", "<loc>https://www.digitalrightsmonitor.pk/")

    root = make_mirror(tmp_path, shortlinks)
    assert "?p=" in (root / "feed" / "index.xml").read_text()
    db = tmp_path / "variants.sqlite"
    with FixtureServer(root) as server:
        result = crawl(server.url, db)
    assert_matches_expected(stored(db))
    assert "failed 0," in result.stdout


def test_scrapy_crawl_works_from_the_repo_root(site_server, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    db = tmp_path / "scrapy.sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "drm", "-a", f"base_url={site_server.url}",
         "-a", "max_articles=2", "-s", f"DRMCRAWL_DB={db}"],
        cwd=Path(__file__).parents[2], capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(stored(db)) == 2


def test_demo_crawls_the_bundled_site_offline(tmp_path):
    db, out = tmp_path / "demo.sqlite", tmp_path / "demo.csv"
    result = run_cli("demo", "--db", str(db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f"export: {len(expected_articles())} articles -> {out}" in result.stdout
    import csv

    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert sorted(int(r["post_id"]) for r in rows) == sorted(e["post_id"] for e in expected_articles().values())


def test_polite_defaults_for_the_live_site():
    from drmcrawl.crawl.runner import project_settings

    settings = project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings.get("USER_AGENT").startswith("drmcrawl/") and "+http" in settings.get("USER_AGENT")


def test_no_cookie_goes_back_to_the_site(tmp_path):
    """Each page is fetched as a first visit: the archive holds what any reader gets
    (no cookie, no Referer from the page that linked it)."""
    from faultserver import FaultServer

    with FaultServer(SITE, {"/": ["cookie"], "/robots.txt": ["cookie"]}) as server:
        result = crawl(server.url, tmp_path / "c.sqlite")
    assert "Referer" not in result.stderr  # Scrapy warns when RefererMiddleware is off
    paths = [path for path, _ in server.headers]
    assert "/" in paths and len(paths) > len(expected_articles())
    assert [path for path, headers in server.headers if "Cookie" in headers] == []
    assert [path for path, headers in server.headers if "Referer" in headers] == []


def test_remote_control_is_off_in_the_project_settings():
    """Scrapy 2.19's remote control executes code sent over HTTP; the crawl's settings turn
    it off (the setting is checked, not a port: its log line is below the crawl's level)."""
    from drmcrawl.crawl.runner import project_settings

    assert project_settings().getbool("REMOTE_CONTROL_ENABLED") is False


COMPONENT_IMPORTS = """
import sys
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object
from drmcrawl.crawl.runner import project_settings
settings = project_settings()
for name in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES"):
    for path in build_component_list(settings.get_component_priority_dict_with_base(name)):
        load_object(path)  # as a crawl's component managers do, before asking each whether it is on
print(sorted(name for name in ("aiohttp", "tldextract") if name in sys.modules))
"""


def test_switched_off_components_are_not_imported_at_all():
    """The remote control (aiohttp) and the cookies middleware (tldextract) are off, and
    not even imported: Scrapy loads every component its lists name, which cost every crawl
    0.25 s before its first request."""
    import subprocess
    import sys

    from drmcrawl.crawl.runner import project_settings

    out = subprocess.run([sys.executable, "-c", COMPONENT_IMPORTS], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    settings = project_settings()
    assert settings.getbool("COOKIES_ENABLED") is False and settings.getbool("REMOTE_CONTROL_ENABLED") is False


COUNT_DEBUG_RECORDS = """
import logging, sys
from drmcrawl.crawl.runner import run_crawl

logging.basicConfig(level=getattr(logging, sys.argv[3]))
made = []

class Count(logging.Filter):  # a logger's filter sees every record built for it
    def filter(self, record):
        made.append(record.levelno)
        return True

for name in ("scrapy.core.engine", "scrapy.core.scraper"):
    logging.getLogger(name).addFilter(Count())
run_crawl(base_url=sys.argv[1], db=sys.argv[2])
print(sum(1 for level in made if level < logging.INFO))
"""


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_scrapy_builds_debug_records_only_when_the_caller_wants_them(site_server, tmp_path, level):
    """Scrapy sets its logger to DEBUG when a crawl starts; at INFO a record per response
    and per item was built and then dropped by the handler (CPU for nothing)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", COUNT_DEBUG_RECORDS, site_server.url, str(tmp_path / "a.sqlite"), level],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    debug_records = int(out.stdout.split()[-1])
    if level == "INFO":
        assert debug_records == 0
    else:  # "Crawled (200)" per response, "Scraped from" per article
        assert debug_records > len(expected_articles())


WATCH_COLLECTOR = collector_watch("drmcrawl.crawl.runner", "print(target.run_crawl(base_url=sys.argv[1], db=sys.argv[2]).new)")


def test_the_crawl_keeps_its_start_up_heap_out_of_the_collectors_scans(site_server, tmp_path):
    """Collections took 2.3 s of a 5,000-page crawl's process; with the heap built at
    start-up frozen and a larger young threshold, 0.35 s (drmcrawl/crawl.py)."""
    import subprocess

    from drmcrawl.crawl.runner import YOUNG_THRESHOLD

    out = subprocess.run([sys.executable, "-c", WATCH_COLLECTOR, site_server.url, str(tmp_path / "a.sqlite")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    new, frozen, young = map(int, out.stdout.split()[-3:])
    assert new == len(expected_articles())
    assert frozen > 50_000  # the objects of Scrapy, Twisted, SQLAlchemy, lxml...: about 120,000
    assert young == YOUNG_THRESHOLD > 700


WATCH_LASTMODS = """
import sys
from drmcrawl.crawl.runner import run_crawl
from drmcrawl.storage.history import HistoryStore

updated = []
remember = HistoryStore.remember_lastmods

def remember_lastmods(self, site, lastmods, since):
    updated.extend(lastmods)
    return remember(self, site, lastmods, since)

HistoryStore.remember_lastmods = remember_lastmods
print(run_crawl(base_url=sys.argv[1], db=sys.argv[2]).new, len(updated))
"""


def test_new_articles_are_stored_with_their_sitemap_lastmod(site_server, tmp_path):
    """Not by a second UPDATE of every article at the end of the run (1.5 s of a
    20,000-article crawl), and the result is the same: each article keeps the newest
    lastmod its sitemap gives."""
    import re
    import sqlite3
    import subprocess

    from drmcrawl.crawl.revisit import parse_lastmod
    from drmcrawl.urls import url_key

    db = tmp_path / "a.sqlite"
    out = subprocess.run([sys.executable, "-c", WATCH_LASTMODS, site_server.url, str(db)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    new, updated_at_the_end = map(int, out.stdout.split()[-2:])
    assert new == len(expected_articles()) and updated_at_the_end == 0
    listed = {}
    for sitemap in SITE.glob("post-sitemap*.xml"):
        for loc, lastmod in re.findall(r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap.read_text()):
            listed[url_key(loc)] = parse_lastmod(lastmod).isoformat(" ", timespec="microseconds")
    stored = dict(sqlite3.connect(db).execute("SELECT url_key, sitemap_lastmod FROM articles"))
    assert len(listed) >= 20 and {key: stored.get(key) for key in listed} == listed


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop has no Windows build; the standard loop runs there")
def test_the_crawl_runs_on_uvloop(site_server, tmp_path):
    db = tmp_path / "uv.sqlite"
    result = run_cli("-vv", "crawl", "--base-url", site_server.url, "--db", str(db))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Using asyncio event loop: uvloop.Loop" in result.stderr
    assert_matches_expected(stored(db))


def test_a_local_mirror_is_fetched_with_more_than_16_pages_in_flight(tmp_path):
    """On a loopback mirror the crawl keeps up to 64 requests in flight (its process and its
    extraction worker are a pipeline: more pages in flight keep both busy). The server holds
    every article until all 21 are asked for at once; Scrapy's default 16 would stall."""
    from faultserver import FaultServer
    from processes import N_ARTICLES, finish, start_crawl, wait_for

    held = {"/" + slug: ["hold"] for slug in expected_articles()}
    with FaultServer(SITE, held) as server:
        proc = start_crawl(server.url, tmp_path / "c.sqlite")
        try:
            def asked_at_once() -> int:
                return len({p.strip("/") for p, _ in server.log if p.strip("/") in expected_articles()})
            all_asked = wait_for(lambda: asked_at_once() == N_ARTICLES, timeout=30, proc=proc)
            count = asked_at_once()
        finally:
            server.let_through(10_000)
            code, _out, err = finish(proc)
    assert N_ARTICLES > 16 and all_asked, f"only {count} of {N_ARTICLES} articles in flight"
    assert code == 0, err[-2000:]


def test_articles_beyond_the_window_wait_and_are_all_crawled(site_server, tmp_path):
    """With two article requests at a time, what discovery finds beyond them waits (as
    plain tuples, not Scrapy requests) and is still fetched and stored, every article."""
    import re
    import subprocess
    from pathlib import Path

    db = tmp_path / "window.sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "drm", "-a", f"base_url={site_server.url}",
         "-s", f"DRMCRAWL_DB={db}", "-s", "DRMCRAWL_ARTICLE_WINDOW=2", "-s", "LOG_LEVEL=INFO"],
        cwd=Path(__file__).parents[2], capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    waited = re.search(r"'drmcrawl/articles_waited': (\d+)", result.stderr)
    assert waited and int(waited.group(1)) >= len(expected_articles()) - 2, result.stderr[-3000:]
    assert_matches_expected(stored(db))


class _RecordingEngine:
    """Stands in for Scrapy's engine in a unit test: keeps what the spider schedules."""

    def __init__(self):
        self.scheduled = []

    def crawl(self, request):
        self.scheduled.append(request)


def test_an_idle_crawl_schedules_the_waiting_articles_even_if_a_request_never_came_back():
    """A request dropped on the way reaches no callback and would hold its place in the
    window; when the crawl goes idle the waiting articles are scheduled, not lost."""
    import asyncio

    from scrapy.exceptions import DontCloseSpider
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from drmcrawl.crawl.spiders.drm import DrmSpider
    from drmcrawl.crawl.window import ArticleWindow

    crawler = get_crawler(DrmSpider)
    spider = DrmSpider.from_crawler(crawler, base_url="http://mirror.example:8000")
    spider.window = ArticleWindow(2)
    urls = [f"http://mirror.example:8000/story-{n}/" for n in range(7)]
    first = [r.url for url in urls for r in spider.article(url, "sitemap")]
    assert first == urls[:2]  # the rest wait
    # Each answer lets the next one in: a failure, and an answer (here a 304).
    assert [r.url for r in spider.article_failed(_failure_of(first[0])) if hasattr(r, "callback")] == urls[2:3]
    from scrapy import Request

    not_modified = HtmlResponse(urls[1], status=304, body=b"", request=Request(urls[1]))

    async def answered():
        return [out async for out in spider.parse_article(not_modified)]
    outputs = asyncio.run(answered())
    assert [r.url for r in outputs if hasattr(r, "callback")] == urls[3:4]
    assert [type(r).__name__ for r in outputs if not hasattr(r, "callback")] == ["NotModified"]
    # Both requests now in the window are dropped on the way; the idle crawl goes on.
    crawler.engine = _RecordingEngine()
    with pytest.raises(DontCloseSpider):
        spider._schedule_waiting()
    assert [r.url for r in crawler.engine.scheduled] == urls[4:6]
    with pytest.raises(DontCloseSpider):
        spider._schedule_waiting()
    assert [r.url for r in crawler.engine.scheduled] == urls[4:]
    spider._schedule_waiting()  # nothing waits: the crawl may close


def _failure_of(url):
    from scrapy import Request
    from scrapy.exceptions import IgnoreRequest
    from twisted.python.failure import Failure

    failure = Failure(IgnoreRequest("dropped"))
    failure.request = Request(url)
    return failure


def _archived_payloads(db) -> dict[str, tuple[int, str]]:
    con = sqlite3.connect(db)
    try:
        return {url: (status, digest) for url, status, digest in con.execute(
            "select final_url, status, digest from fetches where kind = 'article'")}
    finally:
        con.close()


def test_one_path_for_every_page_with_or_without_workers(site_server, tmp_path):
    """Fetched -> archived -> extracted -> stored gives the same archive whether pages are
    extracted (and large answers' records built) in a worker or in the crawl's process,
    with every article linked to the fetch it was extracted from."""
    results = {}
    for workers in ("0", "1"):
        db = tmp_path / f"workers{workers}.sqlite"
        crawl(site_server.url, db, "--extract-workers", workers)
        results[workers] = db
        assert_matches_expected(stored(db))
        con = sqlite3.connect(db)
        unlinked = con.execute("select count(*) from article_versions where fetch_id is null").fetchone()[0]
        con.close()
        assert unlinked == 0
    assert _archived_payloads(results["0"]) == _archived_payloads(results["1"])
