from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drmcrawl.demo.server import BUNDLED_SITE, FixtureServer

FIXTURES = Path(__file__).parent / "fixtures"
SITE = BUNDLED_SITE  # the DRM mirror shipped with the package (drmcrawl demo)
EXPECTED = FIXTURES / "expected"
LIVE = "https://digitalrightsmonitor.pk"


def expected_articles() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXPECTED.glob("*.json"))}


@pytest.fixture(scope="session")
def postgres_database():
    """A PostgreSQL database of this test session (tests/postgres.py); dropped at its end."""
    import pg_server as postgres

    url = postgres.create_session_database()
    yield url
    postgres.drop_database(url)


@pytest.fixture
def postgres_url(postgres_database) -> str:
    """A URL to a schema of its own in the session's PostgreSQL database; dropped afterwards."""
    import pg_server as postgres

    name, url = postgres.new_schema(postgres_database)
    yield url
    postgres.drop_schema(postgres_database, name)


@pytest.fixture
def frontier():
    """(Redis URL, a key prefix of this test's own, a client): the keys are deleted afterwards."""
    import redis_server

    connection = redis_server.client()
    prefix = redis_server.new_prefix()
    yield redis_server.server_url(), prefix, connection
    redis_server.delete_prefix(connection, prefix)
    connection.close()


@pytest.fixture(scope="session")
def site_server():
    with FixtureServer(SITE) as server:
        yield server


@pytest.fixture(scope="session")
def crawled_archive(tmp_path_factory, site_server) -> Path:
    """The fixture site crawled once per session by the real spider over HTTP into a real
    SQLite file. Read-only for tests: copy it first to write (analysis_support.copy_db)."""
    db = tmp_path_factory.mktemp("analysis") / "drmcrawl.sqlite"
    result = run_cli("crawl", "--base-url", site_server.url, "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    return db


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 180):
    """The installed CLI in a subprocess: a crawl gets its own Twisted reactor."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("DRMCRAWL_DB", None) if env is None or "DRMCRAWL_DB" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "drmcrawl", *args],
        capture_output=True, text=True, cwd=cwd, env=full_env, timeout=timeout,
    )


def collector_watch(module: str, run: str, prelude: str = "") -> str:
    """Python source for a subprocess: imports `module` (as `target`), notes the collector's
    state when its crawl's spider opens, runs `run`, then prints the number of frozen
    objects and the young generation's threshold."""
    return f"""
import gc, sys
{prelude}
from scrapy import signals
import {module} as target

seen = {{}}
create = target.CrawlerProcess.create_crawler

def create_crawler(self, *args, **kwargs):
    crawler = create(self, *args, **kwargs)
    def opened(spider):
        seen.update(frozen=gc.get_freeze_count(), young=gc.get_threshold()[0])
    crawler.signals.connect(opened, signals.spider_opened, weak=False)
    return crawler

target.CrawlerProcess.create_crawler = create_crawler
{run}
print(seen["frozen"], seen["young"])
"""
