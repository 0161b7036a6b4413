"""Declarations of sites nobody wrote a declaration for: a home page URL is enough."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from drmcrawl.extract.urlkinds import non_article_reason
from drmcrawl.sites import Site


def auto_site(url: str, name: str | None = None, **fields) -> Site:
    """A site found from its home page `url` (scheme, host and port are its scope), named
    after its host (and port) unless `name` is given. `fields`: any other `Site` field."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"a site is an http(s) URL, got {url!r}")
    base_url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return Site(name=name or site_name(url), base_url=base_url, discovery="auto",
                is_article_url=maybe_article_url, **fields)


def site_name(url: str) -> str:
    """`https://www.example.org/` -> "example.org"; a port is kept ("127.0.0.1-8001")."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    name = f"{host}-{parts.port}" if parts.port else host
    return re.sub(r"[^a-z0-9.-]+", "-", name)


def maybe_article_url(url: str) -> bool:
    """Not one of the URLs that are never an article (tags, authors, search, feeds...)."""
    return non_article_reason(url) is None
