"""Issue 19 through the real commands: exact exit codes, stdout and stderr."""

from __future__ import annotations

import pytest
from analysis_support import cli
from records import make_article

from drmcrawl.storage import Archive


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "a.sqlite"
    archive = Archive(path)
    archive.save_article(make_article())
    archive.close()
    return str(path)


def test_search_huge_query_is_capped_with_a_warning(db):
    """Item 17: a 30,000-word query is searched as its distinct words, and stderr says so."""
    word = make_article().title.split()[0]
    result = cli("search", " ".join([word] * 30_000), "--db", db, "--format", "jsonl")
    assert result.stderr == "Warning: search query too long: 29999 repeated words dropped\n"
    assert [line.count('"rank": 1') for line in result.stdout.splitlines()] == [1]
