"""Search on PostgreSQL (tsvector, websearch_to_tsquery, ts_rank_cd, ts_headline) against
SQLite's FTS5 on the same crawl of the fixture site, and the PostgreSQL index kept in
sync with the archive's writes."""

from __future__ import annotations

import pytest
from records import make_article
from sqlalchemy import text

from drmcrawl.model import Term
from drmcrawl.storage import Archive
from drmcrawl.storage.query import Filters, parse_when, search

# The README's example queries (with their filters) and a few more of its words.
QUERIES = [
    ("election integrity", Filters(since=parse_when("2024"))),
    ("internet shutdown", Filters(since=parse_when("2024"), limit=5)),
    ("وی پی این", Filters()),
    ("PTA", Filters()),
    ("peca", Filters()),
    ("vpn", Filters()),
]


@pytest.fixture(scope="module")
def both(crawled_archive, postgres_database):
    """(SQLite archive, PostgreSQL copy of it)."""
    import pg_server as postgres

    from drmcrawl.storage.copy import copy_archive

    name, url = postgres.new_schema(postgres_database)
    lite, pg = Archive(crawled_archive), Archive(url)
    copy_archive(lite, pg)
    yield lite, pg
    lite.close(), pg.close()
    postgres.drop_schema(postgres_database, name)


@pytest.mark.parametrize("query, filters", QUERIES, ids=[q for q, _ in QUERIES])
def test_postgres_agrees_with_sqlite_on_the_top_hit(both, query, filters):
    """The same best match. PostgreSQL stems (english: shutdown = shutdowns), FTS5 does
    not, so PostgreSQL may find more: every SQLite hit is among its hits, and among those
    the two agree on which is best."""
    lite, pg = both
    lite_hits = [h.url for h in search(lite, query, filters)]
    pg_hits = [h.url for h in search(pg, query, Filters(since=filters.since))]
    assert lite_hits, query
    assert set(lite_hits) <= set(pg_hits)
    assert [u for u in pg_hits if u in lite_hits][0] == lite_hits[0]


def test_postgres_snippets_mark_the_matches_in_brackets(both):
    _, pg = both
    [hit] = search(pg, "election integrity", Filters(since=parse_when("2024")))
    assert "[election]" in hit.snippet.lower() and "[integrity]" in hit.snippet.lower()
    assert "\n" not in hit.snippet
    [urdu] = search(pg, "رجسٹریشن")
    assert "[رجسٹریشن]" in urdu.snippet


def test_postgres_filters_and_limits_apply_to_search(both):
    _, pg = both
    everything = search(pg, "PTA")
    since = search(pg, "PTA", Filters(since=parse_when("2025")))
    assert since and {h.url for h in since} < {h.url for h in everything}
    assert all(h.published >= "2025" for h in since)
    assert search(pg, "PTA", Filters(authors=("Nobody",))) == []
    assert search(pg, "PTA", Filters(limit=2)) == everything[:2]
    assert search(pg, "PTA", Filters(limit=2, sites=("drm",))) == everything[:2]


def test_postgres_stems_by_the_articles_language(both):
    _, pg = both
    # english: "elections" and "election" are one word; simple (Urdu) leaves words as written.
    assert {h.url for h in search(pg, "elections")} == {h.url for h in search(pg, "election")}
    with pg.engine.connect() as con:
        configs = dict(con.execute(text(
            "SELECT a.language, s.config::text FROM article_search s JOIN articles a ON a.id = s.article_id")).all())
    assert configs == {"en": "english", "ur": "simple"}


def test_raw_on_postgres_is_web_search_syntax(both):
    _, pg = both
    phrase = search(pg, '"election integrity"', raw=True)
    assert [h.title for h in phrase] == ["TikTok unveils measures to protect election integrity"]
    assert {h.url for h in search(pg, "vpn -whitelisting", raw=True)}.isdisjoint(
        {h.url for h in search(pg, "whitelisting")})
    # Plain (not raw): every word must occur, operators are words.
    assert search(pg, "election OR xyzzy") == []
    assert len(search(pg, "election OR xyzzy", raw=True)) >= 2


def found(archive: Archive, query: str) -> list[str]:
    return [h.title for h in search(archive, query)]


def test_postgres_index_follows_updates_renames_and_deletes(postgres_url):
    archive = Archive(postgres_url)
    try:
        archive.save_article(make_article(title="Broadband tariffs rise", tags=[Term("Telecom", "telecom")]))
        assert found(archive, "broadband") == ["Broadband tariffs rise"]
        assert found(archive, "telecom") == ["Broadband tariffs rise"]
        archive.save_article(make_article(title="Spectrum auction delayed", tags=[Term("Spectrum", "spectrum")],
                                          authors=["Zainab Bibi"]))
        assert found(archive, "broadband") == [] and found(archive, "telecom") == []
        assert found(archive, "auction") == found(archive, "spectrum") == found(archive, "zainab") == [
            "Spectrum auction delayed"]
        with archive.engine.begin() as con:  # a writer outside the repository: marked, indexed on open
            con.execute(text("UPDATE tags SET name = 'Frequencies' WHERE name = 'Spectrum'"))
            con.execute(text("UPDATE authors SET name = 'Z. Bibi' WHERE name = 'Zainab Bibi'"))
        archive.close()
        archive = Archive(postgres_url)
        assert found(archive, "frequencies") == ["Spectrum auction delayed"]
        assert found(archive, "zainab") == []
        with archive.engine.begin() as con:
            con.execute(text("DELETE FROM articles"))
            assert con.execute(text("SELECT count(*) FROM article_search")).scalar() == 0
        assert found(archive, "auction") == []
    finally:
        archive.close()


def test_language_picks_the_text_search_configuration(postgres_url):
    archive = Archive(postgres_url)
    try:
        archive.save_article(make_article(title="Die Regierungen blockieren Netzwerke", language="de"))
        archive.save_article(make_article(post_id=2, url="https://x/2", canonical_url="https://x/2",
                                          title="Quelque chose", language="xx"))
        with archive.engine.connect() as con:
            configs = sorted(con.execute(text("SELECT config::text FROM article_search")).scalars())
        assert configs == ["german", "simple"]
        # german stemming: Regierung finds Regierungen
        assert found(archive, "Regierung") == ["Die Regierungen blockieren Netzwerke"]
    finally:
        archive.close()
