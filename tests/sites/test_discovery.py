"""Pure discovery: URL kinds, rebasing onto mirrors, archive and feed links, hostile XML."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, SITE
from lxml.cssselect import CSSSelector

from drmcrawl.extract.document import parse_html
from drmcrawl.extract.profiles import jnews as jnews_profile
from drmcrawl.sites import jnews, wordpress
from drmcrawl.sites.drm import DRM
from drmcrawl.sites.jnews import listing_links as archive_links
from drmcrawl.sites.wordpress import feed_links, is_post_sitemap, page_kind
from drmcrawl.urls import rebase, url_key

BASE = "http://127.0.0.1:8000"


@pytest.mark.parametrize("url, kind", [
    ("https://digitalrightsmonitor.pk/", "home"),
    ("https://digitalrightsmonitor.pk/tiktok-unveils-measures", "post"),
    ("https://digitalrightsmonitor.pk/tiktok-unveils-measures/", "post"),
    ("https://digitalrightsmonitor.pk/?p=11290", "shortlink"),
    ("https://digitalrightsmonitor.pk/?s=tiktok", "navigation"),
    ("https://digitalrightsmonitor.pk/category/drm-exclusive/news/", "navigation"),
    ("https://digitalrightsmonitor.pk/category/drm-exclusive/page/2/", "navigation"),
    ("https://digitalrightsmonitor.pk/tag/pakistan/", "navigation"),
    ("https://digitalrightsmonitor.pk/author/drm/", "navigation"),
    ("https://digitalrightsmonitor.pk/feed/", "navigation"),
    ("https://digitalrightsmonitor.pk/2024/01/", "navigation"),
    ("https://digitalrightsmonitor.pk/wp-content/uploads/a.jpg", "navigation"),
    ("https://digitalrightsmonitor.pk/post-sitemap.xml", "navigation"),
])
def test_page_kind(url, kind):
    assert page_kind(url) == kind


@pytest.mark.parametrize("url, expected", [
    ("https://digitalrightsmonitor.pk/story", BASE + "/story"),
    ("https://www.digitalrightsmonitor.pk/story/", BASE + "/story/"),
    ("http://127.0.0.1:8000/story#comments", BASE + "/story"),
    ("https://twitter.com/netblocks", "https://twitter.com/netblocks"),
])
def test_rebase_moves_live_urls_onto_the_mirror(url, expected):
    assert rebase(url, BASE, DRM.hosts) == expected


def test_url_key_ignores_host_scheme_and_trailing_slash():
    assert url_key("https://www.digitalrightsmonitor.pk/story/") == url_key("http://127.0.0.1:8000/story") == "/story"
    assert url_key("https://digitalrightsmonitor.pk/?p=5") == "/?p=5"


def test_post_sitemaps_recognised():
    assert is_post_sitemap("https://x/post-sitemap.xml")
    assert is_post_sitemap("https://x/post-sitemap2.xml")
    assert is_post_sitemap("https://x/wp-sitemap-posts-post-1.xml")
    assert not is_post_sitemap("https://x/page-sitemap.xml")


def test_archive_links_take_post_titles_and_pagination_only():
    html = """<div class="jeg_postblock"><article class="jeg_post post-1 category-news">
      <h3 class="jeg_post_title"><a href="https://digitalrightsmonitor.pk/a">A</a></h3></article>
      <article class="jeg_post"><h3 class="jeg_post_title"><a href="/b">B</a></h3></article></div>
      <a href="/category/news/">menu link</a>
      <div class="jeg_navigation jeg_pagination jeg_pagenav_1"><span class="page_number active">1</span>
      <a class="page_number" href="/category/news/page/2/">2</a>
      <a class="page_nav next" href="/category/news/page/2/">Next</a></div>"""
    links = archive_links(html, BASE + "/category/news/")
    assert links.articles == ["https://digitalrightsmonitor.pk/a", BASE + "/b"]
    assert links.navigation == [BASE + "/category/news/page/2/"]


@pytest.mark.parametrize("content_type, body", [
    ("text/html; charset=iso-8859-1", "<a href='/caf\u00e9-story/'>".encode("latin-1")),
    ("text/html", "<meta charset='windows-1251'><a href='/\u043d\u043e\u0432\u043e\u0441\u0442\u0438/'>".encode("cp1251")),
    ("text/html", "<a href='/caf\u00e9-story/'>".encode("utf-8")),
])
def test_archive_pages_as_received_are_decoded_by_their_declared_charset(content_type, body):
    """Archive pages go to the worker as bytes (no decoded copy waits in the crawl's
    process): the header, then <meta charset>, then UTF-8 decide, as for articles."""
    article = b'<article class="jeg_post"><h3 class="jeg_post_title">'
    page = article + body + b"x</a></h3></article>"
    text = page.decode("cp1251" if b"windows-1251" in body else "latin-1" if "8859" in content_type else "utf-8")
    links = jnews.listing_page_links(page, content_type, BASE + "/category/news/")
    assert links == archive_links(text, BASE + "/category/news/")
    assert links.articles and "\ufffd" not in links.articles[0] and "%EF%BF%BD" not in links.articles[0]


def test_feed_links_rss_and_malformed():
    rss = b"""<?xml version="1.0"?><rss><channel><item><title>A</title>
      <link>https://digitalrightsmonitor.pk/a</link></item></channel></rss>"""
    assert feed_links(rss) == ["https://digitalrightsmonitor.pk/a"]
    assert feed_links(b"<rss><channel><item><link>x") in ([], ["x"])
    assert feed_links(b"") == []


