"""The archive's parts on their own: WARC writer (rotation, revisits, offsets), revisit
policy, content versions, schema upgrade, and resuming a killed run."""

from __future__ import annotations

import gzip
import io
import json
import random
import sqlite3
import subprocess
import sys
import zlib
from datetime import datetime, timedelta

import pytest
from conftest import SITE, expected_articles, run_cli
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeadersParser
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from drmcrawl.crawl.plan import Plan
from drmcrawl.crawl.revisit import fetch_reason, parse_policy
from drmcrawl.model import Article as ArticleData
from drmcrawl.model import Known
from drmcrawl.storage import Archive
from drmcrawl.versions import content_digest, diff
from drmcrawl.warc.records import (
    Exchange,
    Original,
    WarcWriter,
    _request_headers,
    _response_headers,
    build_response_pair,
    compressor,
    payload_digest,
    read_record,
    warc_date,
)

NOW = datetime(2026, 12, 1, 12, 0)


def exchange(url: str, body: bytes, status: int = 200) -> Exchange:
    return Exchange(url, status, [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")], body, NOW,
                    request_headers=[("User-Agent", "test")])


def test_writer_rotates_by_size_and_every_file_starts_with_warcinfo(tmp_path):
    writer = WarcWriter(tmp_path, "t", {"drmcrawl-settings": "{}"}, max_size=2000)
    bodies = [random.Random(i).randbytes(3000) for i in range(3)]  # incompressible: files really grow
    written = [writer.write_response(exchange(f"http://h/{i}", body)) for i, body in enumerate(bodies)]
    writer.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) == 3 and len({w.file for w in written}) == 3
    for path, w, body in zip(files, written, bodies, strict=True):
        with path.open("rb") as fh:
            types = [r.rec_type for r in ArchiveIterator(fh)]
        assert types == ["warcinfo", "response", "request"]
        back = read_record(path, w.offset)
        assert back.status == 200 and back.body == body
        assert ("X-Archive-Orig-Transfer-Encoding", "chunked") in back.headers  # de-chunked body, header kept


def test_each_record_is_its_own_gzip_member_at_the_configured_level(tmp_path):
    # A real page's markup: each level compresses it differently (on text of six repeated
    # words ISA-L 1 beat ISA-L 3).
    body = (SITE / "drm-weekly-review-10" / "index.html").read_bytes()
    sizes = {}
    for level in (1, 3, 4, 9):  # ISA-L, ISA-L, zlib, zlib
        writer = WarcWriter(tmp_path / str(level), "t", {}, gzip_level=level)
        written = [writer.write_response(exchange(f"http://h/{i}", body)) for i in range(2)]
        writer.close()
        path = tmp_path / str(level) / written[0].file
        raw = path.read_bytes()
        for w in written:  # a record's (offset, length) is one whole gzip member
            member = gzip.decompress(raw[w.offset:w.offset + w.length])
            assert member.startswith(b"WARC/1.0") and body in member
            assert read_record(path, w.offset).body == body
        with path.open("rb") as fh:
            records = list(ArchiveIterator(fh, check_digests="raise"))  # digests written are right
        assert [r.rec_type for r in records] == ["warcinfo", "response", "request", "response", "request"]
        sizes[level] = len(raw)
    assert sizes[1] > sizes[3] > sizes[4] > sizes[9]  # the level really reaches the compressor
    assert type(compressor(3)).__module__.startswith("isal") and type(compressor(4)).__module__ == "zlib"


