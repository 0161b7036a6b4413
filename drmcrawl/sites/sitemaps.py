"""Sitemaps of any site: where to look, how to read them safely, which to follow.

Pure functions, as Scrapy's `scrapy/utils/sitemap.py` beside its spider: the spider fetches
what `SitemapPlan` hands out and feeds the bodies back. Sitemaps are untrusted input: the
XML parser never resolves entities nor touches the network (billion laughs, XXE), and
gzipped bodies are inflated only up to a cap (a 50 KB gzip can hold gigabytes of zeros).
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from io import BytesIO
from urllib.parse import urljoin, urlsplit

from lxml import etree

from drmcrawl.extract.dates import parse_date
from drmcrawl.extract.urlkinds import non_article_reason

# The sitemaps protocol's own limit for one uncompressed sitemap.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 5
MAX_SITEMAPS = 500
GZIP_MAGIC = b"\x1f\x8b"
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#\d+|#x[0-9A-Fa-f]+);)")

# Where sites put sitemaps (tried after those robots.txt names): generic, Yoast / Rank
# Math, WordPress core (>= 5.5), Drupal's simple_sitemap, news sitemap plugins.
CANDIDATE_PATHS = (
    "/sitemap.xml", "/sitemap_index.xml", "/wp-sitemap.xml", "/sitemap-index.xml",
    "/sitemap/sitemap.xml", "/sitemaps/sitemap.xml", "/news-sitemap.xml", "/sitemap-news.xml",
    "/sitemap.xml.gz",
)

# Last path segment of a sitemap that lists only recent articles (Google News
# sitemaps hold two days) or no articles at all.
_NEWS_NAME = re.compile(r"news|latest|recent", re.I)
_TAXONOMY_NAME = re.compile(
    r"categor|(^|[-_/])tags?([-_.]|$)|post_tag|author|users?[-_.]|taxonom|topic|section", re.I)
_WORDPRESS_POSTS = re.compile(r"(^|/)(post-sitemap\d*\.xml|wp-sitemap-posts-post-\d+\.xml)(\.gz)?$")
_WHOLE_SITE_SIGNS = frozenset({"home", "category", "tag", "author", "static"})
_PAGES_NAME = re.compile(r"(^|[-_/])page[-_]sitemap|wp-sitemap-posts-page-|sitemap[-_]pages?[-_.]", re.I)


class SitemapError(ValueError):
    """A body that cannot be read as a sitemap (too large once inflated, broken gzip)."""


@dataclass(frozen=True)
class NewsFields:
    """Google News sitemap fields (`news:news`) of one URL."""

    publication_date: datetime | None
    title: str | None
    language: str | None
    publication_name: str | None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: datetime | None = None
    news: NewsFields | None = None


@dataclass(frozen=True)
class Sitemap:
    kind: str  # "urlset", "sitemapindex" or "unknown" (not a sitemap: HTML, junk)
    entries: tuple[SitemapEntry, ...]

    @property
    def is_news(self) -> bool:
        return any(e.news is not None for e in self.entries)


# -- reading one body --------------------------------------------------------------
def inflate(body: bytes, max_size: int = MAX_SITEMAP_BYTES) -> bytes:
    """`body` gunzipped when it is gzip (by its magic bytes, not its name: a `.xml.gz`
    may arrive already inflated by Content-Encoding, an `.xml` may be gzip), read up to
    `max_size` bytes. A truncated gzip gives what it holds, like browsers do."""
    if not body.startswith(GZIP_MAGIC):
        if len(body) > max_size:
            raise SitemapError(f"sitemap over {max_size} bytes")
        return body
    stream = gzip.GzipFile(fileobj=BytesIO(body))
    try:
        data = stream.read(max_size + 1)  # bounded read: memory stays within the cap
    except (OSError, EOFError, zlib.error) as exc:
        data = _readable_prefix(body, max_size)
        if not data:
            raise SitemapError(f"unreadable gzip: {exc}") from exc
    if len(data) > max_size:
        raise SitemapError(f"sitemap over {max_size} bytes once inflated (gzip bomb?)")
    return data


def _readable_prefix(body: bytes, max_size: int) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    try:
        return inflater.decompress(body, max_size + 1)
    except zlib.error:
        return b""


def _xml_parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=recover,
                           huge_tree=False, remove_comments=True, remove_pis=True, collect_ids=False)


def parse_xml(body: bytes, max_size: int = MAX_SITEMAP_BYTES) -> etree._Element | None:
    """A sitemap or feed body as an lxml tree, safely; None when nothing is readable.
    Raises SitemapError for a body over `max_size` (once inflated).

    Strict first: after its first error, libxml2's recovery mode drops every later
    `&amp;` (`?a=1&amp;b=2` becomes `?a=1b=2`, libxml2 2.14), so a sitemap with one bare
    `&` would corrupt all its URLs. The usual error (bare `&`) is repaired and parsed
    strictly again; recovery only reads what else is broken (the URLs after another
    error may still lose their `&`: better than none of them)."""
    data = inflate(body, max_size).lstrip()  # blank lines before `<?xml` are common too
    repaired = _BARE_AMPERSAND.sub(b"&amp;", data)
    for attempt, recover in ((data, False), (repaired, False), (repaired, True)):
        try:
            return etree.fromstring(attempt, parser=_xml_parser(recover))
        except etree.XMLSyntaxError:
            continue
    return None


def local_name(element) -> str:
    """`{namespace}loc` -> `loc`; "" for comments, entities and processing instructions."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def child_text(element, name: str) -> str | None:
    for child in element:
        if local_name(child) == name:
            text = "".join(child.itertext()).strip()  # itertext: CDATA and split text nodes
            return text or None
    return None


