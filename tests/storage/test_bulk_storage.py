"""The repository's bulk paths: `add_articles` (Core, for imports and benchmarks) and
`batch()` (many saves, one transaction) store exactly what `save_article` stores."""

from __future__ import annotations

import dataclasses

import pytest
from records import make_article
from sqlalchemy import create_engine, text

from drmcrawl.extract import Term
from drmcrawl.storage import Archive, StorageError, resolve_db_url
from drmcrawl.storage.query import search


def _articles(n: int):
    for i in range(n):
        yield make_article(url=f"http://127.0.0.1:8000/story-{i}", canonical_url=f"https://digitalrightsmonitor.pk/story-{i}",
                           post_id=1000 + i, title=f"Story {i}",
                           tags=[Term("Pakistan", "pakistan"), Term(f"Tag {i % 3}", f"tag-{i % 3}")])


def _sql(db, statement: str) -> list[tuple]:
    """Rows of `statement` through a connection of its own (another reader's view)."""
    engine = create_engine(resolve_db_url(db))
    try:
        with engine.connect() as con:
            return [tuple(row) for row in con.execute(text(statement))]
    finally:
        engine.dispose()


# What each backend's search index holds per article (its tags and authors text / its document).
_SEARCH_ROWS = {"sqlite": "SELECT article_id, tags, authors FROM article_search_terms ORDER BY article_id",
                "postgresql": "SELECT article_id, document::text FROM article_search ORDER BY article_id"}


def test_add_articles_stores_what_save_article_stores(archive_url, another_url, backend):
    bulk, single = Archive(archive_url), Archive(another_url)
    assert bulk.add_articles(_articles(7)) == 7
    for article in _articles(7):
        single.save_article(article)
    assert list(bulk.iter_records()) == list(single.iter_records())
    assert _sql(archive_url, _SEARCH_ROWS[backend]) == _sql(another_url, _SEARCH_ROWS[backend])
    assert [h.title for h in search(bulk, "story 3")] == ["Story 3"]
    # A later crawl sees bulk-loaded rows as the same articles (no duplicates).
    assert bulk.save_article(next(_articles(1))) == "unchanged"
    assert bulk.count_articles() == 7
    bulk.close(), single.close()


def test_add_articles_refuses_articles_already_stored_and_stores_nothing(archive_url):
    archive = Archive(archive_url)
    archive.add_articles(_articles(2))
    with pytest.raises(StorageError):
        archive.add_articles([dataclasses.replace(next(_articles(1)), title="again")])
    assert archive.count_articles() == 2
    archive.close()


def test_batch_commits_once_and_an_error_rolls_the_batch_back(archive_url):
    archive = Archive(archive_url)
    with archive.batch():
        outcomes = [archive.save_article(a) for a in _articles(3)]
        assert _sql(archive_url, "SELECT count(*) FROM articles") == [(0,)]  # not committed yet: invisible
    assert outcomes == ["new"] * 3 and archive.count_articles() == 3
    with pytest.raises(RuntimeError), archive.batch():
        archive.save_article(make_article(post_id=5, canonical_url="https://digitalrightsmonitor.pk/x"))
        raise RuntimeError("crawl stopped")
    assert archive.count_articles() == 3
    assert [r["title"] for r in archive.iter_records()].count("Story 1") == 1
    archive.close()


def test_terms_are_shared_not_duplicated_across_a_batch(archive_url):
    archive = Archive(archive_url)
    with archive.batch():
        for article in _articles(6):
            archive.save_article(article)
    archive.add_articles(list(_articles(12))[6:])
    assert _sql(archive_url, "SELECT count(*) FROM tags") == [(4,)]
    assert _sql(archive_url, "SELECT count(*) FROM authors") == [(2,)]
    archive.close()


def test_a_rolled_back_new_term_is_created_again_later(archive_url):
    archive = Archive(archive_url)
    fresh = make_article(tags=[Term("Brand new", "brand-new")])
    with pytest.raises(RuntimeError), archive.batch():
        archive.save_article(fresh)  # creates the tag, then the batch is undone
        raise RuntimeError("stop")
    assert archive.save_article(fresh) == "new"
    [record] = archive.iter_records()
    assert record["tags"] == ["Brand new"]
    archive.close()