def test_revisit_records_point_at_the_original(tmp_path):
    writer = WarcWriter(tmp_path, "t", {})
    first = writer.write_response(exchange("http://h/a", b"<html>same</html>"))
    original = Original("http://h/a", NOW - timedelta(days=1), first.record_id, first.digest)
    again = writer.write_revisit(exchange("http://h/a", b"<html>same</html>"), original)
    not_modified = writer.write_revisit(exchange("http://h/a", b"", status=304), original)
    writer.close()
    path = tmp_path / first.file
    with path.open("rb") as fh:
        fh.seek(again.offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_type == "revisit" and record.content_stream().read() == b""
        assert record.rec_headers.get_header("WARC-Refers-To") == first.record_id
        assert record.rec_headers.get_header("WARC-Profile").endswith("identical-payload-digest")
        fh.seek(not_modified.offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_headers.get_header("WARC-Profile").endswith("server-not-modified")
        assert record.rec_headers.get_header("WARC-Payload-Digest") == first.digest


def _warcio_bytes(record) -> bytes:
    out = io.BytesIO()
    WARCWriter(out, gzip=False).write_record(record)
    return out.getvalue()


def _warcio_pair(answer: Exchange) -> list[bytes]:
    """The records of `answer` as warcio's own writer makes them."""
    builder, date = WARCWriter(None), warc_date(answer.fetched_at)
    response = builder.create_warc_record(
        answer.url, "response", payload=io.BytesIO(answer.body), length=len(answer.body),
        http_headers=_response_headers(answer),
        warc_headers_dict={"WARC-Date": date, "WARC-Payload-Digest": payload_digest(answer.body)})
    request = builder.create_warc_record(
        answer.url, "request", payload=io.BytesIO(answer.request_body), length=len(answer.request_body),
        http_headers=_request_headers(answer),
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": FIXED_ID,
                           "WARC-Payload-Digest": payload_digest(answer.request_body)})
    return [_warcio_bytes(response), _warcio_bytes(request)]


def _members(data: bytes) -> list[bytes]:
    members = []
    while data:
        reader = zlib.decompressobj(zlib.MAX_WBITS + 16)
        members.append(reader.decompress(data))
        data = reader.unused_data
    return members


FIXED_ID = "<urn:uuid:fixed>"


@pytest.mark.parametrize("case", ["response", "non-ascii header", "empty body", "request with body"])
def test_records_are_serialised_byte_for_byte_as_warcio_writes_them(case, monkeypatch):
    monkeypatch.setattr(StatusAndHeadersParser, "make_warc_id", staticmethod(lambda: FIXED_ID))
    answer = exchange("http://h/a?q=1", random.Random(3).randbytes(70_000))  # several of warcio's 16 KB reads
    if case == "non-ascii header":  # warcio percent-encodes such values (RFC 8187)
        answer.response_headers.append(("Content-Disposition", "inline; filename=\"d\u00e9j\u00e0.html\""))
    if case == "empty body":
        answer.body = b""
    if case == "request with body":
        answer.method, answer.request_body = "POST", b"a=1&b=2"
    expected = _warcio_pair(answer)
    assert _members(build_response_pair(answer, None, 2).data) == expected
    assert all(b"WARC-Block-Digest: sha1:" in record for record in expected)


@pytest.mark.parametrize("status", [200, 304])
def test_revisit_records_are_serialised_byte_for_byte_as_warcio_writes_them(status, tmp_path, monkeypatch):
    monkeypatch.setattr(StatusAndHeadersParser, "make_warc_id", staticmethod(lambda: FIXED_ID))
    answer = exchange("http://h/a", b"<html>same</html>" if status == 200 else b"", status=status)
    original = Original("http://h/a", NOW - timedelta(days=1), "<urn:uuid:first>", "sha1:ABC")
    writer = WarcWriter(tmp_path, "t", {})
    written = writer.write_revisit(answer, original)
    writer.close()
    ours = _members((tmp_path / written.file).read_bytes()[written.offset:])
    revisit = WARCWriter(None).create_revisit_record(
        answer.url, original.digest, original.url, warc_date(original.fetched_at),
        http_headers=_response_headers(answer),
        warc_headers_dict={"WARC-Date": warc_date(answer.fetched_at), "WARC-Refers-To": original.record_id})
    profile = "server-not-modified" if status == 304 else "identical-payload-digest"
    revisit.rec_headers.replace_header("WARC-Profile", f"http://netpreserve.org/warc/1.0/revisit/{profile}")
    assert ours == [_warcio_bytes(revisit), _warcio_pair(answer)[1]]


def test_digests_are_warcios():
    for n in range(200):
        data = random.Random(n).randbytes(n * 37)
        digester = Digester("sha1")
        digester.update(data)
        assert payload_digest(data[:n], data[n:]) == str(digester)


def test_a_built_pair_reads_back_with_its_digests_checked(tmp_path):
    body = random.Random(5).randbytes(50_000)
    built = build_response_pair(exchange("http://h/a", body), None, 2)
    records = [(r.rec_type, r.rec_headers, r.content_stream().read())
               for r in ArchiveIterator(io.BytesIO(built.data), check_digests="raise")]
    assert [(kind, payload) for kind, _, payload in records] == [("response", body), ("request", b"")]
    assert records[1][1].get_header("WARC-Concurrent-To") == built.record_id
    assert gzip.decompress(built.data[:built.response_length]).startswith(b"WARC/1.0")  # one member each


def test_policy_parsing_and_reasons():
    tiers = parse_policy("30:1, 7:0.25, *:30")
    assert [t.every for t in tiers] == [timedelta(hours=6), timedelta(days=1), timedelta(days=30)]
    with pytest.raises(ValueError, match="bad revisit policy part 'x'"):
        parse_policy("7:1,x")
    young = Known("u", NOW - timedelta(days=2), NOW - timedelta(days=2), NOW - timedelta(hours=7), NOW - timedelta(days=2))
    old = Known("u", NOW - timedelta(days=900), NOW - timedelta(days=900), NOW - timedelta(days=3), NOW - timedelta(days=900))
    assert fetch_reason(None, None, NOW, tiers) == "new"
    assert fetch_reason(young, None, NOW, tiers) == "due"  # 7 h since the check, every 6 h
    assert fetch_reason(old, None, NOW, tiers) is None  # 3 days since the check, every 30 days
    assert fetch_reason(old, NOW - timedelta(days=1), NOW, tiers) == "lastmod"
    assert fetch_reason(old, NOW - timedelta(days=901), NOW, tiers) is None  # lastmod not newer
    assert fetch_reason(old, None, NOW, tiers, full=True) == "full"
    assert fetch_reason(old, None, NOW, tiers, full=True, checked_since=NOW - timedelta(days=4)) is None


def test_plan_requests_each_article_once_and_sends_validators():
    known = {"/old": Known("http://m:1/old/", None, NOW - timedelta(days=900), NOW - timedelta(days=1), None,
                           etag='"abc"', last_modified="Tue, 01 Dec 2026 10:00:00 GMT")}
    plan = Plan(known, NOW, "*:30")
    assert plan.claim_due() == []
    assert plan.decide("http://x/old", None) is None
    assert plan.decide("http://x/old", "2026-11-30T00:00:00+00:00") == "lastmod"
    assert plan.decide("http://x/old/", "2026-11-30T00:00:00+00:00") is None  # already requested
    assert plan.decide("http://x/new") == "new" and plan.skipped == 0
    assert plan.validators("http://x/old") == {"If-None-Match": '"abc"',
                                               "If-Modified-Since": "Tue, 01 Dec 2026 10:00:00 GMT"}
    assert plan.validators("http://x/new") == {}
    assert Plan(known, NOW, "*:0").claim_due() == ["/old/"]


def test_versions_ignore_whitespace_and_diff_is_readable():
    a = {"title": "T", "authors": ["A"], "body": "One  paragraph.\n\nTwo."}
    b = {"title": "T", "authors": ["A"], "body": "One paragraph. \n\n\n\nTwo."}
    c = {"title": "T", "authors": ["A"], "body": "One paragraph.\n\nTwo, edited."}
    assert content_digest(a) == content_digest(b) != content_digest(c)
    lines = diff(a, c, "v1", "v2")
    assert "-Two." in lines and "+Two, edited." in lines
    assert diff(a, b, "v1", "v2") == []


def make_article(**changes) -> ArticleData:
    values = dict(url="https://digitalrightsmonitor.pk/x", canonical_url="https://digitalrightsmonitor.pk/x",
                  post_id=7, site="drm", title="Title", body="Body text.", authors=["A"])
    values.update(changes)
    return ArticleData(**values)


def test_save_article_keeps_versions_and_schema_1_archives_are_upgraded(tmp_path):
    db = tmp_path / "a.sqlite"
    archive = Archive(db)
    assert archive.save_article(make_article(), extractor_version="e1") == "new"
    assert archive.save_article(make_article(body="Body  text.")) == "unchanged"
    assert archive.save_article(make_article(body="Body text, edited.")) == "updated"
    history = archive.history("https://digitalrightsmonitor.pk/x")
    assert [v.version for v in history.versions] == [1, 2] and history.versions[0].extractor_version == "e1"
    archive.close()
    # Make it look like a schema 1 archive: no versions, no schema 2 columns, and (made
    # before migrations) no alembic_version.
    con = sqlite3.connect(db)
    con.execute("drop table alembic_version")
    con.execute("delete from article_versions")
    for column in ("version_count", "removed_at", "extractor_version"):
        con.execute(f"alter table articles drop column {column}")
    con.execute("update articles set content_hash = 'schema-1-hash'")
    con.commit()
    con.close()
    archive = Archive(db)
    history = archive.history("https://digitalrightsmonitor.pk/x")
    assert [v.version for v in history.versions] == [1] and history.removed_at is None
    assert archive.save_article(make_article(body="Body text, edited.")) == "unchanged"
    archive.close()


def test_a_killed_run_is_resumed_without_refetching_or_duplicates(site_server, tmp_path):
    db = tmp_path / "resume.sqlite"
    first = run_cli("crawl", "--base-url", site_server.url, "--db", str(db), "--max-articles", "5")
    assert first.returncode == 0, first.stderr[-2000:]
    # As if killed -9 mid-crawl: the row still says running, its process is gone.
    con = sqlite3.connect(db)
    settings = json.loads(con.execute("select settings from crawl_runs where id = 1").fetchone()[0])
    settings["pid"] = 2**22 + 12345  # above the default pid_max: no such process
    con.execute("update crawl_runs set status = 'running', articles_new = 0, settings = ? where id = 1",
                (json.dumps(settings),))
    con.commit()
    [warc] = (tmp_path / "warc").glob("*.warc.gz")
    intact = warc.stat().st_size
    with warc.open("ab") as fh:  # the kill tore the record being written
        fh.write(gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\n" + b"x" * 5000)[:700])
    second = run_cli("crawl", "--base-url", site_server.url, "--db", str(db), "--full")
    assert second.returncode == 0, second.stderr[-2000:]
    n = len(expected_articles())
    rows = con.execute("select id, status, finish_reason, resumed_from, articles_new from crawl_runs").fetchall()
    assert rows == [(1, "interrupted", "killed", None, 5), (2, "finished", "finished", 1, n - 5)]
    assert con.execute("select count(*), count(distinct post_id) from articles").fetchone() == (n, n)
    refetched = con.execute("select count(*) from fetches f join articles a on f.page_key = a.url_key "
                            "where f.run_id = 2 and a.first_run_id = 1").fetchone()[0]
    assert refetched == 0  # --full, yet what the killed run checked is done
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert warc.stat().st_size == intact  # the torn tail is cut off, every indexed record kept
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *map(str, files)], capture_output=True)
    assert len(files) == 2 and check.returncode == 0, check.stdout


