"""Feeds of any site: RSS 2.0, Atom and RSS 1.0 (RDF), and where to find them.

A feed is a partial listing (the latest N posts): a fast freshness source, never
evidence that an article it does not list is gone. Parsed with the sitemaps' safe
parser (no entities, no network, gzip capped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from urllib.parse import urldefrag, urljoin

from drmcrawl.extract.document import Document
from drmcrawl.sites.sitemaps import MAX_SITEMAP_BYTES, child_text, local_name, parse_lastmod, parse_xml

# JSON Feed (application/feed+json) is left out: no parser for it here.
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml",
                        "application/xml", "text/xml"})
# WordPress /feed/, Ghost /rss/, Jekyll /feed.xml, Hugo /index.xml, Blogger /atom.xml.
CANDIDATE_PATHS = ("/feed/", "/rss/", "/atom.xml", "/feed.xml", "/index.xml", "/rss.xml")
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"


@dataclass(frozen=True)
class FeedEntry:
    link: str
    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    kind: str  # "rss", "atom", "rdf" or "unknown"
    title: str | None
    entries: tuple[FeedEntry, ...]


def parse_feed(body: bytes, url: str = "", zone: tzinfo = timezone.utc,
               max_size: int = MAX_SITEMAP_BYTES) -> Feed:
    """Entries of an RSS 2.0, Atom or RSS 1.0 feed (gzipped or not); links resolved
    against `url` (and Atom's xml:base); dates aware (naive ones take `zone`). Entries
    without a link are skipped. Not a feed: kind "unknown", no entries. Raises
    SitemapError only for an oversized or unreadable gzip body."""
    root = parse_xml(body, max_size)
    kind = {"rss": "rss", "feed": "atom", "RDF": "rdf"}.get(local_name(root) if root is not None else "")
    if kind is None:
        return Feed("unknown", None, ())
    if kind == "atom":
        base = urljoin(url, root.get(_XML_BASE) or "")
        entries = [_atom_entry(el, base, zone) for el in root if local_name(el) == "entry"]
        return Feed(kind, child_text(root, "title"), tuple(e for e in entries if e))
    channel = next((el for el in root if local_name(el) == "channel"), None)
    # RSS 2.0 items are inside <channel>; RSS 1.0 items are siblings of it.
    items = channel if kind == "rss" and channel is not None else root
    entries = [_rss_entry(el, url, zone) for el in items if local_name(el) == "item"]
    title = child_text(channel, "title") if channel is not None else None
    return Feed(kind, title, tuple(e for e in entries if e))


def _rss_entry(item, base: str, zone: tzinfo) -> FeedEntry | None:
    link = child_text(item, "link") or _permalink_guid(item) or item.get(_RDF_ABOUT)
    if not link:
        return None
    return FeedEntry(
        link=_page_url(urljoin(base, link)),
        title=child_text(item, "title"),
        published=_date(item, zone, "pubDate", "date", "published", "issued"),  # dc:date in RSS 1.0
        updated=_date(item, zone, "updated", "modified"),
        categories=_texts(item, "category", "subject"),
    )


def _permalink_guid(item) -> str | None:
    """An RSS 2.0 `<guid>` is the permalink unless `isPermaLink="false"`."""
    for child in item:
        if local_name(child) == "guid" and (child.get("isPermaLink") or "true").lower() != "false":
            text = (child.text or "").strip()
            return text if text.startswith(("http://", "https://", "/")) else None
    return None


def _atom_entry(entry, base: str, zone: tzinfo) -> FeedEntry | None:
    base = urljoin(base, entry.get(_XML_BASE) or "")
    links = [el for el in entry if local_name(el) == "link" and el.get("href")]
    alternate = next((el for el in links if el.get("rel", "alternate") == "alternate"), None)
    if alternate is None:
        return None
    categories = tuple(c for c in (el.get("term") or el.get("label") for el in entry
                                   if local_name(el) == "category") if c and c.strip())
    return FeedEntry(
        link=_page_url(urljoin(base, alternate.get("href").strip())),
        title=child_text(entry, "title"),
        published=_date(entry, zone, "published", "issued"),
        updated=_date(entry, zone, "updated", "modified"),
        categories=tuple(c.strip() for c in categories),
    )


def _page_url(link: str) -> str:
    """The page an entry links to: a comments feed links `post/#comment-9`."""
    return urldefrag(link).url


def _date(element, zone: tzinfo, *names: str) -> datetime | None:
    for name in names:
        value = parse_lastmod(child_text(element, name), zone)
        if value is not None:
            return value
    return None


def _texts(element, *names: str) -> tuple[str, ...]:
    found = ("".join(c.itertext()).strip() for c in element if local_name(c) in names)
    return tuple(dict.fromkeys(t for t in found if t))


# -- where to look -----------------------------------------------------------------
def feed_urls_in_page(html: str | bytes | Document, url: str = "") -> list[str]:
    """Feeds a page announces: `<link rel="alternate" type="application/rss+xml">` (or
    atom+xml, rdf+xml), in page order. Comment feeds come last: they list comments, not
    posts, but are sometimes the only feed a page names."""
    doc = html if isinstance(html, Document) else Document(html, url)
    found = []
    for el in doc.tree.iter("link"):
        rel = (el.get("rel") or "").lower().split()
        kind = (el.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and kind in FEED_TYPES and el.get("href"):
            found.append(doc.absolute(el.get("href")))
    found.sort(key=lambda u: "comments" in u.lower())
    return list(dict.fromkeys(found))


def candidate_feed_urls(site_url: str, announced: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Feeds the home page announces first, then the usual paths."""
    return list(dict.fromkeys([*announced, *(urljoin(site_url, p) for p in CANDIDATE_PATHS)]))
