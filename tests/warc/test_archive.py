"""The trustworthy archive, end to end: the fixture site in two states, crawled twice over
real HTTP (gzip, ETag, Last-Modified, conditional GET), then a third time incrementally,
then re-extracted from WARC alone with no server running.

After state: one article edited (and its sitemap lastmod bumped), one deleted (404), one
redirected to the home page (301), one added, one re-served unchanged (file rewritten: newer Last-Modified, same ETag)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import LIVE, SITE, expected_articles, run_cli
from warcio.archiveiterator import ArchiveIterator

from drmcrawl.cli import main
from drmcrawl.demo.server import FixtureServer
from drmcrawl.storage import Archive
from drmcrawl.warc.records import read_record

EDITED = "afghan-refugees-sim-blocking-pakistan-2025"
EDIT = ("Authorities in Pakistan have begun blocking", "Authorities in Pakistan have now begun blocking")
DELETED = "fia-told-to-stop-misuse-of-cybercrimes-law"
REDIRECTED = "pakistan-telecom-regulator-confirms-whitelisting-vpns"  # now 301 to the home page
RESERVED = "drm-weekly-review-10"
ADDED_FROM, ADDED_ID_FROM = "islamabad-high-court-reserves-decision-on-petitions-challenging-peca-amendment-ordinance", "10012"
ADDED, ADDED_ID = "ihc-petitions-follow-up-added-later", "99012"
N = len(expected_articles())


def make_after_state(root: Path) -> Path:
    shutil.copytree(SITE, root)  # copy2: unchanged files keep their mtime (Last-Modified)
    page = root / EDITED / "index.html"
    html = page.read_text(encoding="utf-8")
    assert EDIT[0] in html
    page.write_text(html.replace(*EDIT), encoding="utf-8")
    shutil.rmtree(root / DELETED)
    shutil.rmtree(root / REDIRECTED)
    redirects = json.loads((root / "_redirects.json").read_text())
    (root / "_redirects.json").write_text(json.dumps({**redirects, f"/{REDIRECTED}": "/"}))
    reserved = root / RESERVED / "index.html"
    reserved.write_bytes(reserved.read_bytes())  # same bytes, new mtime
    os.utime(reserved)
    added = root / ADDED
    added.mkdir()
    source = (root / ADDED_FROM / "index.html").read_text(encoding="utf-8")
    (added / "index.html").write_text(source.replace(ADDED_FROM, ADDED).replace(ADDED_ID_FROM, ADDED_ID),
                                      encoding="utf-8")
    bump_lastmod(root, EDITED, "2026-11-30T10:00:00+00:00")  # the edit shows in the sitemap, as Yoast does
    first = root / "post-sitemap.xml"
    text = first.read_text(encoding="utf-8")
    entry = f"<url>\n\t\t<loc>{LIVE}/{ADDED}</loc>\n\t\t<lastmod>2026-11-30T12:00:00+00:00</lastmod>\n\t</url>\n\t"
    at = text.index("<url>")
    first.write_text(text[:at] + entry + text[at:], encoding="utf-8")
    return root


def cli(*args: str):
    """Commands that do not crawl run in-process (no reactor involved): fast."""
    return CliRunner().invoke(main, list(args))


def bump_lastmod(root: Path, slug: str, lastmod: str) -> None:
    for sitemap in root.glob("post-sitemap*.xml"):
        text = sitemap.read_text(encoding="utf-8")
        start = text.find(f"<loc>{LIVE}/{slug}</loc>")
        if start >= 0:
            end = text.index("</lastmod>", start)
            lastmod_at = text.index("<lastmod>", start) + len("<lastmod>")
            sitemap.write_text(text[:lastmod_at] + lastmod + text[end:], encoding="utf-8")


def crawl(base_url: str, db: Path, *extra: str):
    result = run_cli("crawl", "--base-url", base_url, "--db", str(db), *extra)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result


@pytest.fixture(scope="session")
def crawls(tmp_path_factory):
    """Three crawls into one database; every fixture server is stopped before the tests."""
    base = tmp_path_factory.mktemp("archive")
    db = base / "data" / "drm.sqlite"
    after = make_after_state(base / "after-site")
    with FixtureServer(SITE, compress=True) as before_server:
        first = crawl(before_server.url, db, "--trigger", "cron")
    snapshot = {r["post_id"]: r for r in _records(db)}
    with FixtureServer(after, compress=True) as after_server:
        second = crawl(after_server.url, db, "--revisit", "*:0")  # every known article due
        bump_lastmod(after, RESERVED, "2026-12-01T00:00:00+00:00")  # newer lastmod, same page
        third = crawl(after_server.url, db)  # default policy: only the newer lastmod is fetched
    return {"db": db, "warc": db.parent / "warc", "outputs": (first, second, third), "before": snapshot}


def _records(db: Path) -> list[dict]:
    archive = Archive(db)
    try:
        return list(archive.iter_records())
    finally:
        archive.close()


def _runs(db: Path) -> list[sqlite3.Row]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    return con.execute("select * from crawl_runs order by id").fetchall()


def _article(db: Path, slug: str) -> sqlite3.Row:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    return con.execute("select * from articles where url_key = ?", (f"/{slug}",)).fetchone()


def _fetches(db: Path, where: str = "1", *params) -> list[sqlite3.Row]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    return con.execute(f"select * from fetches where {where} order by id", params).fetchall()


# -- the raw archive -----------------------------------------------------------------
def test_every_warc_record_reads_back_and_warcio_check_passes(crawls):
    files = sorted(crawls["warc"].glob("*.warc.gz"))
    assert len(files) == 3  # one per run (far below the rotation size)
    for path in files:
        with path.open("rb") as fh:
            records = []
            for record in ArchiveIterator(fh):
                records.append(record)
                if record.rec_type == "warcinfo":
                    info = record.content_stream().read().decode()
        assert records[0].rec_type == "warcinfo"
        assert "software: drmcrawl/" in info and "warcio/" in info and "drmcrawl-settings:" in info
        assert '"ROBOTSTXT_OBEY": true' in info
        types = [r.rec_type for r in records[1:]]
        assert types.count("request") == len(types) // 2 and set(types) <= {"request", "response", "revisit"}
        for record in records[1:]:
            assert record.rec_headers.get_header("WARC-Date")
            assert record.rec_headers.get_header("WARC-Target-URI").startswith("http://127.0.0.1:")
            if record.rec_type != "request":
                assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *map(str, files)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_fetch_index_offsets_read_the_right_record(crawls):
    rows = _fetches(crawls["db"])
    assert {r["kind"] for r in rows} == {"article", "navigation", "robots"}
    for row in rows:
        with (crawls["warc"] / row["warc_file"]).open("rb") as fh:
            fh.seek(row["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
        assert record.rec_headers.get_header("WARC-Record-ID") == row["record_id"]
        assert record.rec_headers.get_header("WARC-Target-URI") == row["final_url"]
        assert record.rec_type == row["record_type"]
        assert int(record.http_headers.get_statuscode()) == row["status"]
        assert row["warc_offset"] + row["warc_length"] <= row["warc_end"]


def test_payload_is_stored_as_sent_gzip_with_its_header(crawls):
    row = _fetches(crawls["db"], "kind = 'article' and status = 200 and record_type = 'response'")[0]
    with (crawls["warc"] / row["warc_file"]).open("rb") as fh:
        fh.seek(row["warc_offset"])
        record = next(iter(ArchiveIterator(fh)))
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        raw = record.raw_stream.read()
    assert raw[:2] == b"\x1f\x8b"  # the bytes the server sent, not Scrapy's decoded body
    decoded = read_record(crawls["warc"] / row["warc_file"], row["warc_offset"]).body
    assert b"<html" in decoded[:2000].lower()
    assert row["etag"] and row["last_modified"] and row["content_type"].startswith("text/html")


def test_unchanged_payloads_are_revisit_records(crawls):
    db = crawls["db"]
    second_run = _runs(db)[1]["id"]
    not_modified = _fetches(db, "run_id = ? and status = 304", second_run)
    assert len(not_modified) == N - 3  # all but the edited, the deleted and the redirected article
    assert all(r["record_type"] == "revisit" and r["refers_to"] for r in not_modified)
    identical = _fetches(db, "run_id = ? and status = 200 and record_type = 'revisit'", second_run)
    assert {r["kind"] for r in identical} >= {"navigation", "robots"}  # unchanged pages, no conditional GET
    with (crawls["warc"] / not_modified[0]["warc_file"]).open("rb") as fh:
        fh.seek(not_modified[0]["warc_offset"])
        record = next(iter(ArchiveIterator(fh)))
    assert record.rec_headers.get_header("WARC-Profile").endswith("/revisit/server-not-modified")
    original = _fetches(db, "id = ?", not_modified[0]["refers_to"])[0]
    assert record.rec_headers.get_header("WARC-Refers-To") == original["record_id"]
    assert record.rec_headers.get_header("WARC-Payload-Digest") == original["digest"]
    reserved = _fetches(db, "run_id = ? and final_url like ?", second_run, f"%/{RESERVED}")
    assert [r["status"] for r in reserved] == [304]  # newer Last-Modified, same ETag: If-None-Match wins


# -- history and deletions -----------------------------------------------------------
def test_second_run_counts(crawls):
    first, second, third = _runs(crawls["db"])
    assert (first["trigger"], second["trigger"]) == ("cron", "manual")
    assert (second["articles_new"], second["articles_updated"], second["articles_removed"]) == (1, 1, 2)
    assert second["articles_unchanged"] == second["not_modified"] == N - 3
    assert second["articles_failed"] == 0 and second["status"] == "finished"
    assert second["discovered"] == N + 1 and second["skipped"] == 0  # the deleted one is still linked
    assert second["duration_s"] > 0 and second["robots_blocked"] == 0
    assert (third["articles_new"], third["articles_updated"], third["not_modified"]) == (0, 0, 1)
    assert third["discovered"] == N + 1 and third["skipped"] == N  # incremental: not due, lastmod not newer
    third_articles = _fetches(crawls["db"], "run_id = ? and kind = 'article'", third["id"])
    assert [(r["final_url"].rsplit("/", 1)[1], r["status"]) for r in third_articles] == [(RESERVED, 304)]
    assert f"removed 2, not modified (304) {N - 3};" in crawls["outputs"][1].stdout


def test_edit_is_a_new_version_and_unchanged_is_not(crawls):
    db = crawls["db"]
    edited, reserved = _article(db, EDITED), _article(db, RESERVED)
    assert edited["version_count"] == 2 and reserved["version_count"] == 1
    assert reserved["last_seen"] > reserved["first_seen"] and reserved["last_checked"] >= reserved["last_seen"]
    assert edited["extractor_version"] and edited["extractor_version"].startswith("0.")
    result = cli("history", f"{LIVE}/{EDITED}", "--db", str(db))
    assert result.exit_code == 0, result.stderr
    assert "v1 " in result.stdout and "v2 " in result.stdout
    v2 = next(line for line in result.stdout.splitlines() if line.strip().startswith("v2 "))
    file, offset = v2.rsplit("warc ", 1)[1].split("@")
    assert EDIT[1].encode() in read_record(crawls["warc"] / file, int(offset)).body
    diff = cli("history", f"{LIVE}/{EDITED}", "--db", str(db), "--diff", "1", "2")
    assert diff.exit_code == 0, diff.stderr
    minus = [line for line in diff.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]
    plus = [line for line in diff.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert len(minus) == len(plus) == 1 and EDIT[0] in minus[0] and EDIT[1] in plus[0]
    as_json = json.loads(cli("history", f"{LIVE}/{EDITED}", "--db", str(db), "--json").stdout)
    assert [v["version"] for v in as_json["versions"]] == [1, 2]
    assert EDIT[1] in as_json["versions"][1]["record"]["body"] and EDIT[1] not in as_json["versions"][0]["record"]["body"]
    same = cli("history", f"{LIVE}/{EDITED}", "--db", str(db), "--diff", "1", "3")
    assert same.exit_code == 1 and "no version 3" in same.stderr


def test_deleted_or_redirected_article_is_marked_removed_not_deleted(crawls):
    db = crawls["db"]
    gone = _article(db, DELETED)
    assert gone is not None and gone["removed_status"] == 404 and gone["removed_at"] is not None
    assert gone["title"] == crawls["before"][gone["post_id"]]["title"]
    result = cli("history", f"{LIVE}/{DELETED}", "--db", str(db))
    assert "REMOVED" in result.stdout and "HTTP 404" in result.stdout
    moved = _article(db, REDIRECTED)
    assert moved["removed_status"] == 301 and moved["removed_at"] is not None
    assert not sqlite3.connect(db).execute("select count(*) from failures").fetchone()[0]


def test_new_article_is_stored_once(crawls):
    records = {r["post_id"]: r for r in _records(crawls["db"])}
    assert len(records) == N + 1 and int(ADDED_ID) in records
    assert records[int(ADDED_ID)]["url"].endswith(f"/{ADDED}")


def test_runs_command_lists_every_run(crawls):
    result = cli("runs", "--db", str(crawls["db"]))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["#3", "#2", "#1"]
    as_json = json.loads(cli("runs", "--db", str(crawls["db"]), "--json").stdout)
    assert [r["id"] for r in as_json] == [3, 2, 1] and as_json[1]["counts"]["articles_removed"] == 2
    assert "cron" in lines[2] and f"unchanged {N - 3} (304 {N - 3})" in lines[1] and "removed 2" in lines[1]


# -- re-extraction from WARC alone (no server is running now) ---------------------------
@pytest.fixture
def archive_copy(crawls, tmp_path):
    shutil.copytree(crawls["db"].parent, tmp_path / "data")
    return tmp_path / "data" / crawls["db"].name


def test_reextract_reproduces_records_from_warc(archive_copy, crawls):
    before = _records(archive_copy)
    unchanged = cli("reextract", "--db", str(archive_copy))
    assert unchanged.exit_code == 0, unchanged.stderr
    assert "changed 0 " in unchanged.stdout and "failed 0" in unchanged.stdout
    con = sqlite3.connect(archive_copy)
    con.execute("update articles set title = 'stale', body = 'stale', content_hash = 'stale'")
    con.commit()
    con.close()
    redone = cli("reextract", "--db", str(archive_copy), "--site", "drm")
    assert redone.exit_code == 0, redone.stderr
    assert f"changed {N + 1} " in redone.stdout  # every article, the removed one included
    assert _records(archive_copy) == before
    assert _article(archive_copy, DELETED)["removed_status"] == 404  # a re-read is not a sighting
    assert _article(archive_copy, REDIRECTED)["removed_status"] == 301
    assert _article(archive_copy, EDITED)["version_count"] == 3


def test_reextract_since_limits_the_responses(archive_copy):
    result = cli("reextract", "--db", str(archive_copy), "--since", "2999-01-01")
    assert result.exit_code == 0 and "re-extracted 0 archived responses" in result.stdout
    bad = cli("reextract", "--db", str(archive_copy), "--since", "yesterday")
    assert bad.exit_code == 2 and "--since" in bad.stderr
