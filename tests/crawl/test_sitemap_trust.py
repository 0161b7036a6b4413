"""Sitemaps the DRM spider reads: gzipped ones, nested indexes capped, and removals seen
on the next scheduled crawl when a complete listing (the post sitemaps) drops an article
(issue 19 items 2, 11 and 13). Real crawls of a copy of the fixture site."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sqlite3

import pytest
from conftest import SITE, expected_articles, run_cli
from records import assert_matches_expected, stored

from drmcrawl.demo.server import FixtureServer

LIVE = "https://digitalrightsmonitor.pk"


def crawl(url: str, db, *extra: str):
    result = run_cli("crawl", "--base-url", url, "--db", str(db), *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def last_run(db) -> dict:
    result = run_cli("runs", "--json", "--limit", "1", "--db", str(db))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)[0]


def site_copy(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    return root


def drop_from_sitemap(root, slug: str) -> str:
    """Take one post out of the post sitemap that lists it; returns that sitemap's name."""
    for sitemap in sorted(root.glob("post-sitemap*.xml")):
        text = sitemap.read_text(encoding="utf-8")
        entry = re.search(r"\s*<url>\s*<loc>[^<]*/" + re.escape(slug) + r"/?</loc>.*?</url>", text, re.S)
        if entry:
            sitemap.write_text(text.replace(entry.group(0), ""), encoding="utf-8")
            return sitemap.name
    raise AssertionError(f"{slug} is in no post sitemap")


def removal_of(db, slug: str):
    con = sqlite3.connect(db)
    try:
        return con.execute("select removed_status from articles where url like ?", (f"%/{slug}%",)).fetchone()
    finally:
        con.close()


SLUG = "fia-told-to-stop-misuse-of-cybercrimes-law"


def test_an_article_gone_from_the_complete_listing_is_rechecked_in_the_next_run(tmp_path):
    root = site_copy(tmp_path)
    db = tmp_path / "a.sqlite"
    with FixtureServer(root) as server:
        crawl(server.url, db)
        drop_from_sitemap(root, SLUG)
        shutil.rmtree(root / SLUG)  # taken down: the page answers 404
        crawl(server.url, db)
    run = last_run(db)
    assert run["requested_by_reason"].get("vanished") == 1
    assert run["discovery"]["listing_complete"] is True
    assert run["counts"]["articles_removed"] == 1
    assert removal_of(db, SLUG) == (404,)


def test_nothing_is_inferred_from_a_listing_with_a_hole(tmp_path):
    """One post sitemap fails: the articles it listed are not missing from the site, they
    are missing from what was read. No re-check is claimed, nothing marked removed."""
    root = site_copy(tmp_path)
    db = tmp_path / "a.sqlite"
    with FixtureServer(root) as server:
        crawl(server.url, db)
        drop_from_sitemap(root, SLUG)
        shutil.rmtree(root / SLUG)
        (root / "post-sitemap2.xml").unlink()
        crawl(server.url, db)
    run = last_run(db)
    assert run["discovery"]["listing_complete"] is False
    assert "vanished" not in run["requested_by_reason"]
    assert removal_of(db, SLUG) == (None,)


def test_gzipped_post_sitemaps_listed_in_the_index_are_read(tmp_path):
    root = site_copy(tmp_path)
    plain = root / "post-sitemap2.xml"
    (root / "post-sitemap2.xml.gz").write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    index = root / "sitemap_index.xml"
    index.write_text(index.read_text(encoding="utf-8").replace("post-sitemap2.xml", "post-sitemap2.xml.gz"),
                     encoding="utf-8")
    # Only the sitemaps may lead to these articles: the feed and the archives are emptied.
    only_in_gz = re.findall(r"<loc>[^<]*/([^/<]+)/?</loc>", gzip.decompress((root / "post-sitemap2.xml.gz").read_bytes()).decode())
    for listing in [root / "feed" / "index.xml", *root.glob("category/**/index.html"), root / "index.html"]:
        text = listing.read_text(encoding="utf-8")
        for slug in only_in_gz:
            text = text.replace(f"/{slug}", "/removed-link")
        listing.write_text(text, encoding="utf-8")
    db = tmp_path / "a.sqlite"
    with FixtureServer(root) as server:
        crawl(server.url, db)
    stored_urls = {r["url"] for r in stored(db).values()}
    assert all(any(slug in url for url in stored_urls) for slug in only_in_gz), only_in_gz


CHAIN = 300


def test_a_chain_of_nested_sitemap_indexes_is_cut_at_depth_five(tmp_path):
    root = site_copy(tmp_path)
    for n in range(CHAIN):
        (root / f"post-sitemap{100 + n}.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{LIVE}/post-sitemap{101 + n}.xml</loc></sitemap></sitemapindex>", encoding="utf-8")
    index = root / "sitemap_index.xml"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "</sitemapindex>", f"<sitemap><loc>{LIVE}/post-sitemap100.xml</loc></sitemap></sitemapindex>"),
        encoding="utf-8")
    db = tmp_path / "a.sqlite"
    with FixtureServer(root) as server:
        crawl(server.url, db)
    con = sqlite3.connect(db)
    chain = con.execute("select count(*) from fetches where url like '%/post-sitemap1__.xml' "
                        "or url like '%/post-sitemap2__.xml' or url like '%/post-sitemap3__.xml'").fetchone()[0]
    con.close()
    assert chain == 5  # depth 1 to 5 below the index
    run = last_run(db)
    assert run["discovery"]["sitemaps_cut"] == {"depth": 1}
    assert run["discovery"]["listing_complete"] is False  # what lies below the cut is unknown
    assert_matches_expected(stored(db))
    assert len(stored(db)) == len(expected_articles())


@pytest.mark.parametrize("missing", ["post-sitemap.xml", "sitemap_index.xml"])
def test_a_missing_post_sitemap_is_a_counted_discovery_failure(tmp_path, missing):
    root = site_copy(tmp_path)
    (root / missing).unlink()
    db = tmp_path / "a.sqlite"
    with FixtureServer(root) as server:
        crawl(server.url, db)
    run = last_run(db)
    assert run["discovery"]["navigation_failed"].get("http_404", 0) >= 1
    assert run["discovery"]["listing_complete"] is False
