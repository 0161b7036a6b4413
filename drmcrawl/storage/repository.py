"""Repository API over the archive: runs, articles (upsert, never duplicates),
failures, streaming reads for export, stats."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import create_engine, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from drmcrawl.archive.content import content_digest
from drmcrawl.discovery import url_key
from drmcrawl.extract.model import RECORD_FIELDS, Term
from drmcrawl.extract.model import Article as ArticleData
from drmcrawl.storage import migrate, sqlite
from drmcrawl.storage.fetches import FetchStore
from drmcrawl.storage.history import HistoryStore
from drmcrawl.storage.models import (
    Article,
    ArticleAuthor,
    ArticleCategory,
    ArticleTag,
    ArticleVersion,
    Author,
    Base,
    Category,
    Failure,
    Tag,
)
from drmcrawl.storage.runs import RUN_COUNTERS, RunStore, RunSummary  # noqa: F401 (re-exported)

DEFAULT_DB = Path("data") / "drmcrawl.sqlite"
ENV_DB = "DRMCRAWL_DB"
_EXPORT_CHUNK = 500


class StorageError(RuntimeError):
    """The database cannot be opened or written (bad path, read-only, disk full...)."""


def resolve_db_url(db: str | os.PathLike | None = None) -> str:
    """A path or SQLAlchemy URL; default: $DRMCRAWL_DB, else data/drmcrawl.sqlite."""
    value = str(db or os.environ.get(ENV_DB) or DEFAULT_DB)
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Archive(FetchStore, HistoryStore, RunStore):
    def __init__(self, db: str | os.PathLike | None = None):
        self.url = resolve_db_url(db)
        try:
            self.engine = create_engine(self.url)
            sqlite.configure(self.engine)
            migrate.add_missing_columns(self.engine)
            Base.metadata.create_all(self.engine)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot open database {self.url}: {exc.orig or exc}") from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            migrate.add_first_versions(self)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot upgrade database {self.url}: {exc.orig or exc}") from exc

    @property
    def location(self) -> str:
        """A path for SQLite files, the URL otherwise."""
        prefix = "sqlite:///"
        return self.url[len(prefix):] if self.url.startswith(prefix) else self.url

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise StorageError(f"database error on {self.location}: {exc}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # -- articles ----------------------------------------------------------------
    def save_article(self, article: ArticleData, run_id: int | None = None, *, fetch_id: int | None = None,
                     extractor_version: str | None = None, seen: bool = True) -> str:
        """Insert or update in place. Returns "new", "updated" or "unchanged".

        A new version is stored only when the normalised content changed (see
        `drmcrawl.archive.content`). `seen=False` is a re-extraction from the archive: the
        article was not fetched now, so its seen/checked times and removal mark stay."""
        record = article.to_record()
        site = article.site or urlsplit(article.url).hostname or ""
        key = url_key(article.canonical_url or article.url)
        digest = content_digest(record)
        now = utcnow()
        with self.session() as s:
            row = _find(s, site, article.post_id, key)
            if row is None:
                row = Article(site=site, first_seen=now, last_seen=now, first_run_id=run_id, version_count=0)
                outcome = "new"
            else:
                outcome = "unchanged" if row.content_hash == digest else "updated"
            if seen:
                row.last_seen = row.last_checked = now
                row.last_run_id = run_id
                row.removed_at = row.removed_status = None
            row.url_key, row.content_hash = key, digest
            row.extractor_version = extractor_version or row.extractor_version
            with s.no_autoflush:
                if outcome == "unchanged":
                    _fill_scalars(row, article)  # fields outside the versioned content may still move
                else:
                    _fill_row(s, row, article, record)
            s.add(row)
            s.flush()
            if outcome == "unchanged":
                _touch_version(s, row)
            else:
                _add_version(s, row, record, digest, run_id, fetch_id, extractor_version)
            return outcome

    def record_failure(self, run_id: int | None, url: str, reason: str, detail: str | None = None) -> None:
        with self.session() as s:
            s.add(Failure(run_id=run_id, url=url, reason=reason, detail=detail, at=utcnow()))

    def failures(self, run_id: int | None = None) -> list[Failure]:
        with self.session() as s:
            query = select(Failure).order_by(Failure.id)
            if run_id is not None:
                query = query.where(Failure.run_id == run_id)
            return list(s.scalars(query))

    def count_articles(self) -> int:
        with self.session() as s:
            return s.scalar(select(func.count(Article.id)))

    def iter_records(self) -> Iterator[dict]:
        """Every article as a record (keys = RECORD_FIELDS), newest first, streamed in
        chunks so memory stays flat at any archive size."""
        with self.session() as s:
            ids = s.scalars(
                select(Article.id).order_by(Article.published_utc.desc().nulls_last(), Article.id)
            ).all()
        for start in range(0, len(ids), _EXPORT_CHUNK):
            chunk = ids[start:start + _EXPORT_CHUNK]
            with self.session() as s:
                query = select(Article).where(Article.id.in_(chunk)).options(
                    selectinload(Article.author_links),
                    selectinload(Article.tag_links),
                    selectinload(Article.category_links),
                )
                rows = {r.id: r for r in s.scalars(query)}
                for article_id in chunk:
                    yield row_record(rows[article_id])

    def stats(self) -> dict:
        with self.session() as s:
            total = s.scalar(select(func.count(Article.id)))
            return {
                "articles": total,
                "by_category": _term_counts(s, Category, ArticleCategory, ArticleCategory.category_id),
                "by_tag": _term_counts(s, Tag, ArticleTag, ArticleTag.tag_id),
                "by_author": _author_counts(s),
                "by_month": _month_counts(s),
            }


def _find(s: Session, site: str, post_id: int | None, key: str) -> Article | None:
    if post_id is not None:
        row = s.scalar(select(Article).where(Article.site == site, Article.post_id == post_id))
        if row is not None:
            return row
    return s.scalar(select(Article).where(Article.site == site, Article.url_key == key))


_SCALARS = ("url", "canonical_url", "post_id", "title", "description", "body", "body_html",
            "image_url", "image_caption", "language", "word_count", "sources")


def _fill_scalars(row: Article, article: ArticleData) -> None:
    for name in _SCALARS:
        setattr(row, name, getattr(article, name))


def _add_version(s: Session, row: Article, record: dict, digest: str, run_id: int | None,
                 fetch_id: int | None, extractor_version: str | None) -> None:
    row.version_count = (row.version_count or 0) + 1
    s.add(ArticleVersion(article_id=row.id, version=row.version_count, content_hash=digest, record=record,
                         first_seen=row.last_seen, last_seen=row.last_seen, run_id=run_id, fetch_id=fetch_id,
                         extractor_version=extractor_version))


def _touch_version(s: Session, row: Article) -> None:
    s.execute(update(ArticleVersion)
              .where(ArticleVersion.article_id == row.id, ArticleVersion.version == row.version_count)
              .values(last_seen=row.last_seen))


def _fill_row(s: Session, row: Article, article: ArticleData, record: dict) -> None:
    _fill_scalars(row, article)
    row.published_utc, row.published_offset = split_time(article.published)
    row.modified_utc, row.modified_offset = split_time(article.modified)
    site = row.site
    row.author_links = [
        ArticleAuthor(author=_get_or_create(s, Author, site=site, name=name), position=i)
        for i, name in enumerate(article.authors)
    ]
    row.tag_links = [
        ArticleTag(tag=_get_or_create(s, Tag, site=site, name=t.name, slug=t.slug or ""), position=i)
        for i, t in enumerate(_unique_terms(article.tags))
    ]
    row.category_links = [
        ArticleCategory(category=_get_or_create(s, Category, site=site, name=t.name, slug=t.slug or ""),
                        position=i)
        for i, t in enumerate(_unique_terms(article.categories))
    ]


def _unique_terms(terms: list[Term]) -> list[Term]:
    return list(dict.fromkeys(terms))


def _get_or_create(s: Session, model, **values):
    row = s.scalar(select(model).filter_by(**values))
    if row is None:
        row = model(**values)
        s.add(row)
        s.flush()
    return row


def split_time(value: datetime | None) -> tuple[datetime | None, int | None]:
    """Aware time -> (naive UTC, offset minutes). Naive stays naive, offset None."""
    if value is None:
        return None, None
    offset = value.utcoffset()
    if offset is None:
        return value, None
    return value.astimezone(timezone.utc).replace(tzinfo=None), int(offset.total_seconds() // 60)


def join_time(utc: datetime | None, offset: int | None) -> datetime | None:
    if utc is None or offset is None:
        return utc
    return utc.replace(tzinfo=timezone.utc).astimezone(timezone(timedelta(minutes=offset)))


def row_record(row: Article) -> dict:
    """The stored article as the same record `Article.to_record()` produced."""
    tags = [link.tag for link in row.tag_links]
    categories = [link.category for link in row.category_links]
    published = join_time(row.published_utc, row.published_offset)
    modified = join_time(row.modified_utc, row.modified_offset)
    values = {
        "site": row.site,
        "authors": [link.author.name for link in row.author_links],
        "published": published.isoformat() if published else None,
        "modified": modified.isoformat() if modified else None,
        "tags": [t.name for t in tags],
        "tag_slugs": [t.slug or None for t in tags],
        "categories": [c.name for c in categories],
        "category_slugs": [c.slug or None for c in categories],
    }
    return {name: values[name] if name in values else getattr(row, name) for name in RECORD_FIELDS}


def _term_counts(s: Session, model, link, link_fk) -> list[tuple[str, str, int]]:
    query = (
        select(model.name, model.slug, func.count(link.article_id))
        .join(link, link_fk == model.id)
        .group_by(model.id)
        .order_by(func.count(link.article_id).desc(), model.name)
    )
    return [(name, slug, n) for name, slug, n in s.execute(query)]


def _author_counts(s: Session) -> list[tuple[str, int]]:
    query = (
        select(Author.name, func.count(ArticleAuthor.article_id))
        .join(ArticleAuthor, ArticleAuthor.author_id == Author.id)
        .group_by(Author.id)
        .order_by(func.count(ArticleAuthor.article_id).desc(), Author.name)
    )
    return [tuple(r) for r in s.execute(query)]


def _month_counts(s: Session) -> list[tuple[str, int]]:
    """Months in the article's own offset (the calendar the site's readers saw)."""
    months: Counter[str] = Counter()
    for utc, offset in s.execute(select(Article.published_utc, Article.published_offset)):
        local = join_time(utc, offset)
        months[local.strftime("%Y-%m") if local else "unknown"] += 1
    return sorted(months.items(), reverse=True)
