"""Real Datasette against a real crawl of the fixture site, with the shipped metadata:
the search box (FTS5 articles_fts), labelled foreign keys, facets, documented columns;
and `drmcrawl datasette` starting a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import datasette.app as datasette_app
import pytest
from analysis_support import cli, copy_db
from conftest import expected_articles

from drmcrawl.export.datasette import METADATA_PATH, metadata_for
from drmcrawl.storage import Archive
from drmcrawl.storage.query import search

DOCUMENTED = ("articles", "articles_latest", "article_terms", "authors", "tags", "categories", "article_authors",
              "article_tags", "article_categories", "crawl_runs", "failures")


@pytest.fixture(scope="module")
def db(tmp_path_factory, crawled_archive):
    """A copy named like no default, so the metadata must be renamed to apply."""
    return copy_db(crawled_archive, tmp_path_factory.mktemp("ds"), "mirror.sqlite")


def get_json(db, *paths: str) -> list:
    """GET each path from an in-process (real) Datasette over the database."""
    async def fetch():
        ds = datasette_app.Datasette([str(db)], metadata=metadata_for(db))
        answers = []
        for path in paths:
            response = await ds.client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            answers.append(response.json() if path.split("?")[0].endswith(".json") else response.text)
        return answers
    return asyncio.run(fetch())


def q(text: str) -> str:
    return urllib.parse.quote(text)


def test_search_box_uses_articles_fts(db):
    english, urdu, hostile, latest = get_json(
        db,
        "/mirror/articles.json?_search=PTA&_shape=objects&_col=title&_size=max",
        f"/mirror/articles.json?_search={q('رجسٹریشن')}&_shape=objects&_col=title",
        "/mirror/articles.json?_search=" + q('election OR NOT "(integrity*:') + "&_shape=objects&_col=title",
        "/mirror/articles_latest.json?_search=peca&_shape=objects&_size=max",
    )
    ours = {hit.title for hit in search(Archive(db), "PTA")}
    assert {row["title"] for row in english["rows"]} == ours and len(ours) == 9
    assert [row["title"] for row in urdu["rows"]] == ["پی ٹی اے نے وی پی این رجسٹریشن کی آخری تاریخ مقرر کر دی"]
    assert hostile["rows"] == [] and hostile.get("error") is None  # Datasette escapes the query too
    assert {row["title"] for row in latest["rows"]} == {hit.title for hit in search(Archive(db), "peca")}
    expected = {e["post_id"]: e for e in expected_articles().values()}
    for row in latest["rows"]:  # authors and tags flattened in page order, like the CSV
        want = expected[row["post_id"]]
        assert (row["authors"], row["tags"]) == ("; ".join(want["authors"]), "; ".join(want["tags"]) or None)
        assert (row["categories"], row["category_slugs"]) == ("; ".join(want["categories"]),
                                                              "; ".join(want["category_slugs"]))


def test_foreign_keys_are_labelled(db):
    [tags] = get_json(db, "/mirror/article_tags.json?_labels=on&_shape=objects&_size=max")
    con = sqlite3.connect(db)
    names = dict(con.execute("SELECT id, name FROM tags"))
    titles = dict(con.execute("SELECT id, title FROM articles"))
    assert len(tags["rows"]) == sum(len(e["tags"]) for e in expected_articles().values())
    for row in tags["rows"]:
        assert row["tag_id"]["label"] == names[row["tag_id"]["value"]]
        assert row["article_id"]["label"] == titles[row["article_id"]["value"]]


def test_facets_from_the_metadata(db):
    articles, terms = get_json(db, "/mirror/articles.json?_size=0",
                               "/mirror/article_terms.json?_size=0&kind=author")
    languages = {r["value"]: r["count"] for r in articles["facet_results"]["language"]["results"]}
    expected_languages = {}
    for e in expected_articles().values():
        expected_languages[e["language"]] = expected_languages.get(e["language"], 0) + 1
    assert languages == expected_languages == {"en": 20, "ur": 1}
    authors = {r["value"]: r["count"] for r in terms["facet_results"]["name"]["results"]}
    assert authors["Usman Shahid"] == 3 and authors["Talal Raza"] == 2


def test_titles_and_column_docs_are_shown(db):
    metadata, page = get_json(db, "/-/metadata.json", "/mirror/articles")
    assert metadata["databases"]["mirror"]["tables"]["articles"]["fts_table"] == "articles_fts"
    assert "<h1" in page and "Articles" in page
    assert "Primary language subtag (en, ur)" in page  # a column description
    assert 'name="_search"' in page  # the search box


def test_every_column_is_documented():
    tables = json.loads(METADATA_PATH.read_text(encoding="utf-8"))["databases"]["drmcrawl"]["tables"]
    archive = Archive("sqlite://")  # a fresh in-memory archive: the current schema
    with archive.engine.connect() as con:
        for name in DOCUMENTED:
            columns = [row[1] for row in con.exec_driver_sql(f"PRAGMA table_info({name})")]
            assert columns and sorted(tables[name]["columns"]) == sorted(columns), name
    for name in ("authors", "tags", "categories", "articles"):
        assert tables[name]["label_column"] in tables[name]["columns"]


def test_print_metadata_names_the_database_like_datasette(db):
    printed = json.loads(cli("datasette", "--print-metadata", "--db", str(db)).stdout)
    assert list(printed["databases"]) == ["mirror"]
    assert printed["databases"]["mirror"] == json.loads(METADATA_PATH.read_text())["databases"]["drmcrawl"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_drmcrawl_datasette_serves_search_over_http(db):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "drmcrawl", "datasette", "--db", str(db), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/mirror/articles.json?_search=zeppelin+OR+tiktok&_shape=objects&_col=title"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    answer = json.load(response)
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "datasette did not start"
                time.sleep(0.2)
        assert answer["rows"] == []  # all words must occur: no article says zeppelin
        with urllib.request.urlopen(url.replace("zeppelin+OR+", ""), timeout=5) as response:
            titles = {row["title"] for row in json.load(response)["rows"]}
        assert titles == {hit.title for hit in search(Archive(db), "tiktok")} and len(titles) == 2
        children = _children(server.pid)
        assert children  # `datasette serve` runs under drmcrawl
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert server.returncode == 0  # stopped as asked, not a failure
    deadline = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{pid}") for pid in children):  # and the server went with it
        assert time.monotonic() < deadline, "datasette was left running"
        time.sleep(0.1)


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]
