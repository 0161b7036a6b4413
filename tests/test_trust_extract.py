"""Trust in extraction (issue 19): a page with a node over lxml's size limit keeps its
article (item 12); the featured image is the full-size original, never a WordPress size
variant nor the lazy placeholder (item 1)."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3

import pytest
from conftest import SITE, expected_articles, run_cli

from drmcrawl.discovery import archive_links
from drmcrawl.extract import extract
from drmcrawl.extract.pool import Extractor, extract_response

# -- item 12: a text node over lxml's 10 MB limit ---------------------------------------------
SLUG = "fia-told-to-stop-misuse-of-cybercrimes-law"
WANT = expected_articles()[SLUG]
BIG = 12 * 1024 * 1024
# A theme's or plugin's data blob printed inline (page builders, analytics, embedded
# datasets): one text node of 12 MB, over libxml2's 10,000,000-byte limit.
BLOB = '<script type="text/javascript">var jnews_huge_data = "' + "x" * BIG + '";</script>'
WHERE = {
    "head": ("<head>", "<head>" + BLOB),  # every byte of the page comes after it
    "body": ('class="content-inner ">', 'class="content-inner ">' + BLOB),  # inside the article body
    "json": ("<head>", '<head><script type="application/json" id="__data">{"d": "' + "y" * BIG + '"}</script>'),
}


def huge_page(where: str) -> str:
    html = (SITE / SLUG / "index.html").read_text(encoding="utf-8")
    marker, replacement = WHERE[where]
    assert html.count(marker) == 1
    return html.replace(marker, replacement)


def assert_is_the_article(record: dict) -> None:
    for field in ("title", "body", "post_id", "authors", "published", "tags", "categories", "image_url"):
        assert record[field] == WANT[field], field


@pytest.mark.parametrize("where", sorted(WHERE))
def test_a_page_with_a_node_over_lxmls_limit_is_still_its_article(where):
    record = extract(huge_page(where), WANT["url"]).to_record()
    assert_is_the_article(record)
    assert "jnews_huge_data" not in record["body_html"] and "xxxx" not in record["body"]


def test_the_generic_path_keeps_a_page_with_a_huge_node_too():
    html = ("<html><head><title>A story</title><script>var blob = '" + "z" * BIG + "';</script></head><body>"
            "<article><h1>A story worth keeping</h1>" + "<p>The body of the story goes on with enough words, "
            "commas, and sentences to be read as an article by the generic layers.</p>" * 6 + "</article></body></html>")
    article = extract(html, "https://example.org/news/a-story")
    assert article.title == "A story worth keeping"
    assert article.body.startswith("The body of the story goes on")


def test_extract_cli_keeps_a_page_with_a_huge_inline_script(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(huge_page("head"), encoding="utf-8")
    result = run_cli("extract", str(page), "--url", WANT["url"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert_is_the_article(json.loads(result.stdout))


def test_the_crawls_extraction_worker_keeps_a_page_with_a_huge_inline_script():
    page = (huge_page("head").encode("utf-8"), "text/html; charset=UTF-8", "http://127.0.0.1:1/" + SLUG, "drm")
    assert_is_the_article(extract_response(*page).to_record())
    extractor = Extractor(1)  # the worker process a crawl hands its pages to
    try:
        pooled = asyncio.run(extractor.extract(*page))
    finally:
        extractor.close()
    assert pooled.title == WANT["title"] and pooled.body == WANT["body"]


def test_archive_links_are_read_past_a_huge_inline_script():
    html = (SITE / "category" / "drm-exclusive" / "index.html").read_text(encoding="utf-8")
    url = "https://digitalrightsmonitor.pk/category/drm-exclusive/"
    want = archive_links(html, url)
    assert want.articles
    assert archive_links(html.replace("<head>", "<head>" + BLOB, 1), url) == want


def test_a_crawl_stores_an_article_with_a_huge_inline_script(tmp_path):
    from drmcrawl.fixtureserver import FixtureServer

    root = tmp_path / "mirror"
    shutil.copytree(SITE, root)
    (root / SLUG / "index.html").write_text(huge_page("head"), encoding="utf-8")
    db = tmp_path / "huge.sqlite"
    with FixtureServer(root) as server:
        result = run_cli("crawl", "--base-url", server.url, "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from failures").fetchone()[0] == 0
    title, = con.execute("select title from articles where post_id = ?", (WANT["post_id"],)).fetchone()
    assert title == WANT["title"]
    assert con.execute("select count(*) from articles").fetchone()[0] == len(expected_articles())
