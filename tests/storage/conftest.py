"""Every storage test that takes `archive_url` or `archive` runs on both backends: SQLite
(a file in tmp_path) and PostgreSQL (a schema of its own, see tests/postgres.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drmcrawl.storage import Archive


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def archive_url(backend, request, tmp_path) -> str:
    if backend == "sqlite":
        return str(tmp_path / "a.sqlite")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def archive(archive_url):
    archive = Archive(archive_url)
    yield archive
    archive.close()


@pytest.fixture
def another_url(backend, request, tmp_path) -> str:
    """A second empty archive on the same backend."""
    if backend == "sqlite":
        return str(tmp_path / "b.sqlite")
    import pg_server as postgres

    database = request.getfixturevalue("postgres_database")
    name, url = postgres.new_schema(database)
    request.addfinalizer(lambda: postgres.drop_schema(database, name))
    return url


def _pg_copy_of(request, source) -> str:
    """A PostgreSQL schema holding a `db copy` of the archive at `source`."""
    import pg_server as postgres

    from drmcrawl.storage.copy import copy_archive

    database = request.getfixturevalue("postgres_database")
    name, url = postgres.new_schema(database)
    request.addfinalizer(lambda: postgres.drop_schema(database, name))
    src, dst = Archive(source), Archive(url)
    try:
        copy_archive(src, dst)
    finally:
        src.close(), dst.close()
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def crawled_db(request, crawled_archive) -> str:
    """The session's crawl of the fixture site (read-only): the SQLite file itself, or a
    PostgreSQL copy of it (`db copy`, itself under test)."""
    if request.param == "sqlite":
        return str(crawled_archive)
    return _pg_copy_of(request, crawled_archive)


@pytest.fixture
def writable_copy(request, tmp_path):
    """copy(db) -> a copy of that archive on the same backend, for tests that write."""
    from analysis_support import copy_db

    def copy(db: str) -> str:
        if "://" in db:
            return _pg_copy_of(request, db)
        return str(copy_db(Path(db), tmp_path))

    return copy


def is_postgres(db: str) -> bool:
    return db.startswith("postgresql")
