"""Sites as declarations: what a crawl needs to know of one site (where it lives, how its
pages are extracted, where its articles are listed), and nothing about how to fetch.

A declaration is data plus pure functions; the crawl package turns it into requests.
`drmcrawl crawl NAME` and `scrapy crawl NAME` find a declaration here by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Listing:
    """What a listing page (home, category archive) links to: articles and more listings."""

    articles: list[str]
    navigation: list[str]


@dataclass(frozen=True)
class Site:
    """One site. `hosts`: the hosts its pages and sitemaps name (rebased onto a mirror's
    host when crawled from one). `profile`: the extraction profile (`drmcrawl.extract.profiles`),
    None for the generic layers; `selectors`, a profile written in the declaration instead.
    `timezone`: the site's, for dates the pages give without an offset (and the zone
    dates are shown in).

    `discovery` is "declared" (the functions below say where articles are listed) or "auto"
    (found by the generic spider: robots.txt's and the usual sitemaps, feeds the home page
    announces, listing pages; article pages told apart from the rest by evidence).

    Declared discovery (all pure functions of a URL or a page's bytes): `sitemap_indexes`
    are tried in order until one answers; `sitemap_role(url)` says what a sitemap listed in
    the index holds ("articles" for a complete listing of posts, "listings" for one of
    listing pages, None: not followed); `feeds` are RSS/Atom paths and `feed_links(body)`
    reads the article links of one; `is_article_url(url)` tells a candidate article
    permalink from navigation; `menu_links(html, url)` finds listings on the home page and
    `listing_links(body, content_type, url)` the articles and pagination of a listing (run
    in a worker process, so it must be a module-level function).

    For auto discovery: `article_urls` / `skip_urls` are regexes that decide a page's kind
    before any other evidence; `sitemaps`, `feeds` and `listings` add to what is found.
    `delay` (seconds) and `concurrency` set the politeness towards the site's host;
    `revisit` its revisit policy (AGE_DAYS:EVERY_DAYS,...)."""

    name: str
    base_url: str
    hosts: tuple[str, ...] = ()
    profile: str | None = None
    timezone: str | None = None
    selectors: tuple = ()  # a declaration's own profile: (field, CSS) pairs, see extract/profiles/toml.py
    discovery: str = "declared"
    sitemap_indexes: tuple[str, ...] = ()
    sitemap_role: Callable[[str], str | None] = lambda url: None
    feeds: tuple[str, ...] = ()
    feed_links: Callable[[bytes], list[str]] = lambda body: []
    is_article_url: Callable[[str], bool] = lambda url: True
    menu_links: Callable[[str, str], list[str]] = lambda html, url: []
    listing_links: Callable[[bytes, str, str], Listing] | None = None
    listings: tuple[str, ...] = field(default=("/",))
    sitemaps: tuple[str, ...] = ()
    article_urls: tuple[str, ...] = ()
    skip_urls: tuple[str, ...] = ()
    language: str | None = None
    delay: float | None = None
    concurrency: int | None = None
    revisit: str | None = None


_SITES: dict[str, Site] = {}
DEFAULT = "drm"  # what `drmcrawl crawl` with no site name crawls


def register(site: Site) -> Site:
    _SITES[site.name] = site
    return site


def get(name: str) -> Site:
    try:
        return _SITES[name]
    except KeyError:
        raise KeyError(f"unknown site {name!r}; known: {', '.join(names())}") from None


def names() -> list[str]:
    return sorted(_SITES)


# Importing the declarations registers them.
from drmcrawl.sites import drm  # noqa: E402,F401
