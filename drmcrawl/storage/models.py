"""SQLAlchemy 2.0 tables of the archive. Portable SQL only: SQLite specifics live in
`drmcrawl.storage.dialects.sqlite`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

SCHEMA_VERSION = 2  # 2: fetch index, article versions, removal marks, richer runs


class Base(DeclarativeBase):
    pass


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    spider: Mapped[str] = mapped_column(String(64))
    base_url: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # running | finished | failed | interrupted (never finished: killed or crashed)
    status: Mapped[str] = mapped_column(String(16), default="running")
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    settings: Mapped[dict | None] = mapped_column(JSON)
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    articles_new: Mapped[int] = mapped_column(Integer, default=0)
    articles_updated: Mapped[int] = mapped_column(Integer, default=0)
    articles_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    articles_failed: Mapped[int] = mapped_column(Integer, default=0)
    duplicates_dropped: Mapped[int] = mapped_column(Integer, default=0)
    # Added in schema 2 (nullable: older rows have none).
    # manual | cron | systemd | scrapy | reextract ... (what started the run)
    trigger: Mapped[str | None] = mapped_column(String(32))
    full: Mapped[bool | None] = mapped_column(Boolean)  # --full: every known article re-checked
    resumed_from: Mapped[int | None] = mapped_column(Integer)  # the interrupted run this one finished
    discovered: Mapped[int | None] = mapped_column(Integer)  # distinct article URLs found
    skipped: Mapped[int | None] = mapped_column(Integer)  # known articles not due for a re-check
    not_modified: Mapped[int | None] = mapped_column(Integer)  # 304 answers (counted as unchanged too)
    articles_removed: Mapped[int | None] = mapped_column(Integer)
    robots_blocked: Mapped[int | None] = mapped_column(Integer)
    failed_by_reason: Mapped[dict | None] = mapped_column(JSON)
    duration_s: Mapped[float | None] = mapped_column(Float)
    # Why articles were requested ({"new": n, "lastmod": n, "due": n, "full": n, "vanished": n};
    # "vanished": archived, no longer in a complete listing of the site, re-checked) and what
    # discovery did ({"sitemaps": n, "sitemaps_cut": {"depth": n, ...}, "listing_complete": bool}).
    requested_by_reason: Mapped[dict | None] = mapped_column(JSON)
    discovery: Mapped[dict | None] = mapped_column(JSON)
    # Site health at the end of the run ({"articles": n, "non_articles": n, "fill": {"title":
    # share, ...}, "median_words": n, "alarms": [...]}): see drmcrawl/crawl/health.py.
    health: Mapped[dict | None] = mapped_column(JSON)



class CrawlRunWorker(Base):
    """One worker process of a run spread over several (`crawl --frontier`): the run's row
    holds the sums, this its share, so a worker that died is still accounted for."""

    __tablename__ = "crawl_run_workers"
    __table_args__ = (UniqueConstraint("run_id", "worker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    worker: Mapped[str] = mapped_column(String(128))  # host-pid
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)  # a worker silent long enough is dead
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | finished | failed | killed
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict | None] = mapped_column(JSON)  # the worker's run counts (RunStore.finish_run's)

class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("site", "url_key", name="uq_articles_site_url_key"),
        UniqueConstraint("site", "post_id", name="uq_articles_site_post_id"),
        Index("ix_articles_published", "published_utc"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(128))
    # Path (+query) of the canonical URL: the same on the live site and on any mirror.
    url_key: Mapped[str] = mapped_column(Text)
    post_id: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    # Times: UTC (naive, sortable) plus the offset in minutes the source page used.
    published_utc: Mapped[datetime | None] = mapped_column(DateTime)
    published_offset: Mapped[int | None] = mapped_column(Integer)
    modified_utc: Mapped[datetime | None] = mapped_column(DateTime)
    modified_offset: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)
    image_caption: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    access: Mapped[str | None] = mapped_column(String(16))  # free | paywalled
    word_count: Mapped[int | None] = mapped_column(Integer)
    sources: Mapped[dict | None] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    # Added in schema 2. last_seen: last time the article answered (200 or 304);
    # last_checked: last time it was asked for, whatever the answer.
    last_checked: Mapped[datetime | None] = mapped_column(DateTime)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)  # set on 404/410/redirect away
    removed_status: Mapped[int | None] = mapped_column(Integer)
    extractor_version: Mapped[str | None] = mapped_column(String(64))
    version_count: Mapped[int | None] = mapped_column(Integer)
    sitemap_lastmod: Mapped[datetime | None] = mapped_column(DateTime)  # newest lastmod seen when checked

    author_links: Mapped[list[ArticleAuthor]] = relationship(
        order_by="ArticleAuthor.position", cascade="all, delete-orphan"
    )
    tag_links: Mapped[list[ArticleTag]] = relationship(
        order_by="ArticleTag.position", cascade="all, delete-orphan"
    )
    category_links: Mapped[list[ArticleCategory]] = relationship(
        order_by="ArticleCategory.position", cascade="all, delete-orphan"
    )


class Author(Base):
    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("site", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(Text)


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("site", "name", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(Text)
    slug: Mapped[str] = mapped_column(Text, default="")  # "" when the page gave no slug


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("site", "name", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(Text)
    slug: Mapped[str] = mapped_column(Text, default="")


class ArticleAuthor(Base):
    __tablename__ = "article_authors"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    author: Mapped[Author] = relationship(lazy="joined")


class ArticleTag(Base):
    __tablename__ = "article_tags"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    tag: Mapped[Tag] = relationship(lazy="joined")


class ArticleCategory(Base):
    __tablename__ = "article_categories"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[Category] = relationship(lazy="joined")


class Failure(Base):
    """A URL the crawl could not turn into an article, and why. Nothing is dropped
    silently: every failure is a row here and a count on its run."""

    __tablename__ = "failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime)


class Fetch(Base):
    """One HTTP exchange as archived in a WARC file: the index that finds the exact bytes
    the server sent. A redirect chain is one row per hop, all with the same `url`."""

    __tablename__ = "fetches"
    __table_args__ = (
        Index("ix_fetches_url", "url"),
        Index("ix_fetches_final_url", "final_url"),
        Index("ix_fetches_page", "site", "page_key"),
        Index("ix_fetches_digest", "digest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    site: Mapped[str | None] = mapped_column(String(128))  # the spider's site profile
    url: Mapped[str] = mapped_column(Text)  # as first requested (start of a redirect chain)
    final_url: Mapped[str] = mapped_column(Text)  # the URL that gave this response
    # url_key of final_url: the same page on the live host, a mirror or another port.
    page_key: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # article | navigation | robots | other
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(Text)
    content_length: Mapped[int | None] = mapped_column(Integer)  # payload bytes as received
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    digest: Mapped[str | None] = mapped_column(String(64))  # WARC-Payload-Digest, "sha1:BASE32"
    record_type: Mapped[str] = mapped_column(String(16))  # response | revisit
    record_id: Mapped[str] = mapped_column(String(64))  # WARC-Record-ID
    refers_to: Mapped[int | None] = mapped_column(Integer)  # revisit: the fetch holding the payload
    warc_file: Mapped[str] = mapped_column(Text)  # file name inside the WARC folder
    warc_offset: Mapped[int] = mapped_column(Integer)  # of the response/revisit record
    warc_length: Mapped[int] = mapped_column(Integer)  # of that record (one gzip member)
    warc_end: Mapped[int] = mapped_column(Integer)  # end of the exchange (request record included)
    # What an answer to an article request turned out to be on a site known by evidence
    # (article, home, section, tag, author, video, liveblog...) and the evidence that said so.
    page_kind: Mapped[str | None] = mapped_column(String(16))
    page_reason: Mapped[str | None] = mapped_column(Text)


class ArticleVersion(Base):
    """A distinct normalised content of an article. A new row only when the content
    changed; `last_seen` moves while it stays the same."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version", name="uq_article_versions"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per article
    content_hash: Mapped[str] = mapped_column(String(64))
    record: Mapped[dict] = mapped_column(JSON)  # the full record as extracted
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    fetch_id: Mapped[int | None] = mapped_column(ForeignKey("fetches.id"))
    extractor_version: Mapped[str | None] = mapped_column(String(64))
