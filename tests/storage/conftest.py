"""Every storage test that takes `archive_url` or `archive` runs on both backends: SQLite
(a file in tmp_path) and PostgreSQL (a schema of its own, see tests/postgres.py)."""

from __future__ import annotations

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
    import postgres

    database = request.getfixturevalue("postgres_database")
    name, url = postgres.new_schema(database)
    request.addfinalizer(lambda: postgres.drop_schema(database, name))
    return url
