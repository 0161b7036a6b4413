"""The field vocabulary: one definition of an article record, shared by extraction,
storage and export (a test checks that all three agree)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Term:
    """A tag or category: the name shown on the page and the slug from its archive URL.

    Slugs matter because two DRM categories are both called "News"."""

    name: str
    slug: str | None = None


@dataclass
class Article:
    url: str
    canonical_url: str | None = None
    post_id: int | None = None
    site: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None
    tags: list[Term] = field(default_factory=list)
    categories: list[Term] = field(default_factory=list)
    description: str | None = None
    body: str | None = None
    body_html: str | None = None
    image_url: str | None = None
    image_caption: str | None = None
    language: str | None = None
    access: str | None = None  # "free", or "paywalled": the page shows only part of the article
    word_count: int | None = None
    # field name -> where its value came from, e.g. "profile.jnews", "jsonld.datePublished"
    sources: dict[str, str] = field(default_factory=dict)
    # field name -> how sure the layer that filled it is, from 0 to 1 (see `confidence_of`)
    confidence: dict[str, float] = field(default_factory=dict, repr=False, compare=False,
                                         metadata={"record": False})
    # Fields a layer has declared final, even if empty (not part of the record).
    settled: set[str] = field(default_factory=set, repr=False, compare=False, metadata={"record": False})

    def set(self, name: str, value: object, source: str, confidence: float | None = None) -> bool:
        """Fill `name` if it is still empty; record `source` and how sure that layer is
        (its usual reliability when the layer does not measure it for this page). Layers
        call this in order, so the first layer that knows a value wins."""
        if value in (None, "", [], ()) or _filled(getattr(self, name)) or name in self.settled:
            return False
        setattr(self, name, value)
        self.sources[name] = source
        self.confidence[name] = round(confidence_of(source, name) if confidence is None else confidence, 2)
        return True

    def wants(self, name: str) -> bool:
        """Whether `set(name, ...)` could still fill the field: layers ask before they
        compute a value, so fields a profile already filled cost nothing."""
        return not _filled(getattr(self, name)) and name not in self.settled

    def settle(self, name: str, source: str) -> None:
        """Declare `name` final: a layer that knows the page's markup says an empty value
        is the truth (no tags), so later guessing layers must not fill it."""
        if not _filled(getattr(self, name)):
            self.sources[name] = f"{source} (none)"
            self.confidence[name] = confidence_of(source, name)
        self.settled.add(name)

    def to_record(self) -> dict:
        """The flat, JSON-ready record used by `drmcrawl extract`, storage and exports."""
        record: dict = {}
        for name in RECORD_FIELDS:
            record[name] = _record_value(self, name)
        return record


# How often a layer's value is right, by source label prefix (the longest matching prefix
# wins), where measured per field on the development pages (see
# benchmarks/results/extraction-dev.md); other fields take the layer's general rate:
# markup written for machines beats layout guesses, a guess from the <title> is the least sure.
_LAYER_CONFIDENCE = {
    "profile.": 0.95, "computed": 1.0, "jsonld.": 0.85, "meta.": 0.8, "meta.keywords": 0.7,
    "dom.h1": 0.85, "dom.h2": 0.6, "dom.title": 0.4, "dom.time": 0.8, "dom.visible_date": 0.85,
    "dom.displayed_date": 0.85,
    "url.date": 0.8, "htmldate": 0.55, "dom.byline": 0.75, "dom.body_byline": 0.45,
    "dom.rel_tag": 0.8, "dom.tag_list": 0.6, "dom.html_lang": 0.9, "dom.link_canonical": 0.9,
    "dom.main_content": 0.8, "fallback.": 0.6,
}
_FIELD_CONFIDENCE = {
    ("title", "meta."): 0.65, ("authors", "meta."): 0.3, ("authors", "jsonld."): 0.75,
}


def confidence_of(source: str, field: str | None = None) -> float:
    """The usual reliability of the layer named by `source` for `field` (0.5 when
    unknown)."""
    if source.endswith("(publisher)"):
        return 0.5
    best = max((p for p in _LAYER_CONFIDENCE if source.startswith(p)), key=len, default=None)
    if best is None:
        return 0.5
    return _FIELD_CONFIDENCE.get((field, best), _LAYER_CONFIDENCE[best])


def _filled(value: object) -> bool:
    return value not in (None, "", [], ())


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _record_value(article: Article, name: str) -> object:
    if name in ("published", "modified"):
        return _iso(getattr(article, name))
    if name in ("tags", "categories"):
        return [t.name for t in getattr(article, name)]
    if name in ("tag_slugs", "category_slugs"):
        terms = article.tags if name == "tag_slugs" else article.categories
        return [t.slug for t in terms]
    return getattr(article, name)


_TERM_SLUG_FIELDS = {"tags": "tag_slugs", "categories": "category_slugs"}


def _record_fields() -> tuple[str, ...]:
    names: list[str] = []
    for f in dataclasses.fields(Article):
        if f.metadata.get("record") is False:
            continue
        names.append(f.name)
        if f.name in _TERM_SLUG_FIELDS:
            names.append(_TERM_SLUG_FIELDS[f.name])
    return tuple(names)


# Every key of a record, in export order: the Article fields, with the slug list of
# tags/categories right after the names.
RECORD_FIELDS: tuple[str, ...] = _record_fields()
LIST_FIELDS = frozenset({"authors", "tags", "tag_slugs", "categories", "category_slugs"})

# What the archive knows of an article beyond its page, exported after RECORD_FIELDS (export,
# list, search): first and last time it was seen live (UTC), how many versions were
# stored, and when and with which HTTP status it was found removed (empty while live).
ARCHIVE_FIELDS: tuple[str, ...] = ("first_seen", "last_seen", "version", "removed_at", "removed_status")
# Every export column, in order: the record, then the archive's columns.
EXPORT_FIELDS: tuple[str, ...] = RECORD_FIELDS + ARCHIVE_FIELDS


@dataclass(frozen=True)
class Known:
    """What the archive knows of one article URL (times naive UTC)."""

    url: str  # the URL it was last fetched from
    published: datetime | None
    first_seen: datetime
    last_checked: datetime | None
    sitemap_lastmod: datetime | None  # newest lastmod seen when it was fetched
    etag: str | None = None
    last_modified: str | None = None  # the server's Last-Modified header, verbatim
    removed: bool = False
