"""`drmcrawl export` on a real crawl of the fixture site: every format against the
hand-written expected articles, CSV Excel-safety and pandas round-trip, Urdu, bundles
with a verified manifest, overwrite protection, streaming."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from analysis_support import big_archive, cli, copy_db, peak_allocation
from conftest import expected_articles

import drmcrawl
from drmcrawl.export.files import csv_cell, export_files, write_csv
from drmcrawl.model import EXPORT_FIELDS
from drmcrawl.storage import Archive
from drmcrawl.storage.models import SCHEMA_VERSION
from drmcrawl.storage.query import iter_records

COMPARED = ("canonical_url", "post_id", "title", "authors", "published", "modified", "tags", "tag_slugs",
            "categories", "category_slugs", "description", "body", "image_url", "image_caption", "language")
URDU = 12265  # post id of the fixture site's Urdu article


@pytest.fixture(scope="module")
def db(crawled_archive):
    return str(crawled_archive)


def by_post_id() -> dict[int, dict]:
    return {e["post_id"]: e for e in expected_articles().values()}


def newest_first() -> list[int]:
    articles = sorted(expected_articles().values(), key=lambda e: datetime.fromisoformat(e["published"]), reverse=True)
    return [e["post_id"] for e in articles]


def test_csv_export_matches_expected_articles_cell_by_cell(db, tmp_path):
    out = tmp_path / "a.csv"
    result = cli("export", "--format", "csv", "-o", str(out), "--db", db)
    assert result.stderr == f"{len(expected_articles())} articles written to {out}\n"
    raw = out.read_bytes()
    assert raw.startswith((",".join(EXPORT_FIELDS) + "\r\n").encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert [int(r["post_id"]) for r in rows] == newest_first()
    expected = by_post_id()
    for row in rows:
        want = expected[int(row["post_id"])]
        assert {k: row[k] for k in COMPARED} == {k: str(csv_cell(k, want[k])) for k in COMPARED}, want["url"]


def test_stdout_csv_is_the_same_bytes_as_the_file(db, tmp_path):
    out = tmp_path / "a.csv"
    cli("export", "-o", str(out), "--db", db)
    assert cli("export", "--db", db).stdout_bytes == out.read_bytes()


def test_jsonl_export_matches_expected_articles(db, tmp_path):
    out = tmp_path / "a.jsonl"
    cli("export", "--format", "jsonl", "-o", str(out), "--db", db)
    text = out.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines()]
    assert [list(r) for r in records] == [list(EXPORT_FIELDS)] * len(expected_articles())
    assert [r["post_id"] for r in records] == newest_first()
    expected = by_post_id()
    for record in records:
        assert {k: record[k] for k in COMPARED} == {k: expected[record["post_id"]][k] for k in COMPARED}
    assert cli("export", "--format", "jsonl", "--db", db).stdout == text


def test_parquet_export_has_typed_columns_and_the_jsonl_values(db, tmp_path):
    cli("export", "--format", "parquet", "-o", str(tmp_path / "a.parquet"), "--db", db)
    cli("export", "--format", "jsonl", "-o", str(tmp_path / "a.jsonl"), "--db", db)
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.column_names == list(EXPORT_FIELDS)
    types = {f.name: str(f.type) for f in table.schema}
    assert (types["post_id"], types["word_count"], types["title"], types["sources"]) == (
        "int64", "int64", "string", "string")
    assert all(table.schema.field(name).type.value_type == "string"
               for name in ("authors", "tags", "tag_slugs", "categories", "category_slugs"))
    rows = table.to_pylist()
    for row in rows:
        row["sources"] = json.loads(row["sources"])
    jsonl = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows == jsonl


def test_urdu_round_trips_through_csv_jsonl_and_excel_csv(db, tmp_path):
    urdu = by_post_id()[URDU]
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    cli("export", "--tag", "وی پی این", "-o", str(plain), "--db", db)
    cli("export", "--tag", "وی پی این", "--excel", "-o", str(excel), "--db", db)
    assert excel.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()  # the BOM, then the same bytes
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    [row] = list(csv.DictReader(io.StringIO(excel.read_text(encoding="utf-8-sig"), newline="")))
    assert (row["title"], row["body"], row["tags"]) == (urdu["title"], urdu["body"], "وی پی این; پی ٹی اے")
    line = cli("export", "--format", "jsonl", "--tag", "pta-urdu", "--db", db).stdout
    assert urdu["title"] in line and "\\u06" not in line  # UTF-8 text, not escapes
    assert json.loads(line)["body"] == urdu["body"]
    stdout_excel = cli("export", "--excel", "--tag", "pta-urdu", "--db", db).stdout_bytes
    assert stdout_excel == excel.read_bytes()


@pytest.fixture
def hostile_db(db, tmp_path):
    """A copy whose first article's title and tags look like spreadsheet formulas."""
    target = copy_db(Path(db), tmp_path)
    con = sqlite3.connect(target)
    con.execute("update articles set title = ?, description = ? where post_id = ?",
                ('=HYPERLINK("http://evil.example","click")', "@SUM(A1:A9)", URDU))
    con.execute("update tags set name = ? where slug = ?", ("-2+3", "pta-urdu"))
    con.execute("update authors set name = ? where name = ?", ("+cmd|' /C calc'!A0", "Talal Raza"))
    con.commit()
    con.close()
    return target


