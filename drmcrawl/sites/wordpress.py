"""WordPress URL forms and crawl surface (core and Yoast sitemaps, RSS), as pure functions:
which URL is a post permalink, which sitemap lists posts, how /page/N/ archives continue."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit, urlunsplit

from lxml import etree

# Where the sitemaps start: Yoast's index, then WordPress core's own (WP >= 5.5).
SITEMAP_INDEXES = ("/sitemap_index.xml", "/wp-sitemap.xml")
FEED_PATH = "/feed/"

# First path segments that are never a post permalink on a WordPress site.
_NAVIGATION_PREFIXES = frozenset(
    "category tag author feed page search wp-content wp-includes wp-admin wp-json "
    "comments trackback embed attachment".split()
)
_DATE_ARCHIVE = re.compile(r"^\d{4}(/\d{2}){0,2}$")
_POST_SITEMAP = re.compile(r"(^|/)(post-sitemap\d*\.xml|wp-sitemap-posts-post-\d+\.xml)(\.gz)?$")
# A feed parser that never resolves entities nor fetches anything: sitemaps and feeds
# are untrusted input (billion laughs, external entities).
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


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
    if first in _NAVIGATION_PREFIXES or _DATE_ARCHIVE.match(path) or path.endswith((".xml", ".txt", ".gz")):
        return "navigation"
    if "/page/" in f"/{path}/" or path.endswith("/feed"):
        return "navigation"
    return "post"


def is_post_sitemap(url: str) -> bool:
    return bool(_POST_SITEMAP.search(urlsplit(url).path))


def is_post_url(url: str) -> bool:
    """A candidate article: a post permalink, or a `?p=ID` shortlink to one."""
    return page_kind(url) in ("post", "shortlink")


def sitemap_role(url: str) -> str | None:
    """What a sitemap of the index lists: every post ("articles"), the category archives
    ("listings"), or nothing the crawl follows (pages, tags, authors)."""
    if is_post_sitemap(url):
        return "articles"
    if "category-sitemap" in urlsplit(url).path:
        return "listings"
    return None


PAGED = re.compile(r"^(?P<base>.*?/)page/(?P<n>\d+)/?$")


def next_page_url(url: str) -> str:
    """`/category/x/` -> `/category/x/page/2/`; `/category/x/page/2/` -> `.../page/3/`."""
    parts = urlsplit(url)
    match = PAGED.match(parts.path)
    base, n = (match["base"], int(match["n"])) if match else (parts.path.rstrip("/") + "/", 1)
    return urlunsplit((parts.scheme, parts.netloc, f"{base}page/{n + 1}/", "", ""))


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
