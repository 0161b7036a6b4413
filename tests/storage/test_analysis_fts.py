"""The full-text index `articles_fts` stays in sync with the archive through its triggers:
after a crawl, an update, a re-crawl of a changed page, renames and deletes (FTS5's own
'integrity-check' compares the index with its content every time)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from analysis_support import copy_db
from conftest import SITE, expected_articles, run_cli
from records import make_article

from drmcrawl.demo.server import FixtureServer
from drmcrawl.model import Term
from drmcrawl.storage import Archive
from drmcrawl.storage.models import Article
from drmcrawl.storage.query import search


@pytest.fixture(scope="module")
def crawled(crawled_archive):
    return crawled_archive


def integrity_ok(db) -> bool:
    con = sqlite3.connect(db)
    try:
        con.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        con.close()


def found(archive: Archive, text: str, raw: bool = False) -> list[str]:
    return [hit.title for hit in search(archive, text, raw=raw)]


def test_the_check_itself_detects_a_stale_index(tmp_path):
    """Without the triggers the index goes stale, and 'integrity-check' says so."""
    archive = Archive(tmp_path / "a.sqlite")
    archive.save_article(make_article())
    con = sqlite3.connect(tmp_path / "a.sqlite")
    con.execute("DROP TRIGGER articles_fts_update")
    con.execute("UPDATE articles SET title = 'changed behind the index'")
    con.commit()
    assert not integrity_ok(tmp_path / "a.sqlite")


def test_crawl_indexes_every_article(crawled):
    con = sqlite3.connect(crawled)
    assert con.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == len(expected_articles())
    assert integrity_ok(crawled)
    # tags and authors are searchable columns too
    hits = con.execute("SELECT a.post_id FROM articles_fts f JOIN articles a ON a.id = f.rowid "
                       "WHERE articles_fts MATCH 'tags: \"Sindh High Court\"'").fetchall()
    assert hits == [(11243,)]


def test_update_in_place_reindexes_title_body_tags_and_authors(tmp_path):
    archive = Archive(tmp_path / "a.sqlite")
    archive.save_article(make_article())
    assert found(archive, "TikTok") == ["TikTok unveils measures"]
    changed = make_article(title="Zeppelin measures", body="Quokka text.", authors=["Wombat Writer"],
                           tags=[Term("Narwhal", "narwhal")])
    assert archive.save_article(changed) == "updated"
    assert integrity_ok(tmp_path / "a.sqlite")
    for gone in ("TikTok", "Tiktok", "Usman", "Two"):
        assert found(archive, gone) == [], gone
    for word in ("Zeppelin", "Quokka", "Wombat", "Narwhal"):
        assert found(archive, word) == ["Zeppelin measures"], word


def test_recrawl_of_a_changed_page_updates_the_index(crawled, tmp_path):
    db = copy_db(crawled, tmp_path)
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    page = site / "social-media-under-the-radar" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert html.count("Social media under the radar") >= 1
    page.write_text(html.replace("Social media under the radar", "Social media under the zeppelin"), encoding="utf-8")
    with FixtureServer(site) as server:
        result = run_cli("crawl", "--base-url", server.url, "--db", str(db), "--full")
    assert result.returncode == 0, result.stderr
    assert "new 0, updated 1," in result.stdout
    assert integrity_ok(db)
    archive = Archive(db)
    assert found(archive, "zeppelin") == ["Social media under the zeppelin"]
    assert "Social media under the radar" not in found(archive, "radar")


def test_renamed_tag_and_author_are_reindexed(crawled, tmp_path):
    db = copy_db(crawled, tmp_path)
    con = sqlite3.connect(db)
    con.execute("UPDATE tags SET name = 'Quokkagate' WHERE slug = 'sindh-high-court'")
    con.execute("UPDATE authors SET name = 'Wombat Raza' WHERE name = 'Talal Raza'")
    con.commit()
    assert integrity_ok(db)
    archive = Archive(db)
    assert found(archive, "Quokkagate") == ["Petition filed in SHC against repeated internet disruptions"]
    assert len(found(archive, "Wombat")) == 2 and found(archive, "Talal") == []


def test_deletes_leave_a_consistent_index(crawled, tmp_path):
    db = copy_db(crawled, tmp_path)
    archive = Archive(db)
    assert found(archive, "radar") == ["Social media under the radar"]
    before = [hit.title for hit in search(archive, 'tags: "Transparency Report"', raw=True)]
    assert len(before) == 1 and before[0].startswith("With 2203 pieces")
    with archive.session() as s:  # ORM delete: link rows first, then the article
        s.delete(s.query(Article).filter_by(post_id=9345).one())
    assert integrity_ok(db) and found(archive, "radar") == []
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("DELETE FROM articles WHERE post_id = 11243")  # plain SQL: links go by ON DELETE CASCADE
    con.execute("DELETE FROM article_tags WHERE article_id = (SELECT id FROM articles WHERE post_id = 9112)")
    con.commit()
    assert integrity_ok(db)
    assert found(archive, "Sindh") == []
    tagged = [hit.title for hit in search(archive, 'tags: "Transparency Report"', raw=True)]
    assert tagged == []  # the tags of 9112 went with its links...
    assert found(archive, "Transparency Report")[0].startswith("With 2203 pieces")  # ...its body stays
    n = len(expected_articles()) - 2
    assert con.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == n
    assert con.execute("SELECT count(*) FROM article_search_terms").fetchone()[0] == n


def test_an_archive_without_the_index_gets_it_on_open(crawled, tmp_path):
    db = copy_db(crawled, tmp_path)
    con = sqlite3.connect(db)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f"DROP TRIGGER {name}")
    con.execute("DROP TABLE articles_fts")
    con.commit()
    con.close()
    archive = Archive(db)
    assert integrity_ok(db)
    assert found(archive, "رجسٹریشن") == ["پی ٹی اے نے وی پی این رجسٹریشن کی آخری تاریخ مقرر کر دی"]
    assert Path(db).exists()


# -- a new article is indexed once -------------------------------------------------------
REINDEX_LOG = (
    "CREATE TEMP TABLE reindexed (article_id INTEGER)",
    # What the search-terms update trigger acts on: a change of the text it indexed.
    "CREATE TEMP TRIGGER log_reindex AFTER UPDATE ON main.article_search_terms "
    "WHEN OLD.tags IS NOT NEW.tags OR OLD.authors IS NOT NEW.authors "
    "BEGIN INSERT INTO reindexed VALUES (NEW.article_id); END",
)


def _logging_reindexes(path) -> Archive:
    """An archive whose connections log every re-index of an article's search text."""
    from sqlalchemy import event

    archive = Archive(path)

    @event.listens_for(archive.engine, "connect")
    def _log(dbapi_connection, _record):
        for sql in REINDEX_LOG:
            dbapi_connection.execute(sql)

    archive.engine.dispose()  # connections opened from now on carry the log
    return archive