def test_feed_entities_are_never_expanded():
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
      <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
      <!ENTITY xxe SYSTEM "file:///etc/passwd">]>
      <rss><channel><item><link>&lol2;&xxe;</link></item></channel></rss>"""
    links = feed_links(bomb)
    assert all("lol" not in link and "root:" not in link for link in links)


@pytest.mark.parametrize("url, expected", [
    ("https://s.pk/category/in-media/", "https://s.pk/category/in-media/page/2/"),
    ("https://s.pk/category/in-media", "https://s.pk/category/in-media/page/2/"),
    ("https://s.pk/category/in-media/news/page/2/", "https://s.pk/category/in-media/news/page/3/"),
    ("http://127.0.0.1:8000/category/x/page/9", "http://127.0.0.1:8000/category/x/page/10/"),
])
def test_next_page_url(url, expected):
    assert wordpress.next_page_url(url) == expected


LOAD_MORE = ('<article class="jeg_post"><h3 class="jeg_post_title"><a href="/a-post">A</a></h3></article>'
             '<div class="jeg_block_loadmore"><a href="#">Load More</a></div>')


def test_load_more_archive_pages_are_requested_in_turn():
    links = jnews.listing_links(LOAD_MORE, "https://s.pk/category/x/page/2/")
    assert links.articles == ["https://s.pk/a-post"]
    assert links.navigation == ["https://s.pk/category/x/page/3/"]


def test_no_guessing_when_pagination_links_exist_or_the_page_is_empty():
    with_next = LOAD_MORE + '<link rel="next" href="https://s.pk/category/x/page/7/">'
    assert jnews.listing_links(with_next, "https://s.pk/category/x/").navigation == ["https://s.pk/category/x/page/7/"]
    empty = '<div class="jeg_block_loadmore"><a href="#">Load More</a></div>'
    assert jnews.listing_links(empty, "https://s.pk/category/x/page/5/").navigation == []


def _paginated(current: int, last: int, base: str = "/category/x/") -> str:
    """JNews pagination: the first page, the neighbours, the last page, Next."""
    shown = sorted({1, current - 1, current + 1, last} - {0, current} - set(range(last + 1, last + 3)))
    links = "".join(f'<a class="page_number" href="{base if n == 1 else f"{base}page/{n}/"}">{n}</a>' for n in shown)
    return f'<div class="jeg_navigation jeg_pagination"><span class="page_number active">{current}</span>{links}</div>'


def test_an_archives_first_page_lists_every_page_up_to_the_last():
    links = jnews.listing_links(_paginated(1, 6), "https://s.pk/category/x/")
    assert links.navigation[:2] == ["https://s.pk/category/x/page/2/", "https://s.pk/category/x/page/6/"]
    assert sorted(links.navigation) == [f"https://s.pk/category/x/page/{n}/" for n in range(2, 7)]


def test_later_pages_and_other_archives_only_give_their_own_links():
    later = jnews.listing_links(_paginated(4, 9), "https://s.pk/category/x/page/4/")
    assert later.navigation == ["https://s.pk/category/x/", "https://s.pk/category/x/page/3/",
                                "https://s.pk/category/x/page/5/", "https://s.pk/category/x/page/9/"]
    elsewhere = jnews.listing_links(_paginated(1, 9, base="/tag/y/"), "https://s.pk/category/x/")
    assert len(elsewhere.navigation) == 2  # a link to another archive's page 9 says nothing of this one


def test_a_huge_last_page_number_lists_a_bounded_number_of_pages():
    links = jnews.listing_links(_paginated(1, 10**9), "https://s.pk/category/x/")
    assert len(links.navigation) == jnews.MAX_LISTED_PAGES  # pages 2..MAX, and the far page's own link
    assert "https://s.pk/category/x/page/1000000000/" in links.navigation


def test_only_page_number_links_say_how_many_pages_an_archive_has():
    """The numbers are the `.jeg_navigation a.page_number` links: a Next link (page_nav)
    to a far page does not list the pages before it; a class split by a tab still counts."""
    html = ('<div class="jeg_navigation"><a class="page_number" href="/category/x/page/2/">2</a>'
            '<a class="page_nav\tnext" href="/category/x/page/40/">Next</a>'
            '<a class="first\tpage_number" href="/category/x/page/3/">3</a>'
            '<a class="page_nav page_numbers" href="/category/x/page/30/">30</a></div>')
    links = jnews.listing_links(html, "https://s.pk/category/x/")
    assert sorted(links.navigation) == ["https://s.pk/category/x/page/2/", "https://s.pk/category/x/page/3/",
                                        "https://s.pk/category/x/page/30/", "https://s.pk/category/x/page/40/"]


# -- archive pages: pagination without CSS selectors, parsing without the chrome -----------

def _site_path(path):
    root = SITE if SITE in path.parents else FIXTURES / "variant_site"
    return root.name + "/" + path.relative_to(root).as_posix()


PAGE_SELECTOR = CSSSelector(".jeg_navigation a.page_nav, .jeg_navigation a.page_number, link[rel=next]",
                            translator="html")
FIXTURE_PAGES = sorted((SITE).rglob("*.html")) + sorted((FIXTURES / "variant_site").rglob("*.html"))
ARCHIVE_PAGES = [p for p in FIXTURE_PAGES if p.name == "index.html" and ("category" in p.parts or p.parent in (SITE, FIXTURES / "variant_site"))]

TRICKY_PAGING = [
    # nested navigations, a class split by a tab, a class name that only contains the token
    '<div class="jeg_navigation"><div class="jeg_navigation x"><a class="page_nav" href="/p/2/">2</a></div>'
    '<a class="x\tpage_number" href="/p/3/">3</a></div><div class="jeg_navigation_x"><a class="page_nav" href="/no/">no</a></div>',
    # the anchor itself carries the navigation class; an anchor nested in another
    '<a class="jeg_navigation page_nav" href="/self/">x</a><div class="jeg_navigation">'
    '<a class="page_numbers" href="/no/">n</a><a class="page_nav" href="/yes/"><a class="page_number" href="/in/">i</a></a></div>',
    # rel=next in the head and the body, other rel values, Next in capitals, a link without rel
    '<html><head><link rel="next" href="/h/"><link rel="prev" href="/p/"></head><body>'
    '<link rel="Next" href="/cap/"><link href="/none/"><link rel="next nofollow" href="/two/"><link rel="next" href="/b/">'
    '<div class="jeg_navigation"><a href="#" class="page_nav">Load</a></div></body></html>',
    '',  # nothing at all
]


@pytest.mark.parametrize("html", [p.read_text(encoding="utf-8") for p in FIXTURE_PAGES] + TRICKY_PAGING,
                         ids=[_site_path(p) for p in FIXTURE_PAGES]
                         + [f"tricky-{i}" for i in range(len(TRICKY_PAGING))])
def test_pagination_links_are_what_the_css_selector_finds_in_the_same_order(html):
    tree = parse_html(html)
    assert jnews._page_links(tree) == PAGE_SELECTOR(tree)


def test_the_tricky_pages_do_hold_pagination_links():
    """(So that the comparison above compares something.)"""
    found = [len(PAGE_SELECTOR(parse_html(html))) for html in TRICKY_PAGING]
    assert found == [2, 2, 3, 0]


@pytest.mark.parametrize("path", ARCHIVE_PAGES, ids=[_site_path(p) for p in ARCHIVE_PAGES])
def test_archive_links_without_the_chrome_are_the_whole_pages_links(path, monkeypatch):
    html = path.read_text(encoding="utf-8")
    url = "https://digitalrightsmonitor.pk/" + "/".join(_site_path(path).split("/")[1:-1]) + "/"
    cut = jnews_profile.without_chrome(html, jnews_profile.ARCHIVE_MAIN, jnews._LISTING_READS)
    assert len(cut) < 0.85 * len(html)  # the chrome really went
    links = archive_links(html, url)
    monkeypatch.setattr(jnews, "without_chrome", lambda html, *_: html)
    assert links == archive_links(html, url)
    assert links.articles  # every fixture archive page lists posts


ARCHIVE = """<html><head><title>T</title></head><body><div class="jeg_viewport">
<div class="jeg_header_wrapper"><ul class="jeg_menu"><li><a href="/category/c/">Menu</a></li></ul>{in_header}</div>
<div class="jeg_main "><article class="jeg_post"><h3 class="jeg_post_title"><a href="/listed/">L</a></h3></article></div>
<div class="footer-holder"><div class="jeg_footer">About</div>{in_footer}</div></div></body></html>"""


@pytest.mark.parametrize("in_header, in_footer, expected", [
    ("", "", (["/listed/"], [])),
    ('<article class="jeg_post"><h3 class="jeg_post_title"><a href="/mega-menu/">M</a></h3></article>', "",
     (["/mega-menu/", "/listed/"], [])),
    ("", '<div class="jeg_navigation"><a class="page_number" href="/category/c/page/2/">2</a></div>',
     (["/listed/"], ["/category/c/page/2/"])),
    ("", '<link rel="next" href="/category/c/page/3/">', (["/listed/"], ["/category/c/page/3/"])),
    ("", '<div class="jeg_block_loadmore"><a href="#">More</a></div>', (["/listed/"], ["/category/c/page/2/"])),
])
def test_chrome_holding_what_discovery_reads_is_kept(in_header, in_footer, expected):
    html = ARCHIVE.format(in_header=in_header, in_footer=in_footer)
    cut = jnews_profile.without_chrome(html, jnews_profile.ARCHIVE_MAIN, jnews._LISTING_READS)
    assert in_header in cut and in_footer in cut  # the part holding it stays, markup and all
    assert ('class="jeg_menu"' in cut) == bool(in_header) and ('class="jeg_footer"' in cut) == bool(in_footer)
    links = archive_links(html, "https://s.pk/category/c/")
    strip = len("https://s.pk")
    assert ([u[strip:] for u in links.articles], [u[strip:] for u in links.navigation]) == expected
