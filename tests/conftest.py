from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drmcrawl.fixtureserver import FixtureServer

FIXTURES = Path(__file__).parent / "fixtures"
SITE = FIXTURES / "site"
EXPECTED = FIXTURES / "expected"
LIVE = "https://digitalrightsmonitor.pk"


def expected_articles() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXPECTED.glob("*.json"))}


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