def test_csv_neutralises_formula_cells_and_jsonl_keeps_the_data(hostile_db):
    text = cli("export", "--tag", "pta-urdu", "--db", str(hostile_db)).stdout_bytes.decode()
    [row] = list(csv.DictReader(io.StringIO(text, newline="")))
    assert row["title"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert row["description"] == "'@SUM(A1:A9)"
    assert row["tags"] == "وی پی این; -2+3"  # the joined cell does not start with "-": safe as is
    [author_row] = list(csv.DictReader(io.StringIO(
        cli("export", "--author", "+cmd|' /C calc'!A0", "--limit", "1", "--db", str(hostile_db)).stdout_bytes.decode(),
        newline="")))
    assert author_row["authors"] == "'+cmd|' /C calc'!A0"
    record = json.loads(cli("export", "--format", "jsonl", "--tag", "pta-urdu", "--db", str(hostile_db)).stdout)
    assert record["title"] == '=HYPERLINK("http://evil.example","click")' and record["tags"][1] == "-2+3"


def test_csv_round_trips_through_pandas_unchanged(hostile_db, tmp_path):
    out = tmp_path / "a.csv"
    cli("export", "--excel", "-o", str(out), "--db", str(hostile_db))
    frame = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert list(frame.columns) == rows[0] == list(EXPORT_FIELDS)
    assert frame.values.tolist() == rows[1:]
    # ...and those cells are the archive's values: bodies with their blank lines, Urdu, numbers.
    records = {r["post_id"]: r for r in iter_records(Archive(hostile_db))}
    for cells in frame.to_dict("records"):
        record = records[int(cells["post_id"])]
        assert cells == {k: str(csv_cell(k, record[k])) for k in EXPORT_FIELDS}
    assert "\n\n" in frame.loc[frame.post_id == str(URDU), "body"].item()


def test_existing_files_are_never_replaced_without_force(db, tmp_path):
    out = tmp_path / "a.csv"
    out.write_text("keep me")
    result = cli("export", "-o", str(out), "--db", db, expect=1)
    assert result.stderr == f"Error: {out} exists (use --force to overwrite)\n"
    assert out.read_text() == "keep me"
    cli("export", "-o", str(out), "--force", "--db", db)
    assert out.read_text(encoding="utf-8").startswith("url,canonical_url,")


@pytest.mark.parametrize("args, message", [
    (("--format", "parquet"), "Parquet is binary: give -o FILE"),
    (("--format", "csv", "--format", "jsonl"), "one --format per file; several formats only with --bundle DIR"),
    (("--format", "jsonl", "--excel"), "--excel applies to CSV only"),
    (("-o", "x.csv", "--bundle", "b"), "use either -o FILE or --bundle DIR, not both"),
    (("--format", "xml"), "Invalid value for '--format'"),
])
def test_export_usage_errors(db, args, message):
    assert message in cli("export", *args, "--db", db, expect=2).stderr


def test_bundle_manifest_is_exact_and_verifiable(db, tmp_path):
    bundle = tmp_path / "release"
    result = cli("export", "--bundle", str(bundle), "--format", "csv", "--format", "jsonl", "--format", "parquet",
                 "--since", "2024", "--db", db)
    since_2024 = [e for e in expected_articles().values() if datetime.fromisoformat(e["published"]).year >= 2024]
    n = len(since_2024)
    assert result.stderr == (f"bundle {bundle}: {n} articles; articles.csv, articles.jsonl, articles.parquet, "
                             "DATA_DICTIONARY.md, manifest.json\n")
    assert sorted(p.name for p in bundle.iterdir()) == [
        "DATA_DICTIONARY.md", "articles.csv", "articles.jsonl", "articles.parquet", "manifest.json"]
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    con = sqlite3.connect(db)
    run_ids = [r for (r,) in con.execute("select id from crawl_runs order by id")]
    published = sorted(datetime.fromisoformat(e["published"]).astimezone(timezone.utc) for e in since_2024)
    assert {k: v for k, v in manifest.items() if k not in ("files", "created_at")} == {
        "drmcrawl_version": drmcrawl.__version__,
        "schema_version": SCHEMA_VERSION,
        "articles": n,
        "columns": list(EXPORT_FIELDS),
        "crawl_run_ids": run_ids,
        "time_window": {"published_from": published[0].isoformat(), "published_to": published[-1].isoformat()},
        "filters": {"since": "2024-01-01T00:00:00", "until": None, "tags": [], "categories": [], "authors": [],
                    "sites": [], "limit": None, "status": "all"},
        "status": "all",
    }
    assert run_ids == [1]
    assert datetime.fromisoformat(manifest["created_at"]).tzinfo is not None
    for entry in manifest["files"]:
        data = (bundle / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), entry["path"]
        assert entry["bytes"] == len(data)
    rows = {e["path"]: e["rows"] for e in manifest["files"]}
    assert rows == {"articles.csv": n, "articles.jsonl": n, "articles.parquet": n, "DATA_DICTIONARY.md": None}
    # The counts are the files' own: CSV records, JSON lines, Parquet rows.
    with open(bundle / "articles.csv", encoding="utf-8", newline="") as fh:
        assert len(list(csv.reader(fh))) == n + 1
    assert len((bundle / "articles.jsonl").read_text(encoding="utf-8").splitlines()) == n
    assert pq.read_metadata(bundle / "articles.parquet").num_rows == n
    dictionary = (bundle / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert [line.split("`")[1] for line in dictionary.splitlines() if line.startswith("| `")] == list(EXPORT_FIELDS)


def test_bundle_refuses_a_non_empty_folder_and_force_replaces_only_its_files(db, tmp_path):
    bundle = tmp_path / "release"
    cli("export", "--bundle", str(bundle), "--db", db)  # default formats: csv and jsonl
    assert sorted(p.name for p in bundle.iterdir()) == [
        "DATA_DICTIONARY.md", "articles.csv", "articles.jsonl", "manifest.json"]
    (bundle / "NOTES.txt").write_text("mine")
    again = cli("export", "--bundle", str(bundle), "--db", db, expect=1)
    assert again.stderr == f"Error: {bundle} is not empty (use --force to overwrite its files)\n"
    cli("export", "--bundle", str(bundle), "--format", "csv", "--tag", "peca", "--force", "--db", db)
    assert sorted(p.name for p in bundle.iterdir()) == ["DATA_DICTIONARY.md", "NOTES.txt", "articles.csv",
                                                        "manifest.json"]  # the old jsonl is gone
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["articles"] == 5 and manifest["filters"]["tags"] == ["peca"]


def test_bundle_reads_one_snapshot_while_a_crawl_writes(db, tmp_path):
    from drmcrawl.storage.query import snapshot

    target = copy_db(Path(db), tmp_path)
    archive = Archive(target)
    with snapshot(archive) as (coverage, records):
        writer = sqlite3.connect(target)  # a concurrent crawl adds an article after the count
        writer.execute("insert into articles(site, url_key, url, title, published_utc, content_hash, first_seen, "
                       "last_seen) values ('drm', '/late', 'http://x/late', 'Late', '2030-01-01 00:00:00', 'h', "
                       "'2030-01-01 00:00:00', '2030-01-01 00:00:00')")
        writer.commit()
        rows = list(records)
    assert coverage.articles == len(rows) == len(expected_articles())
    assert len(list(iter_records(archive))) == len(expected_articles()) + 1  # the next read sees it


# -- streaming ---------------------------------------------------------------------------
def test_export_writes_each_record_before_pulling_the_next():
    pulled, out = [], io.StringIO()

    def records():
        for i in range(200):
            # Everything pulled so far is already written: nothing is buffered.
            assert out.getvalue().count("\r\n") == 1 + len(pulled)
            pulled.append(i)
            yield {name: None for name in EXPORT_FIELDS} | {"post_id": i, "title": f"t{i}"}

    assert write_csv(records(), out) == 200


def test_export_memory_stays_flat_on_thousands_of_rows(tmp_path):
    """1,000 synthetic articles of 8,000 characters (8 MB of text): streamed from the
    database in chunks, the export's peak allocation must stay below half of that;
    loading every record first would need all of it."""
    rows, size = 1000, 8000
    words = ("pakistan", "internet", "rights", "court", "vpn", "policy", "media", "data")
    archive = big_archive(tmp_path / "big.sqlite",
                          [(" ".join(words[(i + j) % 8] for j in range(size)))[:size] for i in range(rows)])
    targets = {"csv": tmp_path / "big.csv", "jsonl": tmp_path / "big.jsonl"}
    count, peak = peak_allocation(lambda: export_files(iter_records(archive, chunk=100), targets))
    assert count == rows
    assert targets["jsonl"].stat().st_size > rows * size
    print(f"export peak {peak / 1e6:.2f} MB for {rows * size / 1e6:.0f} MB of text")
    assert peak < rows * size / 2, f"peak {peak / 1e6:.1f} MB"
