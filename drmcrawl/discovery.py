"""Pure discovery logic for WordPress/JNews sites: which URL is what, where links to
articles are on navigation pages, and how a live URL maps onto a mirror.

No Scrapy here: the spider turns these results into requests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

from lxml import etree
from lxml.cssselect import CSSSelector
from parsel import Selector

from drmcrawl.extract.document import decode_html, parse_html
from drmcrawl.extract.profiles.jnews import ARCHIVE_MAIN, without_chrome

DRM_BASE_URL = "https://digitalrightsmonitor.pk"
DRM_DOMAINS = ("digitalrightsmonitor.pk", "www.digitalrightsmonitor.pk")

# First path segments that are never a post permalink on a WordPress site.
_NAVIGATION_PREFIXES = frozenset(
    "category tag author feed page search wp-content wp-includes wp-admin wp-json "
    "comments trackback embed attachment".split()
)
_DATE_ARCHIVE = re.compile(r"^\d{4}(/\d{2}){0,2}$")
_POST_SITEMAP = re.compile(r"(^|/)(post-sitemap\d*\.xml|wp-sitemap-posts-post-\d+\.xml)$")
# A feed parser that never resolves entities nor fetches anything: sitemaps and feeds
# are untrusted input (billion laughs, external entities).
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


@dataclass(frozen=True)
class Links:
    articles: list[str]
    navigation: list[str]


def rebase(url: str, base_url: str, site_domains: tuple[str, ...] = DRM_DOMAINS) -> str:
    """Move a URL of the live site (any of `site_domains`) onto `base_url`'s scheme
    and host, so one spider crawls the live site or any mirror of it. Fragments go."""
    parts = urlsplit(url)
    base = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if host in site_domains or host == (base.hostname or "").lower():
        parts = parts._replace(scheme=base.scheme, netloc=base.netloc)
    return urlunsplit(parts._replace(fragment=""))


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """`http://user:pass@host/` -> ("http://host/", "user", "pass"), decoded."""
    from urllib.parse import unquote

    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    return (urlunsplit(parts._replace(netloc=netloc)), unquote(parts.username or ""),
            unquote(parts.password or ""))


def url_key(url: str) -> str:
    """Site-relative identity of a page: `https://www.site/slug/` and
    `http://127.0.0.1:8000/slug` are both `/slug`."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def page_kind(url: str) -> str:
    """"home", "shortlink", "navigation" or "post" (a candidate article permalink)."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    if parts.query:
        query = parse_qs(parts.query)
        if "p" in query and not path:
            return "shortlink"
        return "navigation"
    if not path:
        return "home"
    first = path.split("/", 1)[0]
    if first in _NAVIGATION_PREFIXES or _DATE_ARCHIVE.match(path) or path.endswith((".xml", ".txt")):
        return "navigation"
    if "/page/" in f"/{path}/" or path.endswith("/feed"):
        return "navigation"
    return "post"


def is_post_sitemap(url: str) -> bool:
    return bool(_POST_SITEMAP.search(urlsplit(url).path))


_PAGED = re.compile(r"^(?P<base>.*?/)page/(?P<n>\d+)/?$")


# Archive pages are about a tenth of a crawl's pages, parsed in its extraction worker.
# Post links by CSS selector (compiled selectors on the extractor's parse cost 0.7 ms
# less per page than parsel's Selector, for the same hrefs in the same order);
# pagination by `_page_links`, from the anchors and links lxml's C-level tag filter
# hands over: as one selector (`.jeg_navigation a.page_nav, .jeg_navigation
# a.page_number, link[rel=next]`) libxml2 tested three class conditions on every element
# of the tree, a third of an archive page's time after its parse. Both cuts together:
# `python benchmarks/micro.py archive` (1.63x: 3.49 -> 2.14 ms a mirror archive page).
_POST_LINKS = CSSSelector("article.jeg_post .jeg_post_title a", translator="html")
_CLASS_SPACE = re.compile(r"[ \t\r\n]+")  # what the selectors' class test splits on (XPath normalize-space)
_PAGE_LINK_CLASSES = frozenset(("page_nav", "page_number"))
_AJAX_PAGING = CSSSelector(".jeg_block_loadmore, .jeg_block_nav, .jeg_navigation a[href='#']", translator="html")
# What the above read, as text: header or footer chrome holding any of it is kept (a
# mega menu listing posts, pagination in a footer, a `<link rel=next>` in the body).
# Without its chrome an archive page parses in two thirds of the time.
_ARCHIVE_READS = ("jeg_post", "jeg_navigation", "jeg_block_", "<link")


# An archive's first page names its last page; at most this many pages are requested
# from that number (a hostile page cannot make the crawl queue millions); beyond them
# each page's own links go on.
MAX_LISTED_PAGES = 5000


def archive_page_links(body: bytes, content_type: str, url: str) -> Links:
    """`archive_links` of a page as received, decoded where it is parsed (in a worker): the
    crawl's process held a decoded copy of each page waiting for the worker, twice the
    body's size, and at the end of a 20,000-article crawl, when the archive pages all come
    at once, 64 of them at a time (15 MB of text at the peak, tracemalloc)."""
    return archive_links(decode_html(body, content_type), url)


def archive_links(html: str, url: str) -> Links:
    """Article links and pagination on a JNews archive or home page. On an archive's
    first page, every page up to the last one it names: JNews links only a page's
    neighbours and the last, so followed one by one the pages of a long archive come in
    turn (227 of them for one mirror category), and at the end of a crawl that chain was
    its tail, one request at a time."""
    tree = parse_html(without_chrome(html, ARCHIVE_MAIN, _ARCHIVE_READS))
    articles = _hrefs(_POST_LINKS(tree))
    paging = _page_links(tree)
    navigation = _absolute(url, [p for p in _hrefs(paging) if p != "#"])
    # `.jeg_navigation a.page_number`, taken from the links just found instead of a third
    # scan of the tree (0.63 ms of an archive page's 2.1 ms of selectors).
    numbered = _absolute(url, _hrefs(el for el in paging if el.tag == "a" and _has_class(el, "page_number")))
    navigation += [u for u in _listed_pages(url, numbered) if u not in navigation]
    if articles and not navigation and _AJAX_PAGING(tree):
        # JNews "Load More" / "Next-Prev" modes page by AJAX (`href="#"`); the server-side
        # /page/N/ URLs still work, so they are requested in turn until one 404s.
        navigation = [next_page_url(url)]
    return Links(_absolute(url, articles), navigation)


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
    if _PAGED.match(parts.path):
        return []
    base = parts.path.rstrip("/") + "/"
    last = 0
    for link in links:
        match = _PAGED.match(urlsplit(link).path)
        if match and match["base"] == base:
            last = max(last, int(match["n"]))
    host = urlsplit(next((u for u in links if _PAGED.match(urlsplit(u).path)), url))
    return [urlunsplit((host.scheme, host.netloc, f"{base}page/{n}/", "", ""))
            for n in range(2, min(last, MAX_LISTED_PAGES) + 1)]


def next_page_url(url: str) -> str:
    """`/category/x/` -> `/category/x/page/2/`; `/category/x/page/2/` -> `.../page/3/`."""
    parts = urlsplit(url)
    match = _PAGED.match(parts.path)
    base, n = (match["base"], int(match["n"])) if match else (parts.path.rstrip("/") + "/", 1)
    return urlunsplit((parts.scheme, parts.netloc, f"{base}page/{n + 1}/", "", ""))


def menu_category_links(html: str, url: str) -> list[str]:
    """Category archives linked from the site menu (the home page's header)."""
    sel = Selector(text=html, base_url=url)
    hrefs = sel.css(".jeg_menu a::attr(href), .jeg_mobile_menu a::attr(href)").getall()
    return [u for u in _absolute(url, hrefs) if "/category/" in urlsplit(u).path]


def feed_links(body: bytes) -> list[str]:
    """Item permalinks of an RSS 2.0 or Atom feed; [] for malformed XML."""
    try:
        root = etree.fromstring(body, parser=_SAFE_XML)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    links = [t.strip() for t in root.xpath("//item/link/text()") if t.strip()]
    links += root.xpath("//*[local-name()='entry']/*[local-name()='link'][not(@rel) or @rel='alternate']/@href")
    return links


def _absolute(base_url: str, hrefs: list[str]) -> list[str]:
    out = []
    for href in hrefs:
        href = href.strip()
        if href and not href.startswith(("javascript:", "mailto:", "#")):
            out.append(urljoin(base_url, href))
    return list(dict.fromkeys(out))
