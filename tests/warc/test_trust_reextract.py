"""Issue 19 item 15: `reextract` over a damaged WARC file records each unreadable record as
a `warc_unreadable` failure, counts it, and finishes its run; no traceback, no run left
"running"."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import run_cli


@pytest.fixture
def archive(crawled_archive, tmp_path) -> Path:
    """A writable copy of the crawled archive and its warc/ folder."""
    shutil.copytree(crawled_archive.parent, tmp_path / "data")
    return tmp_path / "data" / crawled_archive.name


def article_records(db: Path) -> list[tuple[str, int, int]]:
    """(WARC file, offset, length) of each archived article page, in file order."""
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "select f.warc_file, f.warc_offset, f.warc_length from fetches f "
            "join article_versions v on v.fetch_id = f.id order by f.warc_file, f.warc_offset").fetchall()
    finally:
        con.close()


def reextract_run(db: Path):
    con = sqlite3.connect(db)
    try:
        run = con.execute("select id, status, finish_reason, articles_failed, failed_by_reason from crawl_runs "
                          "where trigger = 'reextract'").fetchone()
        reasons = con.execute("select reason from failures where run_id = ?", (run[0],)).fetchall()
        return run, [r for (r,) in reasons]
    finally:
        con.close()


def test_a_damaged_record_is_a_counted_failure_and_the_run_finishes(archive):
    warc_file, offset, length = article_records(archive)[1]
    path = archive.parent / "warc" / warc_file
    data = bytearray(path.read_bytes())
    for i in range(offset + length // 3, offset + length // 3 + 200):  # garbage inside its gzip member
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    result = run_cli("reextract", "--db", str(archive))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "failed warc_unreadable 1" in result.stdout
    (_, status, reason, failed, by_reason), reasons = reextract_run(archive)
    assert (status, reason, failed) == ("finished", "finished", 1)
    assert json.loads(by_reason) == {"warc_unreadable": 1}
    assert reasons == ["warc_unreadable"]


def test_a_file_cut_short_fails_each_record_it_lost_not_as_a_page_without_article(archive):
    """A record cut in the middle reads back as a shorter body without any error from the
    WARC reader: it must be unreadable, not a page that is "not an article"."""
    records = article_records(archive)
    warc_file, offset, length = records[len(records) // 2]
    path = archive.parent / "warc" / warc_file
    with open(path, "r+b") as fh:
        fh.truncate(offset + length // 2)
    lost = sum(1 for f, o, _ in records if f == warc_file and o >= offset)
    result = run_cli("reextract", "--db", str(archive))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    (_, status, _, failed, by_reason), reasons = reextract_run(archive)
    assert status == "finished"
    assert json.loads(by_reason) == {"warc_unreadable": lost} and failed == lost
    assert set(reasons) == {"warc_unreadable"}


REEXTRACT_ON_A_FULL_DISK = """
import sqlite3, sys
from sqlalchemy import event
from sqlalchemy.pool import Pool

pages = sqlite3.connect(sys.argv[1]).execute("pragma page_count").fetchone()[0]

@event.listens_for(Pool, "connect")
def _disk_full(dbapi_connection, _record):  # SQLITE_FULL, as on a full disk, 3 pages on
    dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 3}")

from drmcrawl.cli import main
sys.argv = ["drmcrawl", "reextract", "--db", sys.argv[1]]
main()
"""


def test_a_run_stopped_by_a_full_disk_is_marked_failed_not_left_running(archive):
    import subprocess
    import sys

    con = sqlite3.connect(archive)  # every article changes: 21 new versions to store
    con.execute("update articles set title = 'stale', body = 'stale', content_hash = 'stale'")
    con.commit()
    con.close()
    result = subprocess.run([sys.executable, "-c", REEXTRACT_ON_A_FULL_DISK, str(archive)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: database error on")
    (_, status, reason, _, _), _ = reextract_run(archive)
    assert status == "failed" and "database or disk is full" in reason
