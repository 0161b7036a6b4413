"""Feeds of any site: RSS 2.0, Atom, RSS 1.0 (RDF), and their discovery (issue 22)."""

import gzip
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from drmcrawl.extract.document import Document
from drmcrawl.sites.feeds import CANDIDATE_PATHS, candidate_feed_urls, feed_urls_in_page, parse_feed
from drmcrawl.sites.sitemaps import SitemapError

SITE = "https://news.example"
PKT = timezone(timedelta(hours=5))

RSS2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>News Example</title>
  <link>https://news.example/</link>
  <item>
    <title>Budget &amp; taxes</title>
    <link>https://news.example/2024/05/06/budget-taxes/</link>
    <pubDate>Mon, 06 May 2024 10:00:00 +0500</pubDate>
    <atom:updated>2024-05-07T09:00:00Z</atom:updated>
    <category><![CDATA[Economy]]></category>
    <category>Parliament</category>
    <category>Economy</category>
    <guid isPermaLink="false">https://news.example/?p=101</guid>
  </item>
  <item>
    <title>Only a guid</title>
    <guid>https://news.example/2024/05/05/guid-only/</guid>
    <pubDate>not a date</pubDate>
  </item>
  <item>
    <title>Relative</title>
    <link>/2024/05/04/relative/</link>
    <dc:date>2024-05-04T08:00:00</dc:date>
  </item>
  <item><title>No link at all</title><guid isPermaLink="false">tag:1</guid></item>
  <item><title>A comment</title><link>https://news.example/2024/05/06/budget-taxes/#comment-9</link></item>
</channel>
</rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/blog/">
  <title type="text">News Example Atom</title>
  <entry>
    <title>First post</title>
    <link rel="replies" href="https://news.example/first/#comments"/>
    <link href="first-post/"/>
    <published>2024-05-06T10:00:00+05:00</published>
    <updated>2024-05-08T00:00:00Z</updated>
    <category term="Tech" scheme="x"/>
    <category label="Rights"/>
  </entry>
  <entry xml:base="https://news.example/other/">
    <title>Second</title>
    <link rel="alternate" type="text/html" href="second"/>
    <link rel="edit" href="https://news.example/edit/2"/>
    <updated>2024-05-07</updated>
  </entry>
  <entry><title>No alternate</title><link rel="self" href="https://news.example/self"/></entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example/">
    <title>News Example RDF</title>
    <items><rdf:Seq><rdf:li rdf:resource="https://news.example/rdf-one/"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://news.example/rdf-one/">
    <title>RDF one</title>
    <link>https://news.example/rdf-one/</link>
    <dc:date>2024-05-06T10:00:00+05:00</dc:date>
    <dc:subject>Courts</dc:subject>
  </item>
  <item rdf:about="https://news.example/rdf-two/">
    <title>RDF two, link only in rdf:about</title>
  </item>
</rdf:RDF>"""


def test_rss2():
    feed = parse_feed(RSS2, f"{SITE}/feed/", zone=PKT)
    assert feed.kind == "rss" and feed.title == "News Example"
    assert [e.link for e in feed.entries] == [
        f"{SITE}/2024/05/06/budget-taxes/", f"{SITE}/2024/05/05/guid-only/", f"{SITE}/2024/05/04/relative/",
        f"{SITE}/2024/05/06/budget-taxes/"]  # a comments feed's entry: the page, not the #comment
    first, guid_only, relative, _ = feed.entries
    assert first.title == "Budget & taxes"
    assert first.published == datetime(2024, 5, 6, 5, 0, tzinfo=timezone.utc)
    assert first.updated == datetime(2024, 5, 7, 9, 0, tzinfo=timezone.utc)
    assert first.categories == ("Economy", "Parliament")
    assert guid_only.published is None
    assert relative.published == datetime(2024, 5, 4, 8, 0, tzinfo=PKT)  # naive: the site's zone


def test_atom():
    feed = parse_feed(ATOM, f"{SITE}/atom.xml")
    assert feed.kind == "atom" and feed.title == "News Example Atom"
    assert [e.link for e in feed.entries] == [f"{SITE}/blog/first-post/", f"{SITE}/other/second"]
    first, second = feed.entries
    assert first.published == datetime(2024, 5, 6, 5, 0, tzinfo=timezone.utc)
    assert first.updated == datetime(2024, 5, 8, tzinfo=timezone.utc)
    assert first.categories == ("Tech", "Rights")
    assert second.published is None and second.updated == datetime(2024, 5, 7, tzinfo=timezone.utc)


def test_rss1_rdf():
    feed = parse_feed(RDF, f"{SITE}/index.rdf")
    assert feed.kind == "rdf" and feed.title == "News Example RDF"
    assert [e.link for e in feed.entries] == [f"{SITE}/rdf-one/", f"{SITE}/rdf-two/"]
    assert feed.entries[0].published == datetime(2024, 5, 6, 5, 0, tzinfo=timezone.utc)
    assert feed.entries[0].categories == ("Courts",)


def test_gzipped_feed():
    assert len(parse_feed(gzip.compress(RSS2), f"{SITE}/feed.xml.gz").entries) == 4


@pytest.mark.parametrize("junk", [b"", b"<html><body>404</body></html>", b"\x00\x01",
                                  b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>'])
def test_not_a_feed(junk):
    feed = parse_feed(junk, SITE)
    assert feed.kind == "unknown" and feed.entries == ()


def test_feed_bombs_are_harmless():
    laughs = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">
    <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
    <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
    <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
    <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>
    <rss><channel><item><link>https://news.example/x/</link><title>&e;</title></item></channel></rss>"""
    feed = parse_feed(laughs, SITE)
    assert all(len(e.title or "") < 1000 for e in feed.entries)
    with pytest.raises(SitemapError):
        parse_feed(gzip.compress(b" " * 3_000_000), SITE, max_size=1_000_000)