def parse_lastmod(value: str | None, zone: tzinfo = timezone.utc) -> datetime | None:
    """A W3C datetime (or any date `parse_date` reads) as an aware datetime; dates
    without a zone take `zone`. Junk is None, never an exception."""
    try:
        return parse_date(value, zone)
    except (ValueError, OverflowError, TypeError):
        return None


def parse_sitemap(body: bytes, url: str = "", zone: tzinfo = timezone.utc,
                  max_size: int = MAX_SITEMAP_BYTES) -> Sitemap:
    """Entries of a `<urlset>` or `<sitemapindex>` (gzipped or not). Relative `loc`s are
    resolved against `url`; entries without `loc` are skipped; image fields are ignored.
    Raises SitemapError only for an oversized or unreadable gzip body."""
    root = parse_xml(body, max_size)
    kind = local_name(root) if root is not None else ""
    if kind not in ("urlset", "sitemapindex"):
        return Sitemap("unknown", ())
    child = "url" if kind == "urlset" else "sitemap"
    entries = (_entry(el, url, zone) for el in root if local_name(el) == child)
    return Sitemap(kind, tuple(e for e in entries if e is not None))


def _entry(element, base_url: str, zone: tzinfo) -> SitemapEntry | None:
    loc = child_text(element, "loc")
    if not loc:
        return None
    news = next((c for c in element if local_name(c) == "news"), None)
    return SitemapEntry(urljoin(base_url, loc), parse_lastmod(child_text(element, "lastmod"), zone),
                        _news_fields(news, zone) if news is not None else None)


def _news_fields(news, zone: tzinfo) -> NewsFields:
    publication = next((c for c in news if local_name(c) == "publication"), None)
    keywords = child_text(news, "keywords") or ""
    return NewsFields(
        publication_date=parse_lastmod(child_text(news, "publication_date"), zone),
        title=child_text(news, "title"),
        language=child_text(publication, "language") if publication is not None else None,
        publication_name=child_text(publication, "name") if publication is not None else None,
        keywords=tuple(k.strip() for k in keywords.split(",") if k.strip()),
    )


