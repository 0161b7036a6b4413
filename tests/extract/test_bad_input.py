"""Bad input to extraction and discovery: charsets, broken and huge HTML, absurd dates,
relative URLs, hostile sitemap XML."""

from __future__ import annotations

import asyncio
import json

import pytest
from scrapy.http import XmlResponse
from scrapy.utils.test import get_crawler

from drmcrawl.crawl.spiders.drm import DrmSpider
from drmcrawl.extract import NotAnArticle, decode_html, extract

URL = "https://digitalrightsmonitor.pk/story"
WORDS = " ".join(["privacy"] * 60)


def page(title: str, charset_meta: str = "", head: str = "") -> str:
    return (f"<html><head>{charset_meta}{head}</head><body><h1>{title}</h1>"
            f"<article><p>{WORDS}</p></article></body></html>")


@pytest.mark.parametrize("data, content_type, expected", [
    # windows-1252 bytes declared as UTF-8: repaired, not U+FFFD
    (page("Caf\xe9 \u201cquoted\u201d", '<meta charset="utf-8">').encode("cp1252"), None, "Café “quoted”"),
    # UTF-8 BOM beats a wrong meta declaration
    (b"\xef\xbb\xbf" + page("ٹک ٹاک", '<meta charset="iso-8859-1">').encode("utf-8"), None, "ٹک ٹاک"),
    # UTF-16 with BOM
    (page("Урду", "").encode("utf-16"), None, "Урду"),
    # HTTP header beats <meta>
    (page("Caf\xe9", '<meta charset="utf-8">').encode("latin-1"), "text/html; charset=ISO-8859-1", "Café"),
    # UTF-8 BOM beats a wrong HTTP header too
    (b"\xef\xbb\xbf" + page("ٹک ٹاک").encode("utf-8"), "text/html; charset=ISO-8859-1", "ٹک ٹاک"),
    # a correct header beats a wrong <meta>
    (page("پاکستان", '<meta charset="windows-1252">').encode("utf-8"), "text/html; charset=utf-8", "پاکستان"),
    # windows-1252 bytes with a UTF-8 header and meta (old CMS behind a modern server)
    (page("\u2018Quoted\u2019", '<meta charset="utf-8">').encode("cp1252"), "text/html; charset=UTF-8", "‘Quoted’"),
    # no declaration at all, valid UTF-8
    (page("پاکستان").encode("utf-8"), None, "پاکستان"),
])
def test_charsets(data, content_type, expected):
    assert extract(decode_html(data, content_type), URL).title == expected


def test_broken_html_still_extracts():
    html = "<html><body><h1>Unclosed <b>bold<article><p>" + WORDS + "<p>second <i>para</div></span></table>"
    article = extract(html, URL)
    assert article.title.startswith("Unclosed")
    assert "second para" in article.body


def test_huge_page_is_handled():
    filler = "<div class='widget'><a href='/x'>link</a></div>" * 50_000  # ~2.5 MB of chrome
    article = extract(page("Big page", head="") .replace("<body>", "<body>" + filler), URL)
    assert article.title == "Big page"
    assert WORDS in article.body


@pytest.mark.parametrize("bad", ["0000-00-00T00:00:00", "9999-12-31T23:59:59+00:00", "yesterday",
                                 "2024-13-45", "", "1e400"])
def test_absurd_dates_are_ignored_not_fatal(bad):
    ld = json.dumps({"@type": "NewsArticle", "headline": "H", "datePublished": bad,
                     "dateModified": "2024-02-03T04:05:06+00:00"})
    article = extract(page("H", head=f'<script type="application/ld+json">{ld}</script>'), URL)
    assert article.published is None or 1990 <= article.published.year <= 2100
    assert article.modified.year == 2024


def test_relative_and_protocol_relative_urls_are_made_absolute():
    head = ('<link rel="canonical" href="/story/">'
            '<meta property="og:image" content="//cdn.example.org/a.jpg">')
    article = extract(page("T", head=head), URL)
    assert article.image_url == "https://cdn.example.org/a.jpg"
    assert article.canonical_url == "https://digitalrightsmonitor.pk/story/"


def test_page_without_article():
    with pytest.raises(NotAnArticle):
        extract("<html><body><nav><a href='/'>Home</a></nav></body></html>", URL)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://digitalrightsmonitor.pk/&lol3;&xxe;</loc></url>
<url><loc>https://digitalrightsmonitor.pk/real-article</loc></url></urlset>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, b"<urlset><url><loc>https://digitalrightsmonitor.pk/a",
                                  b"not xml at all", b""])
def test_hostile_or_malformed_sitemaps_never_expand_or_crash(body):
    spider = DrmSpider.from_crawler(get_crawler(DrmSpider), base_url="https://mirror.example")
    from drmcrawl.sites.sitemaps import PlannedSitemap

    response = XmlResponse("https://mirror.example/post-sitemap.xml", body=body)
    planned = PlannedSitemap(response.url, depth=1, source="index")
    requests = list(spider.sitemaps.parse(response, planned))
    for request in requests:
        assert "lollol" not in request.url and "root:" not in request.url  # nothing expanded or read
        assert len(request.url) < 200


def test_relative_and_protocol_relative_links_in_feeds_and_archives_reach_the_mirror():
    from scrapy.http import HtmlResponse

    base = "http://mirror.example:8000"
    spider = DrmSpider.from_crawler(get_crawler(DrmSpider), base_url=base)
    feed = XmlResponse(base + "/feed/", body=b"""<?xml version="1.0"?><rss><channel>
        <item><link>/relative-story/</link></item>
        <item><link>//digitalrightsmonitor.pk/protocol-relative-story</link></item>
        <item><link>https://www.digitalrightsmonitor.pk/absolute-story/</link></item>
        <item><link>  </link></item></channel></rss>""")
    archive = HtmlResponse(base + "/category/news/", encoding="utf-8", body=b"""<html><body>
        <article class="jeg_post"><h3 class="jeg_post_title"><a href="../../sibling-story">a</a></h3></article>
        <article class="jeg_post"><h3 class="jeg_post_title"><a href="//digitalrightsmonitor.pk/pr-story/">b</a></h3></article>
        <article class="jeg_post"><h3 class="jeg_post_title"><a href="javascript:void(0)">c</a></h3></article>
        </body></html>""")
    async def archive_requests():
        return [r async for r in spider.parse_listing(archive)]

    urls = [r.url for r in spider.parse_feed(feed)] + [r.url for r in asyncio.run(archive_requests())]
    assert urls == [base + "/relative-story/", base + "/protocol-relative-story", base + "/absolute-story/",
                    base + "/sibling-story", base + "/pr-story/"]


@pytest.mark.parametrize("body", [b"<rss><channel><item><link>https://digitalrightsmonitor.pk/a</link>",
                                  b"\x00\xff garbage", b"<?xml version='1.0'?><rss><channel><item><link>"
                                  b"<![CDATA[https://digitalrightsmonitor.pk/cdata-story]]></link></item>"])
def test_malformed_feeds_never_crash(body):
    spider = DrmSpider.from_crawler(get_crawler(DrmSpider), base_url="https://mirror.example")
    requests = list(spider.parse_feed(XmlResponse("https://mirror.example/feed/", body=body)))
    assert all(r.url.startswith("https://mirror.example/") for r in requests)