HOME = f"""<html><head>
<link rel="alternate" type="application/rss+xml" title="Comments Feed" href="{SITE}/comments/feed/">
<link rel="alternate" type="application/rss+xml" title="Feed" href="/feed/">
<link rel="alternate" type="application/atom+xml" href="{SITE}/atom.xml">
<link rel="alternate" type="application/rss+xml; charset=UTF-8" href="/feed/">
<link rel="alternate" hreflang="ur" href="{SITE}/ur/">
<link rel="alternate" type="application/json+oembed" href="{SITE}/oembed">
<link rel="stylesheet" type="text/css" href="/style.css">
<link rel="ALTERNATE" type="APPLICATION/RDF+XML" href="/index.rdf">
</head><body><a href="/rss/">RSS</a></body></html>"""


def test_feed_urls_in_page():
    found = feed_urls_in_page(HOME, f"{SITE}/")
    assert found == [f"{SITE}/feed/", f"{SITE}/atom.xml", f"{SITE}/index.rdf", f"{SITE}/comments/feed/"]
    assert feed_urls_in_page(Document(HOME.encode(), f"{SITE}/"), f"{SITE}/") == found
    assert feed_urls_in_page(b"", SITE) == []


def test_candidate_feed_urls():
    found = candidate_feed_urls(f"{SITE}/", [f"{SITE}/feed/", f"{SITE}/custom.xml"])
    assert found[:2] == [f"{SITE}/feed/", f"{SITE}/custom.xml"]
    for path in ("/feed/", "/rss/", "/atom.xml", "/feed.xml", "/index.xml"):
        assert f"{SITE}{path}" in found
    assert len(found) == len(CANDIDATE_PATHS) + 1


# -- the restructure's hand-made fixture sites (tests/fixtures/sites/), when present ----------
FIXTURE_SITES = Path(__file__).parents[1] / "fixtures" / "sites"


def fixture_body(site: str, url: str) -> bytes | None:
    """What a fixture site serves for `url` (their README's URL -> file table), None: 404."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    if not parts.query and "." in path.rsplit("/", 1)[-1]:
        names = [path]
    else:
        stem = f"index@{parts.query}" if parts.query else "index"
        names = [f"{path}/{stem}{ext}".lstrip("/") for ext in (".html", ".xml")]
    found = next((FIXTURE_SITES / site / n for n in names if (FIXTURE_SITES / site / n).is_file()), None)
    return found.read_bytes() if found else None


@pytest.mark.parametrize("site", ["newspaper", "drupal", "arc", "urdu"])
def test_fixture_sites_feeds(site):
    """RSS 2.0 (WordPress, Drupal, Arc) and Atom (jekyll-feed), found from the home page:
    every entry links a page of the site, dates are aware."""
    declared = FIXTURE_SITES / site / "expected" / "_site.json"
    if not declared.is_file():
        pytest.skip("fixture sites not present")
    info = json.loads(declared.read_text(encoding="utf-8"))
    origin = info["origin"]
    announced = feed_urls_in_page(fixture_body(site, f"{origin}/"), f"{origin}/")
    assert announced
    links = set()
    for url in candidate_feed_urls(f"{origin}/", announced):
        body = fixture_body(site, url)
        if body is not None:
            feed = parse_feed(body, url)
            links |= {e.link for e in feed.entries}
            assert all(e.published is None or e.published.tzinfo for e in feed.entries)
    known = set(info["articles"]) | set(info["non_articles"])
    assert links and links <= known, links - known
    assert len(links & set(info["articles"])) >= len(info["articles"]) - 3  # a feed holds the latest N
