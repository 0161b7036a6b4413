"""Site declarations in a TOML file, one `[[site]]` table each:

    [[site]]
    name = "observer"                      # the archive's name for it (default: from the host)
    url = "https://www.policyobserver.example/"
    hosts = ["policyobserver.example"]     # more hosts its pages and sitemaps use
    timezone = "Europe/Brussels"           # for dates given without an offset
    language = "en"
    sitemaps = ["/sitemap.xml"]            # added to what robots.txt and the usual places give
    feeds = ["/rss.xml"]
    listings = ["/", "/news"]              # listing pages to start from (default: the home page)
    article_urls = ['^https?://[^/]+/news/\\d{4}/']   # regexes: these are articles...
    skip_urls = ['/live/']                 # ...and these never are
    profile = "jnews"                      # a built-in extraction profile (drmcrawl extract --profile),
                                           # or a table of CSS selectors (after the table's keys):
    [site.profile]                         # title, body, authors, published, modified, tags: the
    body = "div.story-body"                # first match fills the field (source profile:toml);
    authors = ".byline a"                  # remove: selectors dropped from the body. Fields the
    remove = [".ad", ".related"]           # table leaves out come from the generic layers.
    delay = 1.0                            # seconds between requests to the site
    concurrency = 2                        # requests in parallel to the site
    revisit = "7:0.25,30:1,*:30"           # revisit policy (drmcrawl crawl --revisit)

Errors name the file, the line and the key."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from drmcrawl.sites import Site
from drmcrawl.sites.auto import auto_site

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_TYPES = {"name": str, "url": str, "hosts": list, "timezone": str, "language": str, "sitemaps": list,
          "feeds": list, "listings": list, "article_urls": list, "skip_urls": list, "profile": (str, dict),
          "delay": (int, float), "concurrency": int, "revisit": str}
_TUPLES = ("hosts", "sitemaps", "feeds", "listings", "article_urls", "skip_urls")


class DeclarationError(ValueError):
    """A site declaration that cannot be used; the message names the file, line and key."""


def load_sites(path: str | Path) -> list[Site]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DeclarationError(f"{path}: cannot read it: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DeclarationError(f"{path}: {exc}") from exc
    tables = data.get("site")
    unknown_top = sorted(set(data) - {"site"})
    if unknown_top:
        raise DeclarationError(_where(path, text, unknown_top[0], 0) + f"unknown table or key {unknown_top[0]!r}; "
                               "declare each site in a [[site]] table")
    if not isinstance(tables, list) or not tables:
        raise DeclarationError(f"{path}: no [[site]] table")
    found = [_site(path, text, table, index) for index, table in enumerate(tables)]
    names = [site.name for site in found]
    for name in names:
        if names.count(name) > 1:
            raise DeclarationError(f"{path}: two sites are named {name!r}; give one a name = ...")
    return found


def _site(path: Path, text: str, table: dict, index: int) -> Site:
    def fail(key: str, message: str):
        raise DeclarationError(_where(path, text, key, index) + message)

    for key, value in table.items():
        if key not in _TYPES:
            fail(key, f"unknown key {key!r} (known: {', '.join(_TYPES)})")
        if not isinstance(value, _TYPES[key]) or isinstance(value, bool):
            fail(key, f"{key} must be {_type_name(_TYPES[key])}, not {type(value).__name__}")
        if key in _TUPLES and not all(isinstance(item, str) for item in value):
            fail(key, f"{key} must be a list of strings")
    if "url" not in table:
        fail("url", "every site needs url = \"https://...\"")
    for key in ("article_urls", "skip_urls"):
        for pattern in table.get(key, ()):
            try:
                re.compile(pattern)
            except re.error as exc:
                fail(key, f"{key}: {pattern!r} is not a regular expression ({exc})")
    if table.get("timezone"):
        from drmcrawl.extract.dates import site_zone

        if site_zone(table["timezone"]) is None:
            fail("timezone", f"unknown timezone {table['timezone']!r}")
    if isinstance(table.get("profile"), dict):
        from drmcrawl.extract.profiles.toml import BadSelectors, check

        try:
            table = {**table, "selectors": check(table["profile"]), "profile": None}
        except BadSelectors as exc:
            key = str(exc).partition(":")[0].removeprefix("profile.")
            raise DeclarationError(_where(path, text, key, index, within="profile") + str(exc)) from None
    elif table.get("profile"):
        from drmcrawl.extract import profiles

        if table["profile"] not in profiles.names():
            fail("profile", f"unknown profile {table['profile']!r} (known: {', '.join(profiles.names())}), "
                 "or a table of CSS selectors")
    if "delay" in table and table["delay"] < 0 or "concurrency" in table and table["concurrency"] < 1:
        fail("delay" if table.get("delay", 0) < 0 else "concurrency", "delay must be >= 0 and concurrency >= 1")
    fields = {key: tuple(value) if key in _TUPLES else value for key, value in table.items() if key != "url"}
    try:
        return auto_site(table["url"], **fields)
    except ValueError as exc:
        fail("url", str(exc))


def _type_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "a string", list: "a list", int: "an integer", float: "a number", dict: "a table"}
    return " or ".join(names[k] for k in kinds)


def _where(path: Path, text: str, key: str, index: int, within: str | None = None) -> str:
    """`FILE:LINE: [[site]] #N:` — the line of `key` inside the Nth [[site]] table (or its
    `within` subtable: `[site.profile]`, else the inline `profile = {...}` line), as far as
    plain text shows it (tomllib keeps no positions)."""
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines) if line.strip().startswith("[[site]]")]
    start = starts[index] if index < len(starts) else 0
    end = starts[index + 1] if index + 1 < len(starts) else len(lines)
    if within:
        header = re.compile(rf"^\s*\[\s*site\s*\.\s*{re.escape(within)}\s*\]")
        sub = next((n for n in range(start, end) if header.match(lines[n])), None)
        if sub is None:  # an inline table: its own line
            key, sub = within, start
        start = sub
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    line = next((n for n in range(start, end) if pattern.match(lines[n])), start)
    return f"{path}:{line + 1}: [[site]] #{index + 1}: "
