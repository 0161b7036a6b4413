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
