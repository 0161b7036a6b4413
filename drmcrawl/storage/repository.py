"""Repository API over the archive: runs, articles (upsert, never duplicates),
failures, streaming reads for export, stats."""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit

from sqlalchemy import bindparam, create_engine, func, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from drmcrawl.model import Article as ArticleData
from drmcrawl.model import Term
from drmcrawl.storage import schema
from drmcrawl.storage.dialects import fastsql, for_engine
from drmcrawl.storage.fetches import FetchStore
from drmcrawl.storage.history import HistoryStore
from drmcrawl.storage.models import (
    Article,
    ArticleAuthor,
    ArticleCategory,
    ArticleTag,
    ArticleVersion,
    Author,
    Category,
    Failure,
    Tag,
)
from drmcrawl.storage.records import join_time, record_of, row_record, utcnow  # noqa: F401 (re-exported)
from drmcrawl.storage.runs import RUN_COUNTERS, RunStore, RunSummary  # noqa: F401 (re-exported)
from drmcrawl.urls import url_key
from drmcrawl.versions import content_digest

DEFAULT_DB = Path("data") / "drmcrawl.sqlite"
ENV_DB = "DRMCRAWL_DB"
_EXPORT_CHUNK = 500


class StorageError(RuntimeError):
    """The database cannot be opened or written (bad path, read-only, disk full...)."""


class RecordError(StorageError):
    """One record cannot be stored (a value beyond a column's range, a constraint it
    breaks); the database is fine and takes other writes. Its message names the problem,
    never the record (issue 19, item 9)."""


# SQLite's INTEGER (and most databases' BIGINT) is signed 64-bit: a larger Python int
# fails when bound, so it is refused before any SQL runs.
INTEGER_RANGE = (-(2**63), 2**63 - 1)


def check_storable(article: ArticleData) -> None:
    """RecordError when a field holds what no column can take (an integer out of range)."""
    low, high = INTEGER_RANGE
    for item in dataclasses.fields(article):
        value = getattr(article, item.name)
        if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            raise RecordError(f"{item.name} {value} is outside the database's integer range (signed 64-bit)")


def resolve_db_url(db: str | os.PathLike | None = None, create_folder: bool = True) -> str:
    """A path or SQLAlchemy URL; default: $DRMCRAWL_DB, else data/drmcrawl.sqlite."""
    value = str(db or os.environ.get(ENV_DB) or DEFAULT_DB)
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    if create_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def read_only_url(url: str) -> str:
    """A SQLite file URL opened read-only: `mode=ro`, or `immutable=1` when its folder
    cannot be written (read-only media, a folder without write permission even for root,
    and no write-ahead log to read), where SQLite could not create its -shm/-wal files.
    Other URLs are returned as they are."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url.startswith(prefix + "file:"):
        return url
    path = url[len(prefix):]
    folder = os.path.dirname(path) or "."
    wal = Path(path + "-wal")
    frozen = _folder_read_only(folder) and not (wal.exists() and wal.stat().st_size)
    return f"{prefix}file:{quote(path)}?{'immutable=1' if frozen else 'mode=ro'}&uri=true"


def _folder_read_only(folder: str) -> bool:
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
        return not os.access(folder, os.W_OK) or not os.stat(folder).st_mode & 0o222
    except OSError:
        return True


def _reason(exc: BaseException) -> str:
    """The database's own words, on one line: SQLAlchemy's errors end with a link to its
    documentation on a line of its own."""
    text = str(getattr(exc, "orig", None) or exc)
    return text.split("\n(Background on this error at:", 1)[0].strip()


def _shown(url: str) -> str:
    """The URL for messages: a password in it is masked."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not parseable: no credentials to find either
        return url


