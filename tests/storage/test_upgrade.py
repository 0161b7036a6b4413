"""Schema migrations (Alembic): an archive made by drmcrawl 0.1.0 before migrations
existed (tests/fixtures/archives/drmcrawl-0.1.0.sqlite.gz: the fixture site crawled by the
release this branch started from) upgrades in place losing nothing, and moves to
PostgreSQL with `db copy`; a new database on either backend is created at the head."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from analysis_support import cli
from conftest import FIXTURES
from records import assert_matches_expected, stored
from sqlalchemy import MetaData, create_engine, inspect, select, text

from drmcrawl.storage import Archive, resolve_db_url
from drmcrawl.storage.models import Base
from drmcrawl.storage.query import search
from drmcrawl.storage.schema import head

LEGACY = FIXTURES / "archives" / "drmcrawl-0.1.0.sqlite.gz"


def legacy_copy(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    target = tmp_path / "old.sqlite"
    target.write_bytes(gzip.decompress(LEGACY.read_bytes()))
    return target


def table_rows(db, like=None) -> dict[str, list[tuple]]:
    """Every row of the archive's own tables, by id: the columns the database has, or
    those of `like` (another database: what both versions have)."""
    engine = create_engine(resolve_db_url(like or db))
    reflected = MetaData()
    reflected.reflect(engine, only=[t for t in Base.metadata.tables if inspect(engine).has_table(t)])
    engine.dispose()
    engine = create_engine(resolve_db_url(db))
    try:
        with engine.connect() as con:
            out = {}
            for name, table in reflected.tables.items():
                model = Base.metadata.tables[name]
                columns = [model.c[c.name] for c in table.columns]
                out[name] = [tuple(r) for r in con.execute(select(*columns).order_by(*model.primary_key.columns))]
            return out
    finally:
        engine.dispose()


def schema_differences(db) -> list:
    """What Alembic's autogenerate would still change: nothing when the database is at the
    models' schema (its own search and view objects aside)."""
    engine = create_engine(resolve_db_url(db))
    try:
        with engine.connect() as con:
            context = MigrationContext.configure(con, opts={
                "include_name": lambda name, kind, _parent: kind != "table" or name in Base.metadata.tables})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_the_fixture_is_an_archive_from_before_migrations(tmp_path):
    db = legacy_copy(tmp_path)
    con = sqlite3.connect(db)
    names = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    con.close()
    assert "alembic_version" not in names and {"articles", "fetches", "article_versions"} <= names


def test_an_archive_of_the_last_release_upgrades_in_place_losing_nothing(tmp_path):
    db = legacy_copy(tmp_path)
    before = table_rows(db)
    archive = Archive(db)
    assert archive.revisions == (None, head())
    archive.close()
    assert table_rows(db, like=legacy_copy(tmp_path / "again")) == before  # every row of every table, as it was
    assert schema_differences(db) == []
    assert_matches_expected(stored(db))
    archive = Archive(db)
    try:
        assert archive.revisions == (head(), head())
        assert [h.title for h in search(archive, "election integrity")] == [
            "TikTok unveils measures to protect election integrity"]
        assert len(archive.runs()) == 1 and archive.count_articles() == 21
    finally:
        archive.close()


def test_db_upgrade_command_reports_the_revision(tmp_path):
    db = str(legacy_copy(tmp_path))
    assert cli("db", "upgrade", "--db", db).stdout == f"{db}: upgraded from none to revision {head()}\n"
    assert cli("db", "upgrade", "--db", db).stdout == f"{db}: already at revision {head()}\n"


def test_a_new_database_is_created_at_the_head(archive_url):
    archive = Archive(archive_url)
    try:
        assert archive.revisions == (None, head())
    finally:
        archive.close()
    assert schema_differences(archive_url) == []


def test_the_old_archive_moves_to_postgres_with_every_row(tmp_path, postgres_url):
    db = legacy_copy(tmp_path)
    result = cli("db", "copy", "--from", str(db), "--to", postgres_url)
    assert "articles 21" in result.stdout and "fetches 54" in result.stdout
    assert table_rows(postgres_url) == table_rows(db)  # ids, versions, terms, fetch index, runs
    assert_matches_expected(stored(postgres_url))
    engine = create_engine(postgres_url)
    with engine.connect() as con:  # the fetch index still names the WARC files beside the old database
        files = con.execute(text("SELECT DISTINCT warc_file FROM fetches")).scalars().all()
    engine.dispose()
    assert files and all(f.endswith(".warc.gz") and "/" not in f for f in files)
    # New rows after the copy get new ids (the sequences moved past the copied ones).
    archive = Archive(postgres_url)
    try:
        run = archive.start_run("drm", "http://127.0.0.1:1", {})
        assert run == 2
    finally:
        archive.close()
    # And back: PostgreSQL -> a new SQLite file, every row again.
    back = tmp_path / "back.sqlite"
    cli("db", "copy", "--from", postgres_url, "--to", str(back))
    assert table_rows(back) == table_rows(postgres_url)
    assert_matches_expected(stored(back))
    # A second copy into the same database is refused: nothing is merged or duplicated.
    again = cli("db", "copy", "--from", str(db), "--to", postgres_url, expect=1)
    assert "is not empty" in again.stderr


def test_db_commands_without_a_server_are_errors_not_tracebacks(tmp_path):
    result = cli("db", "upgrade", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", expect=1)
    assert result.stderr.startswith("Error: cannot open database postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert "Traceback" not in result.stderr
    listing = cli("list", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", expect=1)
    assert listing.stderr.startswith("Error: cannot open database")
