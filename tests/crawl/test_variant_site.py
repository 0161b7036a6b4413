"""A second, independent mirror (tests/fixtures/variant_site, built black-box from the JNews/Yoast
notes by make_variant_site.py): golden extraction per page, and a real crawl of it over HTTP."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3

import pytest
from conftest import FIXTURES, run_cli

from drmcrawl.demo.server import FixtureServer
from drmcrawl.extract import extract
from drmcrawl.storage import Archive

VARIANT_SITE = FIXTURES / "variant_site"
VARIANT_EXPECTED = FIXTURES / "variant_expected"
EXPECTED = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(VARIANT_EXPECTED.glob("*.json"))}
COMPARED = ("canonical_url", "post_id", "title", "authors", "published", "modified", "tags", "tag_slugs",
            "categories", "category_slugs", "description", "body", "image_url", "image_caption", "language")
NAVIGATION = ("/category/", "/tag/", "/author/", "/page/", "/feed", "/about", "?s=")


def test_every_variant_article_has_a_page_and_expected_json():
    pages = {p.parent.name for p in VARIANT_SITE.glob("*/index.html")} - {"about"}
    assert len(EXPECTED) >= 10
    assert pages == set(EXPECTED)
    redirects = json.loads((VARIANT_SITE / "_redirects.json").read_text())
    assert sorted(int(i) for i in redirects) == sorted(e["post_id"] for e in EXPECTED.values())


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_variant_golden_extraction(slug):
    want = EXPECTED[slug]
    got = extract((VARIANT_SITE / slug / "index.html").read_bytes(), want["url"]).to_record()
    assert {k: got[k] for k in COMPARED} == {k: want[k] for k in COMPARED}
    assert got["word_count"] == len(re.findall(r"\w+", want["body"]))


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_variant_body_html_is_clean_and_matches_body(slug):
    from lxml import html as lxml_html

    got = extract((VARIANT_SITE / slug / "index.html").read_bytes(), EXPECTED[slug]["url"]).to_record()
    for marker in ("<script", "<style", " class=", " style=", "<ins", "<noscript"):
        assert marker not in got["body_html"], marker
    words = re.findall(r"\w+", lxml_html.fromstring(f"<div>{got['body_html']}</div>").text_content())
    assert words == re.findall(r"\w+", EXPECTED[slug]["body"])


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_variant_golden_extraction_from_a_mirror_url(slug):
    """The same page fetched from a mirror (127.0.0.1, trailing slash) gives the same fields."""
    want = EXPECTED[slug]
    got = extract((VARIANT_SITE / slug / "index.html").read_bytes(), f"http://127.0.0.1:8000/{slug}/").to_record()
    assert {k: got[k] for k in COMPARED} == {k: want[k] for k in COMPARED}


@pytest.fixture(scope="module")
def variant_crawl(tmp_path_factory):
    db = tmp_path_factory.mktemp("variant") / "variant.sqlite"
    with FixtureServer(VARIANT_SITE) as server:
        result = run_cli("crawl", "--base-url", server.url, "--db", str(db), "--full")
    assert result.returncode == 0, result.stdout + result.stderr
    return db, result


def test_variant_crawl_stores_every_article_once_with_exact_fields(variant_crawl):
    db, result = variant_crawl
    archive = Archive(db)
    try:
        records = list(archive.iter_records())
    finally:
        archive.close()
    by_id = {r["post_id"]: r for r in records}
    assert len(records) == len(by_id), "an article was stored twice"
    expected = {e["post_id"]: e for e in EXPECTED.values()}
    assert sorted(by_id) == sorted(expected)
    for post_id, want in expected.items():
        assert {k: by_id[post_id][k] for k in COMPARED} == {k: want[k] for k in COMPARED}, want["url"]
    assert f"new {len(EXPECTED)}," in result.stdout


def test_variant_crawl_stores_no_navigation_page(variant_crawl):
    db, _ = variant_crawl
    con = sqlite3.connect(db)
    urls = [u for (u,) in con.execute("select url from articles")]
    assert len(urls) == len(EXPECTED)
    assert not [u for u in urls if any(part in u for part in NAVIGATION) or u.rstrip("/").count("/") < 3]
    status, new, failed = con.execute("select status, articles_new, articles_failed from crawl_runs").fetchone()
    assert (status, new, failed) == ("finished", len(EXPECTED), 0)


def test_variant_recrawl_changes_nothing(variant_crawl, tmp_path):
    db = tmp_path / "again.sqlite"
    shutil.copy(variant_crawl[0], db)
    with FixtureServer(VARIANT_SITE) as server:
        result = run_cli("crawl", "--base-url", server.url, "--db", str(db), "--full")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"new 0, updated 0, unchanged {len(EXPECTED)}," in result.stdout
    assert sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0] == len(EXPECTED)


def core_sitemap_mirror(tmp_path):
    """The variant site with Yoast's sitemaps switched off and saved without archives or feed:
    only WordPress core's /wp-sitemap.xml (WP >= 5.5, no <lastmod>) lists the posts."""
    root = tmp_path / "core"
    shutil.copytree(VARIANT_SITE, root)
    for name in ("category", "tag", "author", "feed", "2023", "2024", "2025"):
        shutil.rmtree(root / name)
    for sitemap in root.glob("*sitemap*.xml"):
        sitemap.unlink()
    live = "https://digitalrightsmonitor.pk"
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    (root / "wp-sitemap.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {ns}>'
        f"<sitemap><loc>{live}/wp-sitemap-posts-post-1.xml</loc></sitemap>"
        f"<sitemap><loc>{live}/wp-sitemap-posts-page-1.xml</loc></sitemap>"
        f"<sitemap><loc>{live}/wp-sitemap-taxonomies-category-1.xml</loc></sitemap></sitemapindex>\n")
    posts = "".join(f"<url><loc>{e['url']}</loc></url>" for e in EXPECTED.values())
    (root / "wp-sitemap-posts-post-1.xml").write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {ns}>{posts}</urlset>\n')
    (root / "wp-sitemap-posts-page-1.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {ns}><url><loc>{live}/about/</loc></url></urlset>\n')
    (root / "robots.txt").write_text(f"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\nSitemap: {live}/wp-sitemap.xml\n")
    return root


def test_mirror_with_only_core_wordpress_sitemaps(tmp_path):
    db = tmp_path / "core.sqlite"
    with FixtureServer(core_sitemap_mirror(tmp_path)) as server:
        result = run_cli("crawl", "--base-url", server.url, "--db", str(db), "--full")
    assert result.returncode == 0, result.stdout + result.stderr
    archive = Archive(db)
    try:
        by_id = {r["post_id"]: r for r in archive.iter_records()}
    finally:
        archive.close()
    expected = {e["post_id"]: e for e in EXPECTED.values()}
    assert sorted(by_id) == sorted(expected)
    for post_id, want in expected.items():
        assert {k: by_id[post_id][k] for k in COMPARED} == {k: want[k] for k in COMPARED}, want["url"]


def test_load_more_archives_without_rel_next_are_paged_through(tmp_path):
    """JNews "Load More" archives link their next page with href="#" only; with Yoast's
    rel=next removed, the spider must still walk /page/N/ to find posts listed only there."""
    root = tmp_path / "site"
    shutil.copytree(VARIANT_SITE, root)
    stripped = 0
    for page in root.glob("category/**/index.html"):
        html = page.read_text(encoding="utf-8")
        if "jeg_block_loadmore" in html:
            page.write_text(re.sub(r'<link rel="next"[^>]*>', "", html), encoding="utf-8")
            stripped += 1
    assert stripped >= 2
    db = tmp_path / "loadmore.sqlite"
    with FixtureServer(root) as server:
        result = run_cli("crawl", "--base-url", server.url, "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    stored = {r[0] for r in sqlite3.connect(db).execute("select post_id from articles")}
    assert stored == {e["post_id"] for e in EXPECTED.values()}
