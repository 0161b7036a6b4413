"""What a first look at a site finds, as pure functions (no fetching: `drmcrawl.crawl.probing`
fetches, `drmcrawl sites add` prints and declares).

A probe reads robots.txt (may we crawl, the sitemaps it names, its Crawl-delay), the
sitemaps it and the usual places give (how many URLs each lists), the feeds the home page
announces and the usual feed paths, and a few sample article pages, extracted like a crawl
extracts them: the share of samples with each field filled is the site's first health
reading (`fill_rates`, shared with the health of crawl runs)."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.robotparser import RobotFileParser

from drmcrawl.extract.body import word_count
from drmcrawl.sites.sitemaps import SitemapError, parse_sitemap, sitemap_role

# The fields whose fill rate is a site's health, in display order.
HEALTH_FIELDS = ("title", "authors", "published", "tags", "body")
# A body counts as filled from this many words (a teaser or a paywall prompt is shorter).
BODY_WORDS = 100
SAMPLES = 5


@dataclass(frozen=True)
class Filled:
    """What one article has: the fields of `HEALTH_FIELDS` as facts."""

    title: bool
    authors: bool
    published: bool
    tags: bool
    words: int

    @property
    def body(self) -> bool:
        return self.words > BODY_WORDS


def filled(article) -> Filled:
    """`article`: an extracted `drmcrawl.model.Article` (or anything with its fields)."""
    return Filled(bool(article.title), bool(article.authors), article.published is not None, bool(article.tags),
                  article.word_count if article.word_count is not None else word_count(article.body))


def fill_rates(articles: Iterable[Filled]) -> dict:
    """{"articles": n, "fill": {field: share 0..1}, "median_words": n} of `articles`."""
    articles = list(articles)
    n = len(articles)
    fill = {name: round(sum(getattr(a, name) for a in articles) / n, 3) if n else None for name in HEALTH_FIELDS}
    median = round(statistics.median(a.words for a in articles)) if n else None
    return {"articles": n, "fill": fill, "median_words": median}


def robots_rules(text: str, url: str) -> RobotFileParser:
    parser = RobotFileParser(url)
    parser.parse(text.splitlines())
    return parser


@dataclass
class SitemapCount:
    url: str
    role: str  # index | posts | news | pages | taxonomy | unreadable
    urls: int  # URLs (or sitemaps, for an index) it lists


def count_sitemap(body: bytes, url: str) -> tuple[SitemapCount, list[str]]:
    """How many URLs a sitemap lists, and the sitemaps it names (for an index)."""
    try:
        sitemap = parse_sitemap(body, url)
    except SitemapError:
        return SitemapCount(url, "unreadable", 0), []
    if sitemap.kind == "unknown":
        return SitemapCount(url, "unreadable", 0), []
    if sitemap.kind == "sitemapindex":
        return SitemapCount(url, "index", len(sitemap.entries)), [e.loc for e in sitemap.entries]
    role, children = sitemap_role(url, sitemap), []
    return SitemapCount(url, role, len(sitemap.entries)), children


def sample_urls(candidates: Iterable[str], limit: int = SAMPLES) -> list[str]:
    """Up to `limit` distinct candidates, spread over the list (newest first in a feed)."""
    seen = list(dict.fromkeys(candidates))
    if len(seen) <= limit:
        return seen
    step = len(seen) / limit
    return [seen[int(i * step)] for i in range(limit)]


@dataclass
class Probe:
    """What `drmcrawl sites add` found on a site."""

    url: str
    name: str
    robots: str = "missing"  # found | missing | unreadable
    allowed: bool = True  # may our User-Agent fetch the home page
    crawl_delay: float | None = None
    sitemaps: list[SitemapCount] = field(default_factory=list)
    feeds: dict[str, int] = field(default_factory=dict)  # feed URL -> entries
    samples: dict[str, str] = field(default_factory=dict)  # sample URL -> "article" or why not
    health: dict = field(default_factory=lambda: fill_rates([]))

    @property
    def sources(self) -> list[str]:
        found = []
        if any(s.urls for s in self.sitemaps):
            found.append("sitemaps")
        if self.feeds:
            found.append("feeds")
        return found + ["listings"]


def report_lines(probe: Probe) -> list[str]:
    """The probe as a person reads it."""
    delay = f", Crawl-delay {probe.crawl_delay:g}s" if probe.crawl_delay else ""
    lines = [f"site {probe.name}: {probe.url}",
             f"robots.txt: {probe.robots}; home page {'allowed' if probe.allowed else 'DISALLOWED'}{delay}"]
    readable = [s for s in probe.sitemaps if s.role != "unreadable"]
    lines.append(f"sitemaps: {len(readable)} found, {sum(s.urls for s in readable if s.role != 'index')} URLs listed")
    lines += [f"  {s.url} ({s.role}): {s.urls} {'sitemaps' if s.role == 'index' else 'URLs'}" for s in readable]
    lines.append(f"feeds: {len(probe.feeds)} found")
    lines += [f"  {url}: {n} entries" for url, n in probe.feeds.items()]
    articles = sum(1 for v in probe.samples.values() if v == "article")
    lines.append(f"samples: {len(probe.samples)} fetched, {articles} articles")
    lines += [f"  {url}: {verdict}" for url, verdict in probe.samples.items() if verdict != "article"]
    lines += health_lines(probe.health)
    return lines


def health_lines(health: dict) -> list[str]:
    fill = health.get("fill") or {}
    rates = ", ".join(f"{name} {_share(fill.get(name))}" for name in HEALTH_FIELDS)
    return [f"fill rates over {health.get('articles', 0)} articles: {rates}",
            f"median body: {health.get('median_words') if health.get('median_words') is not None else '-'} words"]


def _share(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


# -- the declaration ----------------------------------------------------------------
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def check_name(name: str, taken: Iterable[str]) -> None:
    if not _NAME.match(name):
        raise ValueError(f"site name {name!r}: use letters, digits, '.', '_' and '-'")
    if name in set(taken):
        raise ValueError(f"a site named {name!r} is already declared; choose another with --name")


def declaration(probe: Probe) -> str:
    """A `[[site]]` table for `probe`'s site (TOML; see `drmcrawl.sites.declare`)."""
    lines = ["[[site]]", f"name = {_toml_string(probe.name)}", f"url = {_toml_string(probe.url)}"]
    if probe.crawl_delay:
        lines.append(f"delay = {float(probe.crawl_delay)!r}")
    lines.insert(1, f"# sources found by `drmcrawl sites add`: {', '.join(probe.sources)}")
    return "\n".join(lines) + "\n"


def append_declaration(existing: str, table: str) -> str:
    """`existing` file text with `table` after it, separated by a blank line; the user's
    text is kept byte for byte."""
    if not existing:
        return table
    separator = "\n" if existing.endswith("\n") else "\n\n"
    if existing.endswith("\n\n"):
        separator = ""
    return existing + separator + table


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
