"""The archive: upsert without duplicates, exact round-trip of records, WAL."""

from __future__ import annotations

import sqlite3

import pytest
from records import make_article
from sqlalchemy import inspect

from drmcrawl.export.files import write_csv
from drmcrawl.extract import RECORD_FIELDS, Term
from drmcrawl.model import ARCHIVE_FIELDS, EXPORT_FIELDS
from drmcrawl.storage import Archive, StorageError, resolve_db_url
from drmcrawl.storage.models import Article as ArticleRow


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "a.sqlite")
    yield archive
    archive.close()


def test_stored_record_equals_extracted_record(archive):
    article = make_article()
    assert archive.save_article(article) == "new"
    [record] = list(archive.iter_records())
    assert record == article.to_record()
    assert list(record) == list(RECORD_FIELDS)


def test_field_vocabulary_agrees_across_extraction_storage_and_export(archive, tmp_path):
    article = make_article()
    extracted = set(article.to_record())
    columns = {c["name"] for c in inspect(archive.engine).get_columns(ArticleRow.__tablename__)}
    # Lists live in link tables; times are stored as UTC + offset.
    stored_as = {"published": "published_utc", "modified": "modified_utc"}
    link_fields = {"authors", "tags", "tag_slugs", "categories", "category_slugs"}
    for name in extracted - link_fields:
        assert stored_as.get(name, name) in columns, name
    archive.save_article(article)
    out = tmp_path / "x.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        write_csv(archive.iter_records(), fh)
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    # Exports: the record's fields, then the archive's own columns (a second, explicit list).
    assert header == list(EXPORT_FIELDS) == [*article.to_record(), *ARCHIVE_FIELDS]
    assert not set(RECORD_FIELDS) & set(ARCHIVE_FIELDS)
    stored_archive = {"version": "version_count"}
    for name in ARCHIVE_FIELDS:
        assert stored_archive.get(name, name) in columns, name


def test_recrawl_updates_in_place_and_detects_changes(archive):
    assert archive.save_article(make_article()) == "new"
    assert archive.save_article(make_article()) == "unchanged"
    # Same post reached through another URL form: still one row.
    assert archive.save_article(make_article(url="https://www.digitalrightsmonitor.pk/?p=11290")) == "unchanged"
    assert archive.save_article(make_article(title="Edited title", tags=[Term("Pakistan", "pakistan")])) == "updated"
    assert archive.count_articles() == 1
    [record] = list(archive.iter_records())
    assert record["title"] == "Edited title"
    assert record["tags"] == ["Pakistan"]


def test_articles_without_post_id_dedupe_on_canonical_path(archive):
    a = make_article(post_id=None, canonical_url="https://digitalrightsmonitor.pk/story/")
    b = make_article(post_id=None, canonical_url=None, url="http://127.0.0.1:9/story")
    assert archive.save_article(a) == "new"
    assert archive.save_article(b) == "unchanged"
    assert archive.count_articles() == 1


def test_two_categories_named_news_stay_apart(archive):
    archive.save_article(make_article())
    stats = archive.stats()
    assert ("News", "news", 1) in stats["by_category"]
    assert ("News", "in-media-news", 1) in stats["by_category"]
    assert stats["by_month"] == [("2024-01", 1)]
    assert stats["by_author"] == [("DRM", 1), ("Usman Shahid", 1)]


def test_times_keep_utc_and_original_offset(archive, tmp_path):
    archive.save_article(make_article())
    con = sqlite3.connect(archive.location)
    utc, offset = con.execute("select published_utc, published_offset from articles").fetchone()
    assert (utc[:19], offset) == ("2024-01-24 07:05:00", 300)


def test_database_is_in_wal_mode(archive):
    archive.save_article(make_article())
    con = sqlite3.connect(archive.location)
    assert con.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_runs_and_failures_are_recorded(archive):
    run = archive.start_run("drm", "http://127.0.0.1:1", {"ROBOTSTXT_OBEY": True})
    archive.record_failure(run, "http://127.0.0.1:1/gone", "http_404", "Ignoring non-200 response")
    archive.finish_run(run, "finished", "finished", {"articles_new": 3, "articles_failed": 1})
    [summary] = archive.runs()
    assert (summary.id, summary.status, summary.counts["articles_new"], summary.counts["articles_failed"]) == (
        run, "finished", 3, 1)
    assert [(f.url, f.reason) for f in archive.failures(run)] == [("http://127.0.0.1:1/gone", "http_404")]


def test_db_location_from_env_and_urls(tmp_path, monkeypatch):
    monkeypatch.setenv("DRMCRAWL_DB", str(tmp_path / "env.sqlite"))
    assert resolve_db_url(None) == f"sqlite:///{tmp_path / 'env.sqlite'}"
    assert resolve_db_url("sqlite:///:memory:") == "sqlite:///:memory:"


def test_unopenable_database_is_a_clear_error(tmp_path):
    folder = tmp_path / "dir.sqlite"
    folder.mkdir()
    with pytest.raises(StorageError, match="cannot open database"):
        Archive(folder)


def committed_count(db) -> int:
    """Articles another connection (an analyst's) can see."""
    with sqlite3.connect(db) as con:
        return con.execute("select count(*) from articles").fetchone()[0]


def test_held_writes_are_one_transaction_and_a_failed_write_is_undone_alone(tmp_path):
    db = tmp_path / "held.sqlite"
    archive = Archive(db)
    archive.hold()
    assert archive.save_article(make_article(post_id=1, url="https://x/1/", canonical_url="https://x/1/")) == "new"
    with pytest.raises(StorageError, match="UNIQUE"):  # stored already: its savepoint is undone
        archive.add_articles([make_article(post_id=1, url="https://x/1/", canonical_url="https://x/1/")])
    assert archive.save_article(make_article(post_id=2, url="https://x/2/", canonical_url="https://x/2/")) == "new"
    assert committed_count(db) == 0  # nothing visible before the commit
    archive.commit()
    assert committed_count(db) == 2
    archive.save_article(make_article(post_id=3, url="https://x/3/", canonical_url="https://x/3/"))
    archive.close()  # closing commits what is held
    assert committed_count(db) == 3


def test_a_transaction_sqlite_rolled_back_is_reported_and_writing_goes_on(tmp_path):
    """SQLite may undo the whole transaction on its own (a full disk, an I/O error); a
    trigger's RAISE(ROLLBACK) does exactly that, on demand."""
    db = tmp_path / "lost.sqlite"
    archive = Archive(db)
    archive.hold()
    raw = archive._batch.connection().connection.driver_connection
    raw.execute("CREATE TEMP TRIGGER lose AFTER INSERT ON articles WHEN NEW.title = 'boom' "
                "BEGIN SELECT RAISE(ROLLBACK, 'simulated I/O error'); END")
    archive.save_article(make_article(post_id=1, url="https://x/1/", canonical_url="https://x/1/"))
    archive.commit()
    archive.save_article(make_article(post_id=2, url="https://x/2/", canonical_url="https://x/2/"))
    with pytest.raises(StorageError, match="simulated I/O error; the writes since the last commit were rolled back"):
        archive.save_article(make_article(post_id=3, url="https://x/3/", canonical_url="https://x/3/", title="boom"))
    archive.save_article(make_article(post_id=4, url="https://x/4/", canonical_url="https://x/4/"))
    archive.close()
    with sqlite3.connect(db) as con:
        assert [r[0] for r in con.execute("select post_id from articles order by post_id")] == [1, 4]