def test_repair_touches_only_the_killed_runs_files_of_this_database(tmp_path):
    from drmcrawl.warc.records import file_prefix, repair_killed

    mine = file_prefix(str(tmp_path / "news.sqlite"), "drm", 1)
    other = file_prefix(str(tmp_path / "demo.sqlite"), "drm", 1)
    assert (mine, other) == ("news-drm-run1", "demo-drm-run1")
    for prefix in (mine, other, file_prefix(str(tmp_path / "news.sqlite"), "drm", 2)):
        (tmp_path / f"{prefix}-20261201000000-00001.warc.gz").write_bytes(b"x" * 100)
    changed = repair_killed(tmp_path, [mine], {f"{mine}-20261201000000-00001.warc.gz": 60})
    assert changed == [f"{mine}-20261201000000-00001.warc.gz"]
    sizes = sorted(p.stat().st_size for p in tmp_path.glob("*.warc.gz"))
    assert sizes == [60, 100, 100]


def test_records_built_in_a_worker_are_the_records_written_here(tmp_path):
    """The middleware has extraction workers build large pages' records; appended by the
    writer they read back, digests checked, exactly like the ones it builds itself."""
    import asyncio

    from drmcrawl.crawl.workers import Extractor
    from drmcrawl.warc.records import build_response_pair

    body = b"<html>" + random.Random(3).randbytes(40_000) + b"</html>"
    workers = Extractor(1)
    try:
        built = asyncio.run(workers.run("http://h/a", build_response_pair, exchange("http://h/a", body), None, 4))
    finally:
        workers.close()
    writer = WarcWriter(tmp_path, "t", {})
    here = writer.write_response(exchange("http://h/b", body))
    there = writer.write_built(built)
    writer.close()
    path = tmp_path / here.file
    raw = path.read_bytes()
    assert there.offset == here.end and there.end == len(raw)
    assert there.digest == here.digest and there.record_id != here.record_id
    assert gzip.decompress(raw[there.offset:there.offset + there.length]).startswith(b"WARC/1.0")
    assert read_record(path, there.offset).body == body
    with path.open("rb") as fh:
        records = list(ArchiveIterator(fh, check_digests="raise"))
    assert [r.rec_type for r in records] == ["warcinfo", "response", "request", "response", "request"]
    assert records[4].rec_headers.get_header("WARC-Concurrent-To") == there.record_id
