"""URL helpers every layer shares: a page's site-relative identity, credentials kept out
of URLs, live URLs moved onto a mirror."""

from __future__ import annotations

from urllib.parse import unquote, urljoin, urlsplit, urlunsplit


def url_key(url: str) -> str:
    """Site-relative identity of a page: `https://www.site/slug/` and
    `http://127.0.0.1:8000/slug` are both `/slug`."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def rebase(url: str, base_url: str, site_domains: tuple[str, ...]) -> str:
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


def absolute(base_url: str, hrefs: list[str]) -> list[str]:
    out = []
    for href in hrefs:
        href = href.strip()
        if href and not href.startswith(("javascript:", "mailto:", "#")):
            out.append(urljoin(base_url, href))
    return list(dict.fromkeys(out))
