"""Site profiles: one small class per site or theme, registered by domain.

A profile is the first and most precise extraction layer. `fill` runs before the
structured-data layers; `fill_fallback` runs after them, for values (like JNews' visible
date) that are only trustworthy when nothing better exists."""

from __future__ import annotations

from datetime import tzinfo
from urllib.parse import urlsplit

from drmcrawl.extract.dates import site_zone
from drmcrawl.extract.document import Document
from drmcrawl.model import Article


class Profile:
    name: str = ""
    domains: tuple[str, ...] = ()
    timezone: str | None = None
    site_name: str | None = None
    jsonld_script_class: str | None = None  # the authoritative JSON-LD script, when several
    reads_paywall_markup: bool = False  # a profile written for a site knows its paywall

    @property
    def zone(self) -> tzinfo | None:
        return site_zone(self.timezone)

    def matches(self, doc: Document) -> bool:
        """Markup-based detection for pages served from mirrors or unknown hosts."""
        return False

    def without_chrome(self, html: str) -> str:
        """The page minus markup that no layer reads on this site's article pages (menus,
        footers, popups), cut before parsing: parsing cost grows with the page. The
        default keeps everything."""
        return html

    def fill(self, doc: Document, article: Article) -> None:
        """Precise values from the site's own markup."""

    def fill_fallback(self, doc: Document, article: Article) -> None:
        """Values used only when the structured layers had nothing."""


_BY_NAME: dict[str, Profile] = {}
_BY_DOMAIN: dict[str, Profile] = {}


def register(profile_class: type[Profile]) -> type[Profile]:
    profile = profile_class()
    _BY_NAME[profile.name] = profile
    for domain in profile.domains:
        _BY_DOMAIN[domain] = profile
    return profile_class


def by_name(name: str) -> Profile:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown site profile {name!r}; known: {', '.join(sorted(_BY_NAME))}") from None


def for_url(url: str | None) -> Profile | None:
    host = (urlsplit(url or "").hostname or "").lower()
    while host:
        if host in _BY_DOMAIN:
            return _BY_DOMAIN[host]
        host = host.partition(".")[2] if host.startswith("www.") else ""
    return None


def find_profile(doc: Document) -> Profile | None:
    """By the page's URL, then by its canonical URL (a mirror keeps the live canonical),
    then by markup."""
    urls = (lambda: doc.url, lambda: doc.link_href("canonical"), lambda: (doc.meta.get("og:url") or [None])[0])
    for url in urls:  # lazily: the page's own URL almost always decides
        profile = for_url(url())
        if profile is not None:
            return profile
    for profile in _BY_NAME.values():
        if profile.matches(doc):
            return profile
    return None


def names() -> list[str]:
    return sorted(_BY_NAME)


# Importing the modules registers their profiles.
from drmcrawl.extract.profiles import jnews  # noqa: E402,F401
