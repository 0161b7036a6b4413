"""Issue 19 item 9: an article the archive cannot store is never lost silently.

A real crawl of the fixture site where one article declares a post ID just beyond SQLite's
signed 64-bit INTEGER: that article is a `failures` row (`store_error`, the error message
as its detail, not the record), counted in the run and its summary; the crawl goes on and
stores every other article; the log does not carry the record."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3

import pytest
from conftest import SITE, expected_articles, run_cli
from faultserver import FaultServer
from records import make_article

from drmcrawl.storage import Archive
from drmcrawl.storage.repository import RecordError

TOO_BIG = 2**63  # one above the largest SQLite INTEGER


def test_an_article_that_cannot_be_stored_is_a_counted_failure_and_the_crawl_goes_on(tmp_path):
    articles = expected_articles()
    slug = sorted(articles)[0]
    want = articles[slug]
    root = tmp_path / "mirror"
    shutil.copytree(SITE, root)
    page = root / slug / "index.html"
    page.write_text(re.sub(rf"(?<!\d){want['post_id']}(?!\d)", str(TOO_BIG), page.read_text(encoding="utf-8")),
                    encoding="utf-8")
    db = tmp_path / "store.sqlite"
    with FaultServer(root) as server:
        result = run_cli("crawl", "--base-url", server.url, "--db", str(db))
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"new {len(articles) - 1}," in result.stdout and "failed 1," in result.stdout, result.stdout

    con = sqlite3.connect(db)
    (url, reason, detail), = con.execute("select url, reason, detail from failures").fetchall()
    assert url.rstrip("/").endswith(slug) and reason == "store_error"
    assert "post_id" in detail and str(TOO_BIG) in detail and want["title"] not in detail
    failed, by_reason = con.execute("select articles_failed, failed_by_reason from crawl_runs").fetchone()
    assert failed == 1 and json.loads(by_reason) == {"store_error": 1}
    stored = {u.rstrip("/").rsplit("/", 1)[-1] for (u,) in con.execute("select url from articles")}
    assert stored == set(articles) - {slug}
    # The log says which URL failed and why, and does not dump the record.
    assert "store_error" in result.stderr
    assert want["title"] not in result.stderr and want["body"][:80] not in result.stderr


@pytest.mark.parametrize("field, value", [("post_id", TOO_BIG), ("post_id", -(2**63) - 1), ("word_count", 10**30)])
def test_integers_beyond_the_database_range_are_refused_before_storing(tmp_path, field, value):
    archive = Archive(tmp_path / "range.sqlite")
    archive.hold()
    with pytest.raises(RecordError, match=field):
        archive.save_article(make_article(**{field: value}))
    assert archive.save_article(make_article(url="https://example.org/other/", canonical_url="https://example.org/other/", post_id=7)) == "new"
    archive.release()
    assert archive.count_articles() == 1
