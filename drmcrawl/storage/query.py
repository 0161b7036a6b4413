"""Filtered reads of the archive shared by `search`, `list`, `export` and `report`.

Every filter value reaches the database as a bound parameter, never as SQL text. Repeating
a filter means "any of" (two --tag values: articles with either tag); different filters
combine with "and"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Text, func, literal_column, null, or_, select, type_coerce
from sqlalchemy.engine import Row
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from drmcrawl.model import ARCHIVE_FIELDS, EXPORT_FIELDS
from drmcrawl.storage.dialects import sqlite
from drmcrawl.storage.models import (
    Article,
    ArticleAuthor,
    ArticleCategory,
    ArticleTag,
    Author,
    Category,
    Tag,
)
from drmcrawl.storage.repository import Archive, join_time, record_of

CHUNK = 500
STATUSES = ("live", "removed", "all")
# ARCHIVE_FIELDS -> the `articles` column each comes from.
ARCHIVE_COLUMNS = {"first_seen": Article.first_seen, "last_seen": Article.last_seen,
                   "version": Article.version_count, "removed_at": Article.removed_at,
                   "removed_status": Article.removed_status}
_ARCHIVE_TIMES = ("first_seen", "last_seen", "removed_at")
assert tuple(ARCHIVE_COLUMNS) == ARCHIVE_FIELDS
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@dataclass(frozen=True)
class Filters:
    since: datetime | None = None  # naive UTC, inclusive
    until: datetime | None = None  # naive UTC, exclusive
    tags: tuple[str, ...] = ()  # tag name (any case) or slug
    categories: tuple[str, ...] = ()  # category name (any case) or slug
    authors: tuple[str, ...] = ()  # author name, any case
    sites: tuple[str, ...] = ()
    limit: int | None = None
    status: str = "all"  # live (not marked removed), removed, or all

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")

    def describe(self) -> dict:
        """JSON-ready, for manifests."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "tags": list(self.tags), "categories": list(self.categories),
            "authors": list(self.authors), "sites": list(self.sites), "limit": self.limit,
            "status": self.status,
        }


def parse_when(value: str, end: bool = False) -> datetime:
    """`YYYY`, `YYYY-MM`, `YYYY-MM-DD` (UTC calendar) or an ISO 8601 time (naive = UTC).
    With end=True a partial date means the end of that year/month/day (exclusive bound)."""
    value = value.strip()
    match = _PARTIAL_DATE.match(value)
    if match:
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            start = datetime(year, month or 1, day or 1)
        except ValueError as exc:
            raise ValueError(f"not a date: {value!r} ({exc})") from None
        if not end:
            return start
        if day:
            return start + timedelta(days=1)
        if month:
            return datetime(year + (month == 12), month % 12 + 1, 1)
        return datetime(year + 1, 1, 1)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date or ISO 8601 time: {value!r} (expected e.g. 2024-01-31)") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _term_filter(link, model, fk, values: tuple[str, ...], slug: bool):
    # SQLite's lower() folds ASCII only, so the exact name is matched too ("Über").
    lowered = [v.lower() for v in values]
    match = or_(func.lower(model.name).in_(lowered), model.name.in_(values))
    if slug:
        match = or_(match, model.slug.in_(values))
    return Article.id.in_(select(link.article_id).join(model, fk == model.id).where(match))


def conditions(filters: Filters) -> list:
    where = []
    if filters.since is not None:
        where.append(Article.published_utc >= filters.since)
    if filters.until is not None:
        where.append(Article.published_utc < filters.until)
    if filters.sites:
        where.append(Article.site.in_(filters.sites))
    if filters.status == "live":
        where.append(Article.removed_at.is_(None))
    elif filters.status == "removed":
        where.append(Article.removed_at.is_not(None))
    if filters.tags:
        where.append(_term_filter(ArticleTag, Tag, ArticleTag.tag_id, filters.tags, slug=True))
    if filters.categories:
        where.append(_term_filter(ArticleCategory, Category, ArticleCategory.category_id,
                                  filters.categories, slug=True))
    if filters.authors:
        where.append(_term_filter(ArticleAuthor, Author, ArticleAuthor.author_id, filters.authors, slug=False))
    return where


NEWEST_FIRST = (Article.published_utc.desc().nulls_last(), Article.id)


def _ids_query(filters: Filters):
    return select(Article.id).where(*conditions(filters)).order_by(*NEWEST_FIRST).limit(filters.limit)


def iter_records(archive: Archive, filters: Filters = Filters(), chunk: int = CHUNK) -> Iterator[dict]:
    """Matching articles as records (keys = EXPORT_FIELDS: the record, then the archive
    columns), newest first, streamed."""
    with archive.session() as s:
        yield from _stream(s, filters, chunk)


@contextmanager
def snapshot(archive: Archive, filters: Filters = Filters(), chunk: int = CHUNK):
    """(coverage, records) read in one transaction, so a bundle's manifest describes
    exactly the rows its files hold even while a crawl is writing (WAL snapshot)."""
    with archive.session() as s:
        sqlite.begin_read(s.connection())
        yield _coverage(s, filters), _stream(s, filters, chunk)


