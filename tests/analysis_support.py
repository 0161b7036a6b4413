"""Shared by the analysis tests (the crawled archive itself is the `crawled_archive`
fixture in conftest): copies of it, the CLI through click's runner, and large synthetic
archives with the peak allocation of a call, for the exports' memory tests."""

from __future__ import annotations

import shutil
import sqlite3
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from drmcrawl.cli import main
from drmcrawl.storage import Archive


def copy_db(db: Path, directory: Path, name: str = "drmcrawl.sqlite") -> Path:
    target = directory / name
    shutil.copy(db, target)
    return target


def cli(*args: str, expect: int = 0):
    """Run `drmcrawl ARGS` in-process; stdout and stderr separately."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr)
    return result


def big_archive(db: Path, bodies: list[str]) -> Archive:
    """An archive of one minimal article per body, written straight into SQLite."""
    Archive(db).close()
    con = sqlite3.connect(db)
    con.executemany(
        "insert into articles(site, url_key, url, title, body, published_utc, content_hash, first_seen, last_seen) "
        "values ('drm', ?, ?, ?, ?, ?, 'h', '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
        ((f"/a{i}", f"http://x/a{i}", f"Title {i}", body, f"2024-01-{1 + i % 28:02d} 00:00:00")
         for i, body in enumerate(bodies)))
    con.commit()
    con.close()
    return Archive(db)


def peak_allocation(call: Callable[[], object]) -> tuple[object, int]:
    """`call()`'s result and the peak of Python allocations while it ran (bytes)."""
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak
