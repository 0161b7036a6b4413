"""An analyst reading and exporting during a crawl never waits on a lock and never sees
half an article; two crawls on one database are refused. Real processes, a real server
that lets article pages through only when the test says, so the overlap does not depend
on the machine's speed."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SITE, expected_articles, run_cli
from faultserver import FaultServer
from processes import N_ARTICLES, article_count, finish, incomplete_articles, start_crawl, wait_for

from drmcrawl.crawl.lock import acquire, lock_path, release

REPO = Path(__file__).parents[2]
STEP = 7  # articles let through between two analyst passes


@pytest.fixture(scope="module")
def running_crawl(tmp_path_factory):
    """A crawl whose article pages the server holds until `server.let_through(n)`."""
    db = tmp_path_factory.mktemp("concurrency") / "shared.sqlite"
    held = {"/" + slug: ["hold"] for slug in expected_articles()}
    with FaultServer(SITE, held) as server:
        proc = start_crawl(server.url, db)
        started = wait_for(lambda: any(p.strip("/") in expected_articles() for p, _ in server.log), 60, proc)
        yield server, db, proc, started
        server.let_through(10_000)
        if proc.poll() is None:
            finish(proc)


def analyst_pass(db: Path) -> tuple[int, list[str]]:
    """One round of what an analyst does: SQL reads and an export. Returns the article
    count seen and the URLs of any article seen incomplete."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.5)  # "database is locked" would raise
    count = con.execute("select count(*) from articles").fetchone()[0]
    problems = incomplete_articles(con)
    con.close()
    result = run_cli("export", "--format", "jsonl", "--db", str(db), timeout=60)
    assert result.returncode == 0 and "locked" not in result.stderr, result.stderr
    for record in map(json.loads, result.stdout.splitlines()):
        if not (record["title"] and record["body"] and record["authors"] and record["categories"]):
            problems.append(record["url"])
    return count, problems


def test_analyst_reads_and_exports_during_the_crawl(running_crawl):
    server, db, crawl, started = running_crawl
    assert started, "the crawl never asked for an article"
    seen, problems = [], []
    let_through = 0
    while let_through < N_ARTICLES - 1:  # keep the last one back: the crawl stays alive
        step = min(STEP, N_ARTICLES - 1 - let_through)
        server.let_through(step)
        let_through += step
        # The crawl commits its writes every second: the first of these articles becomes
        # visible then, while the crawl is still writing the others.
        before = let_through - step
        assert wait_for(lambda: article_count(db) > before, timeout=60, proc=crawl)  # noqa: B023
        count, bad = analyst_pass(db)
        seen.append(count)
        problems += bad
        assert crawl.poll() is None, crawl.stderr.read()[-2000:]
    assert wait_for(lambda: article_count(db) == N_ARTICLES - 1, timeout=60, proc=crawl)
    count, bad = analyst_pass(db)
    assert not problems + bad
    assert count == N_ARTICLES - 1
    assert seen == sorted(seen) and len({n for n in seen if 0 < n < N_ARTICLES}) >= 2, seen


def test_a_second_crawl_is_refused_while_the_first_runs(running_crawl):
    server, db, first, started = running_crawl
    assert started and first.poll() is None
    second = run_cli("crawl", "--base-url", server.url, "--db", str(db))
    assert second.returncode == 1
    assert "Error: another crawl is already writing to this database" in second.stderr
    assert f"pid {first.pid}" in second.stderr
    # `scrapy crawl` takes the same lock.
    scrapy = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "drm", "-a", f"base_url={server.url}",
                             "-s", f"DRMCRAWL_DB={db}"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert scrapy.returncode == 1 and "CrawlLocked: another crawl is already writing" in scrapy.stderr
    assert first.poll() is None, "the refused crawls must not disturb the running one"
    assert sqlite3.connect(db).execute("select id from crawl_runs").fetchall() == [(1,)], "a refused crawl writes nothing"
    server.let_through(10_000)
    code, out, err = finish(first)
    assert code == 0, err[-2000:]
    assert f"new {N_ARTICLES}," in out
    # The lock went with the crawl: the next crawl on this database may start.
    release(acquire(lock_path(f"sqlite:///{db}")))