def _stream(s: Session, filters: Filters, chunk: int) -> Iterator[dict]:
    """Ids come from a cursor in partitions; each partition's rows are loaded, yielded and
    forgotten, so memory stays flat at any archive size."""
    result = s.execute(_ids_query(filters).execution_options(yield_per=chunk))
    for part in result.partitions():
        yield from _load_records(s, [article_id for (article_id,) in part])
        s.expunge_all()


def _load_records(s: Session, ids: list[int]) -> list[dict]:
    """Records of `ids` in that order, in four Core queries (articles, then each kind of
    term): ORM objects with eager-loaded links cost ~70% of a CSV export."""
    rows = {row.id: row for row in s.execute(select(Article.__table__).where(Article.id.in_(ids)))}
    authors = _terms_by_article(s, ArticleAuthor, Author, ArticleAuthor.author_id, ids, slug=False)
    tags = _terms_by_article(s, ArticleTag, Tag, ArticleTag.tag_id, ids)
    categories = _terms_by_article(s, ArticleCategory, Category, ArticleCategory.category_id, ids)
    return [record_of(rows[i], [name for name, _ in authors.get(i, ())], tags.get(i, []), categories.get(i, []))
            | archive_values(rows[i]) for i in ids]


def archive_values(row) -> dict:
    """The ARCHIVE_FIELDS of an `articles` row: times as UTC ISO 8601 to the second."""
    values = {name: getattr(row, column.key) for name, column in ARCHIVE_COLUMNS.items()}
    for name in _ARCHIVE_TIMES:
        values[name] = archive_time(values[name])
    return values


def archive_time(moment: datetime | None) -> str | None:
    return _utc_iso(moment.replace(microsecond=0)) if moment else None


def _archive_time_sql(column):
    """archive_time in SQL, for the flat rows: 2024-01-01T00:00:00+00:00."""
    name = f"articles.{column.key}"
    return literal_column(
        f"(CASE WHEN {name} IS NULL THEN NULL ELSE replace(substr({name}, 1, 19), ' ', 'T') || '+00:00' END)",
        Text)


def _terms_by_article(s: Session, link, model, fk, ids: list[int], slug: bool = True) -> dict[int, list]:
    columns = (link.article_id, model.name, model.slug if slug else null())
    query = select(*columns).join(model, fk == model.id).where(link.article_id.in_(ids)).order_by(
        link.article_id, link.position)
    found: dict[int, list] = {}
    for article_id, name, slug_value in s.execute(query):
        found.setdefault(article_id, []).append((name, slug_value))
    return found


# -- flat rows: the one-query export ---------------------------------------------------
def has_flat_rows(archive: Archive) -> bool:
    """Whether `iter_flat_rows` works on this database (its SQL is SQLite's)."""
    return archive.engine.dialect.name == "sqlite"


# Flat rows hold whole bodies (~4 KB, in memory up to 4 bytes a character once a cell
# has an emoji): 100 keeps a chunk's text a few MB; 500 measured +20 MB peak RSS, no faster.
FLAT_CHUNK = 100


def iter_flat_rows(archive: Archive, filters: Filters = Filters(), separator: str = "; ",
                   chunk: int = FLAT_CHUNK) -> Iterator[list[Row]]:
    """The matching articles as rows (tuples) in EXPORT_FIELDS order, newest first, in
    lists of up to `chunk` rows, from ONE streamed query: term lists already joined with
    `separator` in page order (NULL when empty), times as the records' ISO text, `sources`
    as its stored JSON text; other columns as stored. What a CSV export needs without
    assembling a record per row (~70% of its time on the record path); same filters and
    order as `iter_records`."""
    query = select(*_flat_columns(separator)).where(*conditions(filters)).order_by(*NEWEST_FIRST)
    with archive.session() as s:
        result = s.execute(query.limit(filters.limit).execution_options(yield_per=chunk))
        yield from result.partitions()


def _flat_columns(separator: str) -> list:
    def terms(link: str, term: str, fk: str, column_name: str = "name"):
        return sqlite.joined_terms(link, term, fk, column_name, separator)

    computed = {
        "authors": terms("article_authors", "authors", "author_id"),
        "published": sqlite.iso_time("published"),
        "modified": sqlite.iso_time("modified"),
        "tags": terms("article_tags", "tags", "tag_id"),
        "tag_slugs": terms("article_tags", "tags", "tag_id", "slug"),
        "categories": terms("article_categories", "categories", "category_id"),
        "category_slugs": terms("article_categories", "categories", "category_id", "slug"),
        "sources": type_coerce(Article.sources, Text),  # the JSON text, not parsed per row
        **{name: _archive_time_sql(ARCHIVE_COLUMNS[name]) for name in _ARCHIVE_TIMES},
        "version": Article.version_count,
    }
    return [(computed[name] if name in computed else getattr(Article, name)).label(name) for name in EXPORT_FIELDS]


@dataclass
class Coverage:
    articles: int
    run_ids: list[int]
    published_min: str | None
    published_max: str | None


