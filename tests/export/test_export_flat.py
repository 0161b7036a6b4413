"""The one-query CSV export (`write_archive_csv` over `iter_flat_rows`) against the record
path it replaces (`write_csv` over `iter_records`, csv.writer): the same bytes for the
crawled fixture archive after edits that reach every cell rule (term order that is not
insertion order, formula-like cells, quotes and line breaks, empty lists and slugs, time
offsets, microseconds, missing values, `sources` in any stored form), with and without
filters; plus `csv_field` against csv.writer on arbitrary text."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

import pytest
from analysis_support import big_archive, cli, copy_db, peak_allocation
from hypothesis import given
from hypothesis import strategies as st

from drmcrawl.export.files import csv_cell, csv_field, write_archive_csv, write_csv, write_flat_csv
from drmcrawl.model import EXPORT_FIELDS
from drmcrawl.storage import Archive, query
from drmcrawl.storage.query import Filters, iter_flat_rows, iter_records

URDU = 12265  # post id of the fixture site's Urdu article
HOSTILE_TITLE = '=HYPERLINK("http://evil.example","click")'
HOSTILE_BODY = 'He said "no",\r\nthen left'
FIRST_AUTHOR = "+cmd|' /C calc'!A0"


def _edit(db: Path) -> None:
    con = sqlite3.connect(db)
    ids = dict(con.execute("select post_id, id from articles"))
    run = con.execute
    # A page order that is not id order (the order an index lookup of the links gives).
    run("update article_tags set position = -tag_id")
    run("update article_categories set position = -category_id")
    run("insert into authors(site, name) values ('drm', ?)", (FIRST_AUTHOR,))
    run("insert into article_authors(article_id, author_id, position) values (?, last_insert_rowid(), -1)",
        (ids[11937],))
    run("update tags set slug = '' where slug = 'fia'")
    run("delete from article_tags where article_id = ?", (ids[11420],))
    run("delete from article_categories where article_id = ?", (ids[11420],))
    run("update articles set title = ?, description = '@SUM(A1)', image_caption = '\tcaption', body = ?, "
        "url = url || '?a=1,b=2' where post_id = 11241", (HOSTILE_TITLE, HOSTILE_BODY))
    run("update articles set published_utc = '2025-02-17 19:30:00.250000', published_offset = -270, "
        "modified_offset = NULL where post_id = 12380")
    run("update articles set published_offset = 0, modified_utc = '2025-04-25 23:59:59.999999', "
        "modified_offset = 345 where post_id = 12610")
    run("update articles set published_utc = NULL, published_offset = NULL, post_id = NULL, word_count = NULL "
        "where post_id = 11929")
    run("update articles set sources = ? where post_id = 11774", (json.dumps({"z": "ü", "a": "jsonld.x"}),))
    run("update articles set sources = NULL where post_id = 9345")
    run("update articles set sources = 'null' where post_id = 9870")
    run("update articles set sources = '{}' where post_id = 10688")
    con.commit()
    con.close()


@pytest.fixture(scope="module")
def varied(crawled_archive, tmp_path_factory) -> Path:
    db = copy_db(crawled_archive, tmp_path_factory.mktemp("flat"))
    _edit(db)
    return db


NO_FILTERS = Filters()


def record_path_csv(db: Path, filters: Filters = NO_FILTERS, excel: bool = False) -> str:
    out = io.StringIO(newline="")
    write_csv(iter_records(Archive(db), filters), out, excel=excel)
    return out.getvalue()


def flat_path_csv(db: Path, filters: Filters = NO_FILTERS, excel: bool = False) -> str:
    out = io.StringIO(newline="")
    write_archive_csv(Archive(db), out, filters, excel=excel)
    return out.getvalue()


def rows_of(text: str) -> dict[str, dict]:
    return {r["url"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))}


FILTERS = [
    Filters(),
    Filters(since=datetime(2024, 1, 1)),
    Filters(until=datetime(2024, 6, 1), limit=5),
    Filters(since=datetime(2025, 2, 17, 23, 59), until=datetime(2025, 4, 26)),
    Filters(tags=("pta-urdu",)),
    Filters(tags=("pakistan", "fia"), categories=("news",)),
    Filters(authors=(FIRST_AUTHOR, "ramna saeed")),
    Filters(sites=("drm",), limit=1),
    Filters(sites=("elsewhere",)),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: json.dumps(f.describe())[:80])
def test_flat_csv_is_the_record_paths_bytes(varied, filters):
    assert flat_path_csv(varied, filters) == record_path_csv(varied, filters)


def test_flat_csv_with_the_excel_bom_is_the_record_paths_bytes(varied):
    text = flat_path_csv(varied, excel=True)
    assert text.startswith("\ufeff" + ",".join(EXPORT_FIELDS) + "\r\n")
    assert text == record_path_csv(varied, excel=True)


def test_the_edits_reach_the_export(varied):
    """The comparison above is only as good as the cases it sees: each edit is in the
    output with the value worked out here, independently of both paths."""
    text = flat_path_csv(varied)
    rows = rows_of(text)
    con = sqlite3.connect(varied)
    by_post = {r["post_id"]: r for r in rows.values()}
    # Terms in position order, which is not the order of their ids.
    three_tags = con.execute("select article_id from article_tags group by 1 having count(*) = 3").fetchone()[0]
    url, = con.execute("select url from articles where id = ?", (three_tags,)).fetchone()

    def names(order: str) -> list[str]:
        return [n for n, in con.execute("select t.name from article_tags l join tags t on t.id = l.tag_id "
                                        f"where l.article_id = ? order by {order}", (three_tags,))]

    assert names("l.position") != names("l.tag_id")
    assert rows[url]["tags"] == "; ".join(names("l.position"))
    assert by_post["11937"]["authors"].startswith("'" + FIRST_AUTHOR + "; ")
    assert by_post["11420"]["tags"] == by_post["11420"]["categories"] == by_post["11420"]["tag_slugs"] == ""
    tag_fia = con.execute("select l.article_id from article_tags l join tags t on t.id = l.tag_id "
                        "where t.name = 'FIA'").fetchone()[0]
    url_fia, = con.execute("select url from articles where id = ?", (tag_fia,)).fetchone()
    assert "" in rows[url_fia]["tag_slugs"].split("; ")  # the slug-less tag keeps its place
    hostile = by_post["11241"]
    assert hostile["title"] == "'" + HOSTILE_TITLE and hostile["description"] == "'@SUM(A1)"
    assert hostile["image_caption"] == "'\tcaption" and hostile["body"] == HOSTILE_BODY
    assert '"He said ""no"",\r\nthen left"' in text
    assert by_post["12380"]["published"] == "2025-02-17T15:00:00.250000-04:30"
    assert by_post["12380"]["modified"] == "2025-02-18T05:20:44"  # no offset: naive UTC
    assert by_post["12610"]["published"].endswith("+00:00")
    assert by_post["12610"]["modified"] == "2025-04-26T05:44:59.999999+05:45"
    assert by_post[""]["published"] == by_post[""]["word_count"] == ""
    assert list(rows.values())[-1]["post_id"] == ""  # no publication time: last
    assert by_post["11774"]["sources"] == '{"a": "jsonld.x", "z": "ü"}'
    assert by_post["9345"]["sources"] == by_post["9870"]["sources"] == ""
    assert by_post["10688"]["sources"] == "{}"
    urdu = by_post[str(URDU)]
    assert sum("\u0600" <= c <= "\u06ff" for c in urdu["title"] + urdu["body"]) > 100


def test_cli_csv_export_takes_the_flat_path(varied, tmp_path, monkeypatch):
    expected = record_path_csv(varied, Filters(tags=("pta-urdu",)))

    def no_records(*_a, **_k):
        raise AssertionError("the CSV export read records")

    monkeypatch.setattr(query, "iter_records", no_records)
    assert cli("export", "--tag", "pta-urdu", "--db", str(varied)).stdout_bytes.decode() == expected
    out = tmp_path / "a.csv"
    cli("export", "--format", "csv", "--tag", "pta-urdu", "-o", str(out), "--db", str(varied))
    assert out.read_bytes() == expected.encode()


def test_without_flat_rows_the_record_path_writes_the_same(varied, monkeypatch):
    expected = flat_path_csv(varied)

    def no_flat_rows(*_a, **_k):
        raise AssertionError("flat rows used where unsupported")

    monkeypatch.setattr(query, "has_flat_rows", lambda archive: False)
    monkeypatch.setattr(query, "iter_flat_rows", no_flat_rows)
    assert flat_path_csv(varied) == expected


def test_a_failed_flat_export_leaves_no_file(varied, tmp_path, monkeypatch):
    def broken(*_a, **_k):
        yield from ()
        raise OSError("disk full")

    monkeypatch.setattr(query, "iter_flat_rows", broken)
    out = tmp_path / "a.csv"
    cli("export", "-o", str(out), "--db", str(varied), expect=1)
    assert not out.exists()


# -- csv_field is csv.writer ---------------------------------------------------------------
def _writer_cell(value) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow([csv_cell("title", value), "end"])
    return out.getvalue().removesuffix(",end\r\n")


@given(st.one_of(st.none(), st.integers(), st.text(), st.text(alphabet=',"\r\n\t =+-@\'; ab\x00ٹ')))
def test_csv_field_writes_what_csv_writer_writes(value):
    assert csv_field(value) == _writer_cell(value)


@pytest.mark.parametrize("value", ["", " ", '"', '""', ",", "\r", "\n", "\r\n", "=1", "-", "'=x", "a\tb",
                                   "ٹک, ٹاک", 0, -5, None])
def test_csv_field_on_edge_cells(value):
    assert csv_field(value) == _writer_cell(value)


# -- streaming ---------------------------------------------------------------------------------
def test_flat_export_memory_stays_flat_on_thousands_of_rows(tmp_path):
    """2,000 articles of 8,000 characters (16 MB of text) in chunks of 100: the export's
    peak allocation stays under a quarter of the text; one list of all rows needs it all."""
    rows, size = 2000, 8000
    archive = big_archive(tmp_path / "big.sqlite", [(f"word{i} " * size)[:size] for i in range(rows)])
    with open(tmp_path / "big.csv", "w", encoding="utf-8", newline="") as out:
        count, peak = peak_allocation(lambda: write_flat_csv(iter_flat_rows(archive, chunk=100), out))
    assert count == rows
    assert (tmp_path / "big.csv").stat().st_size > rows * size
    assert peak < rows * size / 4, f"peak {peak / 1e6:.1f} MB"


# -- the benchmark's baseline --------------------------------------------------------------
def test_the_benchmarks_sqlite_baseline_computes_the_same_cells(varied):
    """benchmarks/run.py times `sqlite3 -csv` on EXPORT_SQL as the floor for this export:
    it must produce this export's header and cells, or the ratio compares unequal work."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    try:
        import run as bench
    finally:
        sys.path.pop(0)
    con = sqlite3.connect(varied)
    cursor = con.execute(bench.EXPORT_SQL)
    header = [d[0] for d in cursor.description]
    floor = [["" if v is None else str(v) for v in row] for row in cursor]
    ours = list(csv.reader(io.StringIO(flat_path_csv(varied), newline="")))
    assert [header, *floor] == ours