def _reindexed(archive: Archive) -> list[int]:
    with archive.engine.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql("SELECT article_id FROM reindexed")]


def test_a_new_article_with_tags_and_authors_is_indexed_once(tmp_path):
    """Its link rows used to re-index the body once per author and tag."""
    archive = _logging_reindexes(tmp_path / "a.sqlite")
    archive.hold()
    for n in range(3):
        archive.save_article(make_article(post_id=100 + n, url=f"http://127.0.0.1:8000/story-{n}",
                                          canonical_url=f"https://digitalrightsmonitor.pk/story-{n}"))
    archive.commit()
    assert _reindexed(archive) == []
    assert found(archive, 'tags:"Tiktok" AND authors:"Usman Shahid" AND Two', raw=True) == ["TikTok unveils measures"] * 3
    con = sqlite3.connect(tmp_path / "a.sqlite")
    assert con.execute("SELECT count(*) FROM article_search_terms WHERE pending != 0").fetchone()[0] == 0
    assert con.execute("SELECT DISTINCT tags, authors FROM article_search_terms").fetchall() == [
        ("Pakistan Tiktok", "DRM Usman Shahid")]
    archive.close()
    assert integrity_ok(tmp_path / "a.sqlite")


def test_a_wrong_announcement_of_the_new_id_still_indexes_correctly(tmp_path, monkeypatch):
    """The id `announce_new_article` expects is the next rowid; were it ever another, the
    article's own text is computed from its links and the stray row removed."""
    from drmcrawl.storage.dialects import sqlite as sqlite_support

    announce = sqlite_support.announce_new_article
    monkeypatch.setattr(sqlite_support, "announce_new_article",
                        lambda conn, tags, authors: announce(conn, "wrong", "wrong") + 40)
    archive = Archive(tmp_path / "a.sqlite")
    archive.save_article(make_article())
    assert found(archive, 'tags:"Tiktok" AND authors:"Usman Shahid"', raw=True) == ["TikTok unveils measures"]
    assert found(archive, "wrong") == []
    archive.close()
    con = sqlite3.connect(tmp_path / "a.sqlite")
    assert con.execute("SELECT article_id, tags, pending FROM article_search_terms").fetchall() == [
        (1, "Pakistan Tiktok", 0)]
    assert integrity_ok(tmp_path / "a.sqlite")


