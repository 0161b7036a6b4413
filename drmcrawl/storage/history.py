"""Article history: versions, re-checks without change (304), removals, and what the
archive knows of each article for the incremental crawl's revisit policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from drmcrawl.model import Known
from drmcrawl.storage.models import Article, ArticleVersion
from drmcrawl.urls import url_key


@dataclass
class VersionInfo:
    version: int
    first_seen: datetime
    last_seen: datetime
    content_hash: str
    extractor_version: str | None
    run_id: int | None
    fetch_id: int | None
    record: dict


@dataclass
class ArticleHistory:
    article_id: int
    site: str
    url: str
    title: str | None
    first_seen: datetime
    last_seen: datetime
    last_checked: datetime | None
    removed_at: datetime | None
    removed_status: int | None
    versions: list[VersionInfo]


def find_by_url(s: Session, url: str, site: str | None = None) -> Article | None:
    """An article by any of its URLs (fetched, canonical, any host: the path decides),
    or by post ID given as `?p=ID`."""
    key = url_key(url)
    query = select(Article).where((Article.url == url) | (Article.canonical_url == url) | (Article.url_key == key))
    if site is not None:
        query = query.where(Article.site == site)
    row = s.scalars(query.order_by(Article.id).limit(1)).first()
    if row is None and urlsplit(url).query.startswith("p="):
        post = urlsplit(url).query[2:]
        if post.isdigit():
            row = s.scalar(select(Article).where(Article.post_id == int(post)).limit(1))
    return row


class HistoryStore:
    """Mixin of `Archive` (needs `session()`)."""

    def history(self, url: str) -> ArticleHistory | None:
        with self.session() as s:
            row = find_by_url(s, url)
            if row is None:
                return None
            versions = s.scalars(select(ArticleVersion).where(ArticleVersion.article_id == row.id)
                                 .order_by(ArticleVersion.version))
            return ArticleHistory(
                row.id, row.site, row.url, row.title, row.first_seen, row.last_seen, row.last_checked,
                row.removed_at, row.removed_status,
                [VersionInfo(v.version, v.first_seen, v.last_seen, v.content_hash, v.extractor_version,
                             v.run_id, v.fetch_id, v.record) for v in versions],
            )

    def mark_not_modified(self, site: str, url: str, run_id: int | None, at: datetime) -> bool:
        """The server said 304: the article is there and as archived."""
        with self.session() as s:
            row = find_by_url(s, url, site)
            if row is None:
                return False
            row.last_seen = row.last_checked = at
            row.last_run_id = run_id
            row.removed_at = row.removed_status = None
            s.execute(update(ArticleVersion)
                      .where(ArticleVersion.article_id == row.id, ArticleVersion.version == row.version_count)
                      .values(last_seen=at))
            return True

    def mark_removed(self, site: str, url: str, status: int, run_id: int | None, at: datetime) -> str | None:
        """404/410 or a redirect away from the article: marked, never deleted. Returns
        "removed" (newly), "still_removed", or None when no such article is archived."""
        with self.session() as s:
            row = find_by_url(s, url, site)
            if row is None:
                return None
            row.last_checked, row.last_run_id = at, run_id
            if row.removed_at is not None:
                return "still_removed"
            row.removed_at, row.removed_status = at, status
            return "removed"

    def remember_lastmods(self, site: str, lastmods: dict[str, datetime], checked_since: datetime) -> int:
        """Store the sitemap lastmod of articles checked since `checked_since` (this run):
        the archive now holds their content as of at least that lastmod."""
        if not lastmods:
            return 0
        params = [{"b_site": site, "b_key": key, "b_since": checked_since, "b_lastmod": lastmod}
                  for key, lastmod in lastmods.items()]
        with self.core() as conn:  # one executemany: an ORM update per article took seconds
            return conn.execute(_REMEMBER_LASTMOD, params).rowcount or 0

    def known_articles(self, site: str) -> dict[str, Known]:
        """url_key -> what the revisit policy needs, for every archived article of `site`."""
        validators = self.validators(site)
        out: dict[str, Known] = {}
        with self.session() as s:
            rows = s.execute(select(Article.url_key, Article.url, Article.published_utc, Article.first_seen,
                                    Article.last_checked, Article.sitemap_lastmod, Article.removed_at)
                             .where(Article.site == site))
            for key, url, published, first_seen, last_checked, lastmod, removed_at in rows:
                etag, last_modified = validators.get(url_key(url), validators.get(key, (None, None)))
                out[key] = Known(url, published, first_seen, last_checked, lastmod, etag, last_modified,
                                 removed_at is not None)
        return out


_articles = Article.__table__
_REMEMBER_LASTMOD = (update(_articles)
                     .where(_articles.c.site == bindparam("b_site"), _articles.c.url_key == bindparam("b_key"),
                            _articles.c.last_checked >= bindparam("b_since"))
                     .values(sitemap_lastmod=bindparam("b_lastmod")))
