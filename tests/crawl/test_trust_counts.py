"""Issue 19 item 14 (the crawl's part): the counts of a crawl (its summary, its run row) are
those of the writes that were committed. A crawl into a database that fills up mid-crawl
loses the writes of its open transaction: they are not counted."""

from __future__ import annotations

import re
import sqlite3

import pytest
from processes import N_ARTICLES, finish, start_crawl

from drmcrawl.storage import Archive

DISK_FULL = """
from sqlalchemy import event
from sqlalchemy.pool import Pool

@event.listens_for(Pool, "connect")
def _disk_full(dbapi_connection, _record):  # SQLITE_FULL, as on a full disk
    dbapi_connection.execute("PRAGMA max_page_count = {pages}")
"""


def summary_counts(out: str) -> dict[str, int]:
    line = next(line for line in out.splitlines() if line.startswith("run "))
    return {name: int(re.search(rf"{name} (\d+)", line).group(1)) for name in ("new", "failed")}


@pytest.mark.parametrize("commit_every", ["0.5", "30"])
def test_a_crawl_into_a_database_that_fills_up_counts_only_what_it_committed(tmp_path, site_server, commit_every):
    db = tmp_path / "full.sqlite"
    Archive(db).close()
    empty_pages = sqlite3.connect(db).execute("pragma page_count").fetchone()[0]
    code, out, err = finish(start_crawl(site_server.url, db, "--commit-every", commit_every,
                                        python_prelude=DISK_FULL.format(pages=empty_pages + 40)))
    assert code == 1, out + err[-3000:]
    assert "database or disk is full" in err, err[-3000:]
    con = sqlite3.connect(db)
    stored = con.execute("select count(*) from articles").fetchone()[0]
    failures = con.execute("select count(*) from failures").fetchone()[0]
    fetches = con.execute("select count(*) from fetches").fetchone()[0]
    status, run_new, run_failed = con.execute("select status, articles_new, articles_failed from crawl_runs").fetchone()
    con.close()
    assert stored < N_ARTICLES, "the disk should fill up mid-crawl"
    counts = summary_counts(out)
    assert counts["new"] == stored, out
    assert counts["failed"] == failures, out
    archive_line = next(line for line in out.splitlines() if line.startswith("archive:"))
    assert f"WARC records {fetches} in" in archive_line, (archive_line, fetches)
    # The run row: finished as failed with the committed counts, or (when even that update
    # found no space) left "running" for the next crawl to recover like a killed one.
    assert (status, run_new, run_failed) in (("failed", stored, failures), ("running", 0, 0))
