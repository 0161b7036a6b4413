"""JNews listing pages (category archives and the home page) as pure functions: where the
post links and the pagination are. No Scrapy here: the spider turns these into requests."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from lxml.cssselect import CSSSelector
from parsel import Selector

from drmcrawl.extract.document import decode_html, parse_html
from drmcrawl.extract.profiles.jnews import ARCHIVE_MAIN, without_chrome
from drmcrawl.sites import Listing
from drmcrawl.sites.wordpress import PAGED, next_page_url
from drmcrawl.urls import absolute

# Listing pages are about a tenth of a crawl's pages, parsed in its extraction worker.
# Post links by CSS selector (compiled selectors on the extractor's parse cost 0.7 ms
# less per page than parsel's Selector, for the same hrefs in the same order);
# pagination by `_page_links`, from the anchors and links lxml's C-level tag filter
# hands over: as one selector (`.jeg_navigation a.page_nav, .jeg_navigation
# a.page_number, link[rel=next]`) libxml2 tested three class conditions on every element
# of the tree, a third of an archive page's time after its parse. Both cuts together:
# `python benchmarks/micro.py archive` (1.63x: 3.49 -> 2.14 ms a mirror listing page).
_POST_LINKS = CSSSelector("article.jeg_post .jeg_post_title a", translator="html")
_CLASS_SPACE = re.compile(r"[ \t\r\n]+")  # what the selectors' class test splits on (XPath normalize-space)
_PAGE_LINK_CLASSES = frozenset(("page_nav", "page_number"))
_AJAX_PAGING = CSSSelector(".jeg_block_loadmore, .jeg_block_nav, .jeg_navigation a[href='#']", translator="html")
# What the above read, as text: header or footer chrome holding any of it is kept (a
# mega menu listing posts, pagination in a footer, a `<link rel=next>` in the body).
# Without its chrome an archive page parses in two thirds of the time.
_LISTING_READS = ("jeg_post", "jeg_navigation", "jeg_block_", "<link")


# An archive's first page names its last page; at most this many pages are requested
# from that number (a hostile page cannot make the crawl queue millions); beyond them
# each page's own links go on.
MAX_LISTED_PAGES = 5000


def listing_page_links(body: bytes, content_type: str, url: str) -> Listing:
    """`listing_links` of a page as received, decoded where it is parsed (in a worker): the
    crawl's process held a decoded copy of each page waiting for the worker, twice the
    body's size, and at the end of a 20,000-article crawl, when the archive pages all come
    at once, 64 of them at a time (15 MB of text at the peak, tracemalloc)."""
    return listing_links(decode_html(body, content_type), url)


def listing_links(html: str, url: str) -> Listing:
    """Article links and pagination on a JNews archive or home page. On an archive's
    first page, every page up to the last one it names: JNews links only a page's
    neighbours and the last, so followed one by one the pages of a long archive come in
    turn (227 of them for one mirror category), and at the end of a crawl that chain was
    its tail, one request at a time."""
    tree = parse_html(without_chrome(html, ARCHIVE_MAIN, _LISTING_READS))
    articles = _hrefs(_POST_LINKS(tree))
    paging = _page_links(tree)
    navigation = absolute(url, [p for p in _hrefs(paging) if p != "#"])
    # `.jeg_navigation a.page_number`, taken from the links just found instead of a third
    # scan of the tree (0.63 ms of an archive page's 2.1 ms of selectors).
    numbered = absolute(url, _hrefs(el for el in paging if el.tag == "a" and _has_class(el, "page_number")))
    navigation += [u for u in _listed_pages(url, numbered) if u not in navigation]
    if articles and not navigation and _AJAX_PAGING(tree):
        # JNews "Load More" / "Next-Prev" modes page by AJAX (`href="#"`); the server-side
        # /page/N/ URLs still work, so they are requested in turn until one 404s.
        navigation = [next_page_url(url)]
    return Listing(absolute(url, articles), navigation)


def _has_class(element, name: str) -> bool:
    return name in _classes(element)


def _classes(element) -> list[str]:
    return _CLASS_SPACE.split(element.get("class") or "")


def _page_links(tree) -> list:
    """`.jeg_navigation a.page_nav, .jeg_navigation a.page_number, link[rel=next]`."""
    return [el for el in tree.iter("a", "link")
            if (el.get("rel") == "next" if el.tag == "link" else _is_page_link(el))]


def _is_page_link(anchor) -> bool:
    return not _PAGE_LINK_CLASSES.isdisjoint(_classes(anchor)) and any(
        "jeg_navigation" in _classes(node) for node in anchor.iterancestors())


def _hrefs(elements) -> list[str]:
    return [href for href in (el.get("href") for el in elements) if href is not None]


def _listed_pages(url: str, links: list[str]) -> list[str]:
    """`/x/page/2/` .. `/x/page/N/` when `url` is the first page of archive `/x/` and its
    numbered page links reach page N (`rel=next` names only the next page)."""
    parts = urlsplit(url)
    if PAGED.match(parts.path):
        return []
    base = parts.path.rstrip("/") + "/"
    last = 0
    for link in links:
        match = PAGED.match(urlsplit(link).path)
        if match and match["base"] == base:
            last = max(last, int(match["n"]))
    host = urlsplit(next((u for u in links if PAGED.match(urlsplit(u).path)), url))
    return [urlunsplit((host.scheme, host.netloc, f"{base}page/{n}/", "", ""))
            for n in range(2, min(last, MAX_LISTED_PAGES) + 1)]


def menu_category_links(html: str, url: str) -> list[str]:
    """Category archives linked from the site menu (the home page's header)."""
    sel = Selector(text=html, base_url=url)
    hrefs = sel.css(".jeg_menu a::attr(href), .jeg_mobile_menu a::attr(href)").getall()
    return [u for u in absolute(url, hrefs) if "/category/" in urlsplit(u).path]