def test_a_stray_search_row_at_the_next_id_is_replaced(tmp_path):
    archive = Archive(tmp_path / "a.sqlite")
    archive.close()
    con = sqlite3.connect(tmp_path / "a.sqlite")
    con.execute("INSERT INTO article_search_terms(article_id, tags, authors) VALUES (1, 'stale', 'stale')")
    con.commit()
    archive = Archive(tmp_path / "a.sqlite")
    archive.save_article(make_article())
    assert found(archive, "stale") == []
    assert found(archive, 'tags:"Pakistan"', raw=True) == ["TikTok unveils measures"]
    archive.close()
    assert integrity_ok(tmp_path / "a.sqlite")


def _story(n: int, **changes):
    return make_article(post_id=500 + n, url=f"http://127.0.0.1:8000/story-{n}",
                        canonical_url=f"https://digitalrightsmonitor.pk/story-{n}", **changes)


def _index_rows(con) -> int:
    return con.execute("SELECT count(*) FROM articles_fts_data").fetchone()[0]


def test_a_crawls_new_articles_are_indexed_together_when_it_commits(tmp_path):
    """FTS5 writes its pending terms out at every SAVEPOINT, and each write of a crawl is
    one: indexed one by one, every article left a segment of its own behind."""
    archive = Archive(tmp_path / "a.sqlite")
    con = sqlite3.connect(tmp_path / "a.sqlite")
    empty = _index_rows(con)
    archive.hold()
    for n in range(40):
        archive.save_article(_story(n, title=f"Story {n} about TikTok"))
    with archive.core(savepoint=False) as conn:  # inside the crawl's transaction: not indexed yet
        assert conn.exec_driver_sql("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'TikTok'").scalar() == 0
    archive.commit()
    assert len(found(archive, "TikTok")) == 40
    assert _index_rows(con) - empty <= 3  # one segment (and its structure records), not 40
    assert con.execute("SELECT count(*) FROM article_search_terms WHERE pending != 0").fetchone()[0] == 0
    archive.close()
    assert integrity_ok(tmp_path / "a.sqlite")


def test_changes_to_an_article_not_indexed_yet_leave_a_consistent_index(tmp_path):
    """While an article waits for its indexing, the triggers must not tell FTS5 to delete
    text it never indexed: updating its body, title and tags, and deleting another one,
    all in the same transaction."""
    archive = Archive(tmp_path / "a.sqlite")
    archive.hold()
    archive.save_article(_story(1))
    archive.save_article(_story(2, title="Doomed story"))
    changed = _story(1, title="Zeppelin measures", body="Quokka text.", authors=["Wombat Writer"],
                     tags=[Term("Narwhal", "narwhal")])
    assert archive.save_article(changed) == "updated"
    with archive.core() as conn:
        conn.exec_driver_sql("DELETE FROM articles WHERE post_id = 502")
    archive.commit()
    archive.close()
    assert integrity_ok(tmp_path / "a.sqlite")
    archive = Archive(tmp_path / "a.sqlite")
    for gone in ("TikTok", "Tiktok", "Usman", "Two", "Doomed"):
        assert found(archive, gone) == [], gone
    for word in ("Zeppelin", "Quokka", "Wombat", "Narwhal"):
        assert found(archive, word) == ["Zeppelin measures"], word
    archive.close()


def test_articles_committed_unindexed_are_indexed_when_the_archive_is_opened(tmp_path):
    archive = Archive(tmp_path / "a.sqlite")
    archive.save_article(make_article())
    archive.close()
    con = sqlite3.connect(tmp_path / "a.sqlite")
    con.execute("INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')")  # as a writer that skipped it
    con.execute("UPDATE article_search_terms SET pending = 1")
    con.commit()
    archive = Archive(tmp_path / "a.sqlite")
    assert found(archive, "TikTok") == ["TikTok unveils measures"]
    archive.close()
    assert integrity_ok(tmp_path / "a.sqlite")
