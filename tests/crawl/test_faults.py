"""The real spider against a fault-injecting server: every failure is recorded per URL
with a reason, good articles are all stored, and a later run picks up what failed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SITE, expected_articles
from faultserver import FaultServer

from drmcrawl.storage import Archive

REPO = Path(__file__).parents[2]
SLUGS = sorted(expected_articles())
# Timeout 2 s against a 5 s sleep: a clear margin on a loaded machine.
FAST = {"DOWNLOAD_TIMEOUT": "2", "RETRY_BACKOFF_BASE": "0.5", "DOWNLOAD_MAXSIZE": str(1024 * 1024), "RETRY_TIMES": "2"}

# slug index -> (server behaviour per request, expected outcome: "stored" or failure reason)
CASES = {
    0: (["500", "500", "ok"], "stored"),
    1: (["503"], "http_503"),
    2: (["429:1", "ok"], "stored"),
    3: (["sleep:5"], "timeout"),
    4: (["reset", "ok"], "stored"),
    5: (["truncate"], "truncated"),
    6: (["huge"], "too_large"),
    7: (["gzipbomb"], "too_large"),
    8: (["loop"], "redirect_loop"),
    9: (["offsite"], "offsite"),
    10: (["octet"], "stored"),
    11: (["notype"], "stored"),
    12: (["pdf"], "not_html"),
    13: (["empty"], "not_an_article"),
    14: (["502", "ok"], "stored"),
    15: (["to:/hop-1", "ok"], "stored"),  # a chain of redirects back to the article: followed
    17: (["429:100000"], "http_429"),  # Retry-After beyond RETRY_AFTER_MAX: not waited for, recorded
}
CHAIN = {"/hop-1": ["to:/hop-2"], "/hop-2": ["to:/" + SLUGS[15]]}


def scrapy_crawl(base_url: str, db: Path, **settings: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "scrapy", "crawl", "drm", "-a", f"base_url={base_url}", "-s", f"DRMCRAWL_DB={db}"]
    for name, value in {**FAST, **settings}.items():
        args += ["-s", f"{name}={value}"]
    result = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    faults = {"/" + SLUGS[i]: actions for i, (actions, _) in CASES.items()} | CHAIN
    db = tmp_path_factory.mktemp("faults") / "faults.sqlite"
    with FaultServer(SITE, faults) as server:
        result = scrapy_crawl(server.url, db)
        yield db, server, result


def test_good_articles_are_all_stored(fault_crawl):
    db, _, _ = fault_crawl
    archive = Archive(db)
    stored = {r["url"].rstrip("/").rsplit("/", 1)[-1] for r in archive.iter_records()}
    archive.close()
    failing = {SLUGS[i] for i, (_, outcome) in CASES.items() if outcome != "stored"}
    assert stored == set(SLUGS) - failing


def test_every_failure_is_recorded_with_its_reason(fault_crawl):
    db, _, _ = fault_crawl
    con = sqlite3.connect(db)
    got = {url.rstrip("/").rsplit("/", 1)[-1]: reason for url, reason in con.execute("select url, reason from failures")}
    want = {SLUGS[i]: outcome for i, (_, outcome) in CASES.items() if outcome != "stored"}
    assert got == want
    failed, status = con.execute("select articles_failed, status from crawl_runs").fetchone()
    assert failed == len(want)
    assert status == "finished"  # failed URLs do not fail the run: `drmcrawl crawl` exits 0


def test_retry_after_is_honoured(fault_crawl):
    _, server, _ = fault_crawl
    first, second = server.requests_for("/" + SLUGS[2])[:2]
    assert second - first >= 0.9


def test_redirect_chain_is_followed_and_long_retry_after_is_not_waited_for(fault_crawl):
    _, server, result = fault_crawl
    assert [p for p, _ in server.log if "hop-" in p] == ["/hop-1", "/hop-2"]
    assert len(server.requests_for("/" + SLUGS[15])) == 2
    assert len(server.requests_for("/" + SLUGS[17])) == 1
    assert "Not waiting 100000s (Retry-After)" in result.stderr


def test_transient_errors_are_retried_with_exponential_backoff(fault_crawl):
    _, server, _ = fault_crawl
    first, second, third = server.requests_for("/" + SLUGS[0])
    # RETRY_BACKOFF_BASE 0.5: the first retry waits 0.5 s, the second 1 s.
    assert second - first >= 0.45
    assert third - second >= 0.95
    assert len(server.requests_for("/" + SLUGS[1])) == 3  # RETRY_TIMES=2: then given up and recorded


def test_outage_mid_crawl_then_a_later_run_picks_up_what_failed(tmp_path):
    db = tmp_path / "outage.sqlite"
    # Down once 5 article pages were served, however the crawl orders its requests.
    with FaultServer(SITE, outage_after=5, outage_counts=lambda path: path.strip("/") in SLUGS) as server:
        scrapy_crawl(server.url, db, RETRY_TIMES="0")
    con = sqlite3.connect(db)
    stored_first = con.execute("select count(*) from articles").fetchone()[0]
    failed_first = con.execute("select count(*) from failures").fetchone()[0]
    assert 0 < stored_first < len(SLUGS)
    assert failed_first > 0
    # Pages were fetched, so the run finished: the outage shows as failed URLs (exit 0).
    assert con.execute("select status, articles_failed from crawl_runs").fetchone() == ("finished", failed_first)
    with FaultServer(SITE) as server:
        scrapy_crawl(server.url, db)
    assert con.execute("select count(*) from articles").fetchone()[0] == len(SLUGS)


@pytest.mark.parametrize("retry_times, expected", [(1, 1.0), (2, 2.0), (3, 4.0), (6, 30.0)])
def test_backoff_doubles_and_is_capped(retry_times, expected):
    from drmcrawl.crawl.middlewares.retry import backoff_seconds

    assert backoff_seconds(retry_times, base=1.0, cap=30.0) == expected