# -- where to look -----------------------------------------------------------------
def sitemaps_from_robots(robots: bytes | str, base_url: str) -> list[str]:
    """`Sitemap:` lines of a robots.txt, in order, resolved against `base_url`, any
    extension (`.xml.gz` included: issue 19 item 13)."""
    if isinstance(robots, bytes):
        robots = robots.decode("utf-8-sig", errors="replace")
    found = []
    for line in robots.splitlines():
        name, sep, value = line.partition(":")
        value = value.split("#", 1)[0].strip()
        if sep and name.strip().lower() == "sitemap" and value:
            found.append(urljoin(base_url, value))
    return list(dict.fromkeys(found))


def candidate_sitemap_urls(site_url: str, from_robots: Iterable[str] = (), guess: bool = True) -> list[str]:
    """What to try: robots.txt's sitemaps first, then the usual places (robots.txt often
    names only a news sitemap; the complete index is at a usual place). A guess that
    reaches the same child sitemaps costs one request: the plan skips what it has seen."""
    guesses = [urljoin(site_url, path) for path in CANDIDATE_PATHS] if guess else []
    return list(dict.fromkeys([*from_robots, *guesses]))


def sitemap_role(url: str, sitemap: Sitemap | None = None) -> str:
    """"news", "taxonomy", "pages" or "posts", from the sitemap's name (its last path
    segment: Arc's `/sitemap/section/media/` lists the media section's stories) and content."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    name = segments[-1] if segments else ""
    if (sitemap is not None and sitemap.is_news) or _NEWS_NAME.search(name):
        return "news"
    if _PAGES_NAME.search(name):
        return "pages"
    if _TAXONOMY_NAME.search(name):
        return "taxonomy"
    return "posts"


# -- which to follow ---------------------------------------------------------------
@dataclass(frozen=True)
class PlannedSitemap:
    url: str
    depth: int  # 0: named by robots.txt, the declaration or a guess; n: n indexes below
    source: str  # "robots", "guess", "declared" or "index"


@dataclass(frozen=True)
class SitemapResult:
    """What one fetched sitemap gave: article candidates and whether they are a
    complete listing (an article missing from it is re-checked, issue 19 item 2)."""

    url: str
    role: str  # "index", "news", "taxonomy", "pages", "posts" or "unknown"
    complete: bool
    entries: tuple[SitemapEntry, ...]
    queued: tuple[str, ...] = ()  # child sitemaps of an index handed to the plan


@dataclass
class SitemapPlan:
    """Sitemaps of one site to fetch, indexes followed `max_depth` levels deep and at most
    `max_sitemaps` fetched (a chain of 300 nested indexes is 6 requests, not 301). What was
    cut is counted by reason in `cut` with a few URLs in `cut_examples`, so a run can say it.

    Drive it: `add()` the roots, then `pop()` a sitemap, fetch it, and hand the body to
    `record()` (or the failure to `failed()`); it is done when `pop()` returns None and no
    fetch is in flight (a recorded index queues more)."""

    max_depth: int = MAX_DEPTH
    max_sitemaps: int = MAX_SITEMAPS
    in_scope: Callable[[str], bool] | None = None  # sitemaps elsewhere are cut
    follow: Callable[[str], bool] | None = None  # which children of an index to fetch (None: all)
    zone: tzinfo = timezone.utc
    max_bytes: int = MAX_SITEMAP_BYTES
    cut: Counter = field(default_factory=Counter, init=False)
    cut_examples: dict[str, list[str]] = field(default_factory=dict, init=False)
    failures: dict[str, str] = field(default_factory=dict, init=False)
    results: dict[str, SitemapResult] = field(default_factory=dict, init=False)
    _queue: list[PlannedSitemap] = field(default_factory=list, init=False, repr=False)
    _seen: set[str] = field(default_factory=set, init=False, repr=False)
    _handed_out: int = field(default=0, init=False)
    _listed_failures: int = field(default=0, init=False)  # of sitemaps the site named, not of guesses

    def add(self, url: str, source: str = "declared", depth: int = 0) -> bool:
        """Queue a sitemap; False (and counted) when cut by depth, scope or seen before."""
        if url in self._seen:
            self.cut["already_seen"] += 1
            return False
        if depth > self.max_depth:
            return self._cut("depth", url)
        if self.in_scope is not None and not self.in_scope(url):
            return self._cut("offsite", url)
        if self._handed_out + len(self._queue) >= self.max_sitemaps:
            return self._cut("max_sitemaps", url)
        self._seen.add(url)
        self._queue.append(PlannedSitemap(url, depth, source))
        return True

    def pop(self) -> PlannedSitemap | None:
        """The next sitemap to fetch (breadth first), or None when none is waiting."""
        if not self._queue:
            return None
        self._handed_out += 1
        return self._queue.pop(0)

    def record(self, planned: PlannedSitemap, body: bytes) -> SitemapResult:
        try:
            sitemap = parse_sitemap(body, planned.url, self.zone, self.max_bytes)
        except SitemapError as exc:
            self.failed(planned, str(exc))
            return self._store(SitemapResult(planned.url, "unknown", False, ()))
        if sitemap.kind == "unknown":  # HTML soft 404, junk
            self.failed(planned, "not a sitemap")
            return self._store(SitemapResult(planned.url, "unknown", False, ()))
        if sitemap.kind == "sitemapindex":
            wanted = (e.loc for e in sitemap.entries if self.follow is None or self.follow(e.loc))
            queued = tuple(loc for loc in wanted if self.add(loc, "index", planned.depth + 1))
            return self._store(SitemapResult(planned.url, "index", False, (), queued))
        role = sitemap_role(planned.url, sitemap)
        complete = self._complete(planned, role, sitemap)
        return self._store(SitemapResult(planned.url, role, complete, sitemap.entries))

    def failed(self, planned: PlannedSitemap, reason: str) -> None:
        """A fetch that failed (HTTP error, timeout). A guessed location that is missing is
        normal (so is a declared one that has a `fallback`: the next one tried); a listed
        one is a hole in the listing (see `listing_complete`)."""
        self.failures[planned.url] = reason
        if planned.source not in ("guess", "fallback"):
            self._listed_failures += 1

    @staticmethod
    def _complete(planned: PlannedSitemap, role: str, sitemap: Sitemap) -> bool:
        """Generic rule: a posts sitemap reached from the site's index lists every post of
        its part (monthly sitemaps, post-sitemap2.xml, Arc's `?from=100`). A root urlset
        may be a "latest 1000" list: trusted as complete under a WordPress post sitemap's
        name, or when it is a whole-site sitemap (Drupal's simple_sitemap, jekyll-sitemap:
        it lists the home page or section, tag or static pages beside the articles).
        News sitemaps (two days) and feeds are partial by definition."""
        if role != "posts":
            return False
        if planned.depth > 0 or _WORDPRESS_POSTS.search(urlsplit(planned.url).path):
            return True
        return any(non_article_reason(e.loc) in _WHOLE_SITE_SIGNS for e in sitemap.entries)

    def _store(self, result: SitemapResult) -> SitemapResult:
        self.results[result.url] = result
        return result

    def _cut(self, reason: str, url: str) -> bool:
        self.cut[reason] += 1
        examples = self.cut_examples.setdefault(reason, [])
        if len(examples) < 5:
            examples.append(url)
        return False

    @property
    def fetched(self) -> int:
        """Sitemaps handed out to fetch so far."""
        return self._handed_out

    def listing_complete(self) -> bool:
        """True when the complete sitemaps seen add up to the whole site: at least one,
        and no listed sitemap was cut or failed. Only then does an article's absence from
        `complete_locs()` mean it is gone from the site's listing."""
        holes = self._listed_failures + sum(n for why, n in self.cut.items() if why != "already_seen")
        return holes == 0 and not self._queue and any(r.complete for r in self.results.values())

    def complete_locs(self) -> set[str]:
        return {e.loc for r in self.results.values() if r.complete for e in r.entries}