class Archive(FetchStore, HistoryStore, RunStore):
    def __init__(self, db: str | os.PathLike | None = None, read_only: bool = False):
        """read_only: for commands that only read (list, search, export...): a SQLite file
        is opened read-only (`read_only_url`) and nothing is created, migrated or indexed,
        so an archive on read-only media can be read."""
        self.url = resolve_db_url(db, create_folder=not read_only)
        self.read_only = read_only
        try:
            if read_only:
                self._open_read_only()
            else:
                self.engine = create_engine(self.url)
                self.dialect = for_engine(self.engine)
                self.dialect.configure(self.engine)
                self.revisions = schema.upgrade(self.engine, self.dialect)  # (before, now)
        except ImportError as exc:
            raise StorageError(f"cannot open database {_shown(self.url)}: its driver is not installed ({exc}); "
                               "PostgreSQL needs `pip install 'drmcrawl[postgres]'`") from exc
        except SQLAlchemyError as exc:
            # One line: psycopg's connection errors carry a second, tab-indented hint line.
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
            raise StorageError(f"cannot open database {_shown(self.url)}: {reason}") from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._batch: Session | None = None
        self._held = False  # _batch is hold()'s long transaction, not a batch() block
        self.rollbacks = 0  # times hold()'s transaction was rolled back, its writes lost (counted by the crawl)
        self._unindexed = False  # new articles wait for search indexing (index_pending at commit)
        # (model, site, name[, slug]) -> id of authors/tags/categories already stored;
        # emptied on every rollback, which may have undone a term insert.
        self._term_ids: dict[tuple, int] = {}
        if read_only:
            return
        try:
            schema.add_first_versions(self)
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise StorageError(f"cannot upgrade database {_shown(self.url)}: {reason}") from exc

    def _open_read_only(self) -> None:
        if self.url.startswith("sqlite:///") and not Path(self.location).is_file():
            raise StorageError(f"no database at {self.location}")
        self.engine = create_engine(read_only_url(self.url))
        self.dialect = for_engine(self.engine)
        self.dialect.configure(self.engine)
        self.revisions = None  # not looked at: a read-only open migrates nothing
        with self.engine.connect() as conn:  # fail here (not a database, no server), not in the first query
            inspect(conn).get_table_names()

    @property
    def location(self) -> str:
        """A path for SQLite files, the URL otherwise (without a password)."""
        prefix = "sqlite:///"
        return self.url[len(prefix):] if self.url.startswith(prefix) else _shown(self.url)

    def close(self) -> None:
        self.release()
        self.engine.dispose()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Many writes, one transaction: every `save_article` / `record_failure` inside
        shares one session and the batch commits once at the end (per-item commits
        dominated bulk loads). An error rolls back the whole batch and is raised."""
        if self._batch is not None:  # nested: the outer batch commits
            yield
            return
        with self.session() as s:
            self._batch = s
            try:
                yield
            finally:
                self._batch = None

    def _error(self, exc: BaseException, detail: str = "") -> StorageError:
        # A constraint or a value one record broke (its write undone alone, `detail` empty)
        # is that record's problem; anything else is the database's.
        kind = RecordError if isinstance(exc, IntegrityError | DataError) and not detail else StorageError
        return kind(f"database error on {self.location}: {_reason(exc)}{detail}")

    # -- a crawl's long transaction ---------------------------------------------
    def hold(self) -> None:
        """Every later write joins one long transaction (a crawl's: per-page commits
        dominated its storage cost), each write in its own savepoint so a failed one is
        undone alone. `commit()` makes the writes so far durable; `release()` ends it."""
        if self._batch is None:
            self.remember_payload_pages()
            self._batch = self._sessions()
            self._held = True

    def commit(self) -> None:
        if self._batch is not None and self._held:
            try:
                self._index_pending(self._batch)
                self._batch.commit()
            except SQLAlchemyError as exc:
                self._batch.rollback()
                self.rollbacks += 1
                self._term_ids.clear()
                raise self._error(exc) from exc

    def release(self) -> None:
        if self._batch is not None and self._held:
            try:
                self.commit()
            finally:
                self._batch.close()
                self._batch, self._held = None, False
                self._payload_pages = None

    def _index_pending(self, session: Session) -> None:
        """New articles are indexed for search just before their transaction commits
        (`Dialect.index_pending`)."""
        if self._unindexed:
            self.dialect.index_pending(session.connection())
            self._unindexed = False

    @contextmanager
    def _savepoint(self) -> Iterator[Session]:
        with self._held_errors():
            with self._batch.begin_nested():
                yield self._batch

    @contextmanager
    def _held_errors(self) -> Iterator[None]:
        """Errors of a write inside the held transaction, as StorageError."""
        try:
            yield
        except SQLAlchemyError as exc:
            self._term_ids.clear()
            lost = ""
            if self.dialect.transaction_lost(self._batch):
                # SQLite itself rolled the whole transaction back (disk full, I/O error):
                # start clean so later writes are not refused for a missing savepoint.
                self._batch.rollback()
                self.rollbacks += 1
                lost = "; the writes since the last commit were rolled back"
                exc = _cause(exc)
            raise self._error(exc, lost) from exc
        except BaseException:
            self._term_ids.clear()
            raise

    @contextmanager
    def core(self, savepoint: bool = True) -> Iterator[Connection]:
        """A Core connection for the hot write paths (the ORM session's savepoints and
        unit of work cost more than the SQL). Held: inside the crawl's transaction, in a
        Core savepoint unless `savepoint=False` (one statement is atomic on its own)."""
        if self._batch is None or not self._held:
            with self.session() as s:
                yield s.connection()
            return
        with self._held_errors():
            conn = self._batch.connection()
            if not savepoint:
                yield conn
                return
            with fastsql.savepoint(conn):
                yield conn

    @contextmanager
    def session(self) -> Iterator[Session]:
        if self._batch is not None:
            if self._held:
                with self._savepoint() as s:
                    yield s
            else:
                yield self._batch
            return
        session = self._sessions()
        try:
            yield session
            self._index_pending(session)
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            self._term_ids.clear()
            raise self._error(exc) from exc
        except BaseException:
            session.rollback()
            self._term_ids.clear()
            raise
        finally:
            session.close()

    # -- articles ----------------------------------------------------------------
    def save_article(self, article: ArticleData, run_id: int | None = None, *, fetch_id: int | None = None,
                     extractor_version: str | None = None, seen: bool = True, digest: str | None = None,
                     sitemap_lastmod: datetime | None = None) -> str:
        """Insert or update in place. Returns "new", "updated" or "unchanged".

        A new version is stored only when the normalised content changed (see
        `drmcrawl.versions`). `seen=False` is a re-extraction from the archive: the
        article was not fetched now, so its seen/checked times and removal mark stay.
        `digest`: `content_digest(article.to_record())`, when the caller has it already
        (the crawl's extraction worker computes it). `sitemap_lastmod`: stored with a new
        article (`remember_lastmods` sets it on the others).

        RecordError: this article cannot be stored (checked before writing where the bound is
        known, e.g. an integer beyond 64 bits; else any error of its write that is not the
        database's), its write undone; StorageError: the database cannot be written."""
        check_storable(article)
        try:
            return self._save_article(article, run_id, fetch_id, extractor_version, seen, digest, sitemap_lastmod)
        except StorageError:
            raise
        except SQLAlchemyError as exc:  # a constraint or value: this record's; else the database's
            if isinstance(exc, IntegrityError | DataError):
                raise RecordError(f"cannot store {article.url}: {_reason(exc)}") from exc
            raise self._error(exc) from exc
        except Exception as exc:  # a value the driver refuses to bind: this record's problem
            raise RecordError(f"cannot store {article.url}: {type(exc).__name__}: {_reason(exc)}") from exc

    def _save_article(self, article: ArticleData, run_id: int | None, fetch_id: int | None,
                      extractor_version: str | None, seen: bool, digest: str | None,
                      sitemap_lastmod: datetime | None) -> str:
        record = article.to_record()
        site = article.site or urlsplit(article.url).hostname or ""
        key = url_key(article.canonical_url or article.url)
        digest = digest or content_digest(record)
        now = utcnow()
        with self.core() as conn:
            stored_id = _find(conn, site, article.post_id, key)
            if stored_id is None:
                # New articles (most of a first crawl) go in through Core: the ORM's
                # unit of work cost 5x more per article than fetching and extracting it.
                _insert_new(conn, self.dialect, self._term_ids, article, record, digest, now, run_id=run_id,
                            fetch_id=fetch_id, extractor_version=extractor_version, sitemap_lastmod=sitemap_lastmod)
                self._unindexed = True
                return "new"
        self._unindexed = True  # title, body or terms may change: reindexed at commit
        with self.session() as s:
            row = s.get(Article, stored_id)
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

    def add_articles(self, articles: Iterable[ArticleData], run_id: int | None = None) -> int:
        """Bulk load of articles that are NOT in the archive yet (imports, benchmarks):
        one transaction, the same rows `save_article` writes (version 1 included). An
        article already stored violates the unique constraints: StorageError, and nothing
        of the call is stored."""
        now = utcnow()
        count = 0
        with self.session() as s:
            conn, terms = s.connection(), self._term_ids
            if self.dialect.batched_inserts:
                for chunk in _chunks(articles, _BULK_CHUNK):
                    count += _insert_batch(conn, terms, chunk, now, run_id)
                    self._unindexed = True
                return count
            for article in articles:
                record = article.to_record()
                _insert_new(conn, self.dialect, terms, article, record, content_digest(record), now, run_id=run_id)
                self._unindexed = True
                count += 1
        return count

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


# One reusable statement for both identities (post ID first, then canonical path);
# the ORM row is loaded only for articles already stored.
_FIND = select(Article.id, Article.post_id).where(
    Article.site == bindparam("site"),
    (Article.post_id == bindparam("post_id")) | (Article.url_key == bindparam("key")))


def _cause(exc: BaseException) -> BaseException:
    """Undoing a savepoint SQLite already rolled back fails too ("no such savepoint"):
    the error that rolled it back is earlier in the chain."""
    while "no such savepoint" in str(exc) and exc.__context__ is not None:
        exc = exc.__context__
    return exc


def _find(conn: Connection, site: str, post_id: int | None, key: str) -> int | None:
    """The id of the stored article with this post ID (first) or canonical path."""
    matches = fastsql.rows(conn, "find_article", _FIND, {"site": site, "post_id": post_id, "key": key})
    if not matches:
        return None
    by_post = [i for i, stored_post in matches if post_id is not None and stored_post == post_id]
    return by_post[0] if by_post else matches[0][0]


_SCALARS = ("url", "canonical_url", "post_id", "title", "description", "body", "body_html",
            "image_url", "image_caption", "language", "access", "word_count", "sources")


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


_LINKS = ((ArticleAuthor, Author, "author_id"), (ArticleTag, Tag, "tag_id"), (ArticleCategory, Category, "category_id"))


def _insert_new(conn, dialect, terms: dict, article: ArticleData, record: dict, digest: str, now: datetime, *,
                run_id: int | None = None, fetch_id: int | None = None, extractor_version: str | None = None,
                sitemap_lastmod: datetime | None = None) -> int:
    """One new article, its author/tag/category links and its version 1, in SQLAlchemy Core."""
    row = _article_row(article, run_id, now, digest)
    row.update(last_checked=now, version_count=1, extractor_version=extractor_version,
               sitemap_lastmod=sitemap_lastmod)
    found = ([Term(name) for name in article.authors], _unique_terms(article.tags), _unique_terms(article.categories))
    announced = dialect.announce_new_article(conn, " ".join(t.name for t in found[1]),
                                            " ".join(t.name for t in found[0]))
    article_id = fastsql.insert(conn, Article.__table__, row)
    for (link, model, fk), values in zip(_LINKS, found, strict=True):
        if values:
            fastsql.insert_many(conn, link.__table__, [
                {"article_id": article_id, fk: _term_id(conn, terms, model, row["site"], t), "position": i}
                for i, t in enumerate(values)])
    dialect.index_new_article(conn, announced, article_id)
    fastsql.insert(conn, ArticleVersion.__table__, {
        "article_id": article_id, "version": 1, "content_hash": digest, "record": record, "first_seen": now,
        "last_seen": now, "run_id": run_id, "fetch_id": fetch_id, "extractor_version": extractor_version})
    return article_id


_BULK_CHUNK = 1000


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert_batch(conn, terms: dict, articles: list[ArticleData], now: datetime, run_id: int | None) -> int:
    """New articles, their links and versions 1 in four multi-row statements per chunk
    (`insertmanyvalues`: the ids come back in parameter order), for a database where each
    statement is a network round trip: one article at a time, five round trips each, ran
    at 85 articles/s on PostgreSQL on a loaded machine."""
    records = [a.to_record() for a in articles]
    digests = [content_digest(r) for r in records]
    rows = []
    for article, digest in zip(articles, digests, strict=True):
        row = _article_row(article, run_id, now, digest)
        row.update(last_checked=now, version_count=1, extractor_version=None, sitemap_lastmod=None)
        rows.append(row)
    table = Article.__table__
    ids = conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    for link, model, fk in _LINKS:
        links = []
        for article_id, article, row in zip(ids, articles, rows, strict=True):
            found = ([Term(n) for n in article.authors] if model is Author
                     else _unique_terms(article.tags if model is Tag else article.categories))
            links += [{"article_id": article_id, fk: _term_id(conn, terms, model, row["site"], t), "position": i}
                      for i, t in enumerate(found)]
        if links:
            conn.execute(link.__table__.insert(), links)
    conn.execute(ArticleVersion.__table__.insert(), [
        {"article_id": i, "version": 1, "content_hash": d, "record": r, "first_seen": now, "last_seen": now,
         "run_id": run_id, "fetch_id": None, "extractor_version": None}
        for i, d, r in zip(ids, digests, records, strict=True)])
    return len(ids)


def _article_row(article: ArticleData, run_id: int | None, now: datetime, digest: str) -> dict:
    row = {name: getattr(article, name) for name in (
        "url", "canonical_url", "post_id", "title", "description", "body", "body_html",
        "image_url", "image_caption", "language", "access", "word_count", "sources")}
    row["published_utc"], row["published_offset"] = split_time(article.published)
    row["modified_utc"], row["modified_offset"] = split_time(article.modified)
    row.update(site=article.site or urlsplit(article.url).hostname or "",
               url_key=url_key(article.canonical_url or article.url), content_hash=digest,
               first_seen=now, last_seen=now, first_run_id=run_id, last_run_id=run_id)
    return row


def _term_id(conn, cache: dict, model, site: str, term: Term) -> int:
    values = {"site": site, "name": term.name}
    if model is not Author:
        values["slug"] = term.slug or ""
    key = (model, *values.values())
    if key not in cache:
        found = fastsql.rows(conn, f"term_{model.__tablename__}", _TERM_LOOKUP[model], values)
        found = found[0][0] if found else for_engine(conn).insert_term(conn, model.__table__, values,
                                                                       _TERM_LOOKUP[model])
        cache[key] = found
    return cache[key]


def _term_lookup(model):
    """The id of a term by its unique key, as one reusable statement."""
    t = model.__table__
    where = [t.c.site == bindparam("site"), t.c.name == bindparam("name")]
    if model is not Author:
        where.append(t.c.slug == bindparam("slug"))
    return select(t.c.id).where(*where)


_TERM_LOOKUP = {model: _term_lookup(model) for model in (Author, Tag, Category)}


def _unique_terms(terms: list[Term]) -> list[Term]:
    return list(dict.fromkeys(terms))


def _get_or_create(s: Session, model, **values):
    # Per-session cache: a batch saves thousands of articles sharing a few hundred terms.
    cache = s.info.setdefault("terms", {})
    key = (model, tuple(sorted(values.items())))
    row = cache.get(key)
    if row is None:
        row = s.scalar(select(model).filter_by(**values))
        if row is None:
            row = model(**values)
            s.add(row)
            s.flush()
        cache[key] = row
    return row


def split_time(value: datetime | None) -> tuple[datetime | None, int | None]:
    """Aware time -> (naive UTC, offset minutes). Naive stays naive, offset None."""
    if value is None:
        return None, None
    offset = value.utcoffset()
    if offset is None:
        return value, None
    return value.astimezone(timezone.utc).replace(tzinfo=None), int(offset.total_seconds() // 60)


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