def coverage(archive: Archive, filters: Filters = Filters()) -> Coverage:
    """What an export with these filters holds: count, crawl runs, time window (UTC)."""
    with archive.session() as s:
        return _coverage(s, filters)


def _coverage(s: Session, filters: Filters) -> Coverage:
    matching = select(Article).where(Article.id.in_(_ids_query(filters).scalar_subquery())).subquery()
    count, low, high = s.execute(select(
        func.count(matching.c.id), func.min(matching.c.published_utc), func.max(matching.c.published_utc),
    )).one()
    runs: set[int] = set()
    for column in (matching.c.first_run_id, matching.c.last_run_id):
        runs.update(r for r in s.scalars(select(column).distinct()) if r is not None)
    return Coverage(count, sorted(runs), _utc_iso(low), _utc_iso(high))


def _utc_iso(moment: datetime | None) -> str | None:
    return moment.replace(tzinfo=timezone.utc).isoformat() if moment else None


# -- search -------------------------------------------------------------------------
@dataclass
class Hit:
    id: int
    score: float  # bm25, lower is better
    published: str | None
    title: str | None
    url: str
    snippet: str
    archive: dict  # ARCHIVE_FIELDS


# A query is capped before it reaches FTS5: 30,000 repeated words took 50 s on 21 articles.
MAX_QUERY_TERMS = 64
MAX_QUERY_CHARS = 1000


def cap_query(text: str, raw: bool = False) -> tuple[str, list[str]]:
    """The query as it will be searched, and what was cut from it (one note per kind of
    cut, for a warning). Plain words: repeated words (any case) dropped, then at most
    MAX_QUERY_TERMS distinct words and MAX_QUERY_CHARS characters. A --raw query is FTS5
    syntax, which cannot be cut safely: longer than MAX_QUERY_CHARS is an error."""
    if raw:
        if len(text) > MAX_QUERY_CHARS:
            raise ValueError(f"a --raw query is at most {MAX_QUERY_CHARS} characters (this one has {len(text)})")
        return text, []
    words = text.split()
    first: dict[str, str] = {}
    for word in words:
        first.setdefault(word.casefold(), word)
    distinct = list(first.values())
    notes = []
    if len(distinct) < len(words):
        notes.append(f"{len(words) - len(distinct)} repeated words dropped")
    kept: list[str] = []
    size = 0
    for word in distinct:
        if len(kept) == MAX_QUERY_TERMS or size + len(word) + bool(kept) > MAX_QUERY_CHARS:
            break
        kept.append(word)
        size += len(word) + (len(kept) > 1)
    if len(kept) < len(distinct):
        notes.append(f"only the first {len(kept)} of {len(distinct)} distinct words searched "
                     f"(at most {MAX_QUERY_TERMS} words and {MAX_QUERY_CHARS} characters)")
    return " ".join(kept), notes


def quote_query(text: str) -> str:
    """Plain words -> an FTS5 query that matches all of them, whatever they contain:
    each word becomes a quoted string, so `"`, `OR`, `NOT`, `*`, `:` and parentheses are
    searched as text instead of being read as query syntax. Words without a letter or
    digit (`*`, `(`) index nothing, so they are left out rather than matching nothing.
    The words are capped first (`cap_query`)."""
    words = [word for word in cap_query(text)[0].split() if _WORD.search(word)]
    if not words:
        raise ValueError(f"nothing to search for in {text!r}: give at least one word")
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


_WORD = re.compile(r"\w")


def search(archive: Archive, text: str, filters: Filters = Filters(), raw: bool = False) -> list[Hit]:
    """Articles matching `text` (all words, any field), best first (bm25), with a snippet
    whose matches are wrapped in [ ]. raw=True passes FTS5 query syntax through."""
    if not text.strip():
        raise ValueError("empty search query")
    match = cap_query(text, raw=True)[0] if raw else quote_query(text)
    where = conditions(filters)
    fts = sqlite.match_subquery(match, limit=None if where else filters.limit)
    query = (
        select(Article.id, fts.c.score, Article.published_utc, Article.published_offset,
               Article.title, Article.url, *ARCHIVE_COLUMNS.values())
        .join(fts, fts.c.rowid == Article.id)
        .where(*where)
        .order_by(fts.c.score, Article.id)
        .limit(filters.limit)
    )
    with archive.session() as s:
        try:
            sqlite.begin_read(s.connection())  # the hits and their snippets: one snapshot
            rows = s.execute(query).all()
            found = sqlite.snippets(s.connection(), match, [row[0] for row in rows])
        except OperationalError as exc:
            if raw and "fts5" in str(exc.orig):
                raise ValueError(f"bad FTS5 query {text!r} ({exc.orig}); without --raw the words are "
                                 "searched as plain text") from None
            raise
    hits = []
    for article_id, score, utc, offset, title, url, *archive in rows:
        published = join_time(utc, offset)
        snippet = " ".join((found.get(article_id) or "").split())  # one line in every output format
        values = dict(zip(ARCHIVE_FIELDS, archive, strict=True))
        values.update({name: archive_time(values[name]) for name in _ARCHIVE_TIMES})
        hits.append(Hit(article_id, score, published.isoformat() if published else None, title, url, snippet,
                        values))
    return hits
