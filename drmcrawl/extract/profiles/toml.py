"""A profile written as data: the CSS selectors of a site declaration's `[site.profile]`
table (drmcrawl/sites/declare.py), for the common case where the generic layers miss one
field of a site and a few selectors say where it is:

    [site.profile]
    body = "div.story-body"
    authors = ".byline a"
    remove = [".ad", ".related"]      # inside the body

Each selector fills its field first (source `profile:toml`); the other layers fill what the
table leaves out. No code, so a declaration file stays safe to share."""

from __future__ import annotations

import copy
import functools

from lxml import etree
from lxml.cssselect import CSSSelector, SelectorError

from drmcrawl.extract.authors import clean_authors
from drmcrawl.extract.body import body_html, body_text, clean_copy
from drmcrawl.extract.dates import parse_date
from drmcrawl.extract.document import Document
from drmcrawl.extract.profiles import Profile
from drmcrawl.extract.tags import clean
from drmcrawl.model import Article, Term

FIELDS = ("title", "body", "authors", "published", "modified", "tags", "categories", "remove")
SOURCE = "profile:toml"


class BadSelectors(ValueError):
    """A selector table that cannot be used: the message names the key."""


class SelectorProfile(Profile):
    """Built from `(field, selector or selectors)` pairs; `timezone` is the site's."""

    name = "toml"
    reads_paywall_markup = True  # it knows a few selectors, not the site's paywall

    def __init__(self, selectors: tuple[tuple[str, str | tuple[str, ...]], ...] = (),
                 timezone: str | None = None):
        self.timezone = timezone
        table = dict(selectors)
        self._select = {key: _compile(key, value) for key, value in table.items() if key != "remove"}
        removes = table.get("remove", ())
        self._remove = [_compile("remove", css) for css in ((removes,) if isinstance(removes, str) else removes)]

    def fill(self, doc: Document, article: Article) -> None:
        tree = doc.tree
        if "title" in self._select:
            article.set("title", next(iter(_texts(self._select["title"](tree))), None), SOURCE)
        if "authors" in self._select:
            article.set("authors", clean_authors(_texts(self._select["authors"](tree))), SOURCE)
        for name in ("published", "modified"):
            if name in self._select:
                for el in self._select[name](tree):
                    value = el.get("datetime") or el.get("content") or " ".join(el.text_content().split())
                    if article.set(name, parse_date(value, self.zone), SOURCE):
                        break
        for name in ("tags", "categories"):
            if name in self._select:
                names = dict.fromkeys(clean(t) for t in _texts(self._select[name](tree)))  # "#Budget" -> "Budget"
                article.set(name, [Term(t) for t in names if t], SOURCE)
        if "body" in self._select:
            found = self._select["body"](tree)
            if found:
                content = self._without_removed(found[0])
                article.set("body", body_text(content), SOURCE)
                article.set("body_html", body_html(content), SOURCE)

    def _without_removed(self, element: etree._Element) -> etree._Element:
        if self._remove:
            element = copy.deepcopy(element)
            for select in self._remove:
                for el in select(element):
                    if el.getparent() is not None:
                        el.drop_tree()
        return clean_copy(element)


def _texts(elements) -> list[str]:
    return [t for t in (" ".join(el.text_content().split()) for el in elements) if t]


@functools.lru_cache(maxsize=256)
def _compile(key: str, css: str) -> CSSSelector:
    try:
        return CSSSelector(css)
    except (SelectorError, etree.XPathError, TypeError) as exc:
        raise BadSelectors(f"{key}: {css!r} is not a CSS selector ({exc})") from None


def check(table: dict) -> tuple[tuple[str, str | tuple[str, ...]], ...]:
    """The table as hashable pairs, or BadSelectors naming the first bad key (as
    `profile.KEY`)."""
    pairs = []
    for key, value in table.items():
        if key not in FIELDS:
            raise BadSelectors(f"profile.{key}: unknown key {key!r} (known: {', '.join(FIELDS)})")
        values = value if key == "remove" and isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) and v.strip() for v in values):
            kind = "a CSS selector or a list of them" if key == "remove" else "a CSS selector (a string)"
            raise BadSelectors(f"profile.{key}: must be {kind}")
        for css in values:
            try:
                _compile(key, css)
            except BadSelectors as exc:
                raise BadSelectors(f"profile.{exc}") from None
        pairs.append((key, tuple(values) if key == "remove" else value))
    if not pairs:
        raise BadSelectors("profile: an empty table; name a built-in profile or give selectors")
    return tuple(pairs)


@functools.lru_cache(maxsize=64)
def selector_profile(selectors: tuple, timezone: str | None = None) -> SelectorProfile:
    """One profile per declaration (workers extract many pages of one site)."""
    return SelectorProfile(selectors, timezone)
