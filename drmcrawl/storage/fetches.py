"""The fetch index: every archived HTTP exchange and where its WARC record is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select, update

from drmcrawl.storage.dialects import fastsql
from drmcrawl.storage.models import Fetch
from drmcrawl.urls import url_key

KEY_HEADERS = ("etag", "last_modified", "content_type", "location")


class FetchStore:
    """Mixin of `Archive` (needs `session()` and `core()`)."""

    # (site, page_key) of every archived payload, while a crawl holds the archive: most
    # pages of a crawl were never archived, and this answers that without a query.
    _payload_pages: set[tuple[str | None, str]] | None = None

    def remember_payload_pages(self) -> None:
        with self.session() as s:
            rows = s.execute(select(Fetch.site, Fetch.page_key).where(Fetch.record_type == "response").distinct())
            self._payload_pages = {tuple(row) for row in rows}

    def record_fetch(self, **values) -> int:
        key = url_key(values["final_url"])
        with self.core(savepoint=False) as conn:  # one INSERT: atomic without a savepoint
            fetch_id = fastsql.insert(conn, Fetch.__table__, {"page_key": key, **values})
        if self._payload_pages is not None and values.get("record_type") == "response":
            self._payload_pages.add((values.get("site"), key))
        return fetch_id

    def payload_fetch(self, site: str | None, url: str, digest: str | None = None) -> Fetch | None:
        """The fetch whose WARC record holds the payload of the page at `url` (any host:
        the path decides) with `digest`, any status; without a digest, of the page's newest
        200 answer. None if never archived."""
        key = url_key(url)
        if self._payload_pages is not None and (site, key) not in self._payload_pages:
            return None
        with self.session() as s:
            if digest is None:
                digest = s.scalar(select(Fetch.digest).where(Fetch.site == site, Fetch.page_key == key,
                                                             Fetch.status == 200)
                                  .order_by(Fetch.id.desc()).limit(1))
                if digest is None:
                    return None
            return s.scalar(select(Fetch).where(Fetch.site == site, Fetch.page_key == key, Fetch.digest == digest,
                                                Fetch.record_type == "response")
                            .order_by(Fetch.id.desc()).limit(1))

    def fetch(self, fetch_id: int) -> Fetch | None:
        with self.session() as s:
            return s.get(Fetch, fetch_id)

    def classify_fetch(self, fetch_id: int, kind: str, reason: str) -> None:
        """Record what the page of an archived answer is, and why (`page_kind`, `page_reason`)."""
        with self.session() as s:
            s.execute(update(Fetch).where(Fetch.id == fetch_id).values(page_kind=kind, page_reason=reason[:500]))

    def warc_ends(self, run_ids: list[int]) -> dict[str, int]:
        """WARC file name -> end of its last indexed exchange, for files of these runs."""
        with self.session() as s:
            rows = s.execute(select(Fetch.warc_file, func.max(Fetch.warc_end))
                             .where(Fetch.run_id.in_(run_ids)).group_by(Fetch.warc_file))
            return dict(rows.all())

    def validators(self, site: str) -> dict[str, tuple[str | None, str | None]]:
        """url_key -> (ETag, Last-Modified) of the newest 200 article fetch."""
        out: dict[str, tuple[str | None, str | None]] = {}
        with self.session() as s:
            rows = s.execute(select(Fetch.final_url, Fetch.etag, Fetch.last_modified)
                             .where(Fetch.kind == "article", Fetch.status == 200, Fetch.site == site)
                             .order_by(Fetch.id))
            for final_url, etag, last_modified in rows:
                out[url_key(final_url)] = (etag, last_modified)
        return out

    def article_payload_fetches(self, since: datetime | None = None, site: str | None = None,
                                is_article: Callable[[Fetch], bool] = lambda fetch: True) -> list[Fetch]:
        """For each article page (by url_key of the URL that answered, so a mirror's port or
        a trailing slash is the same page) its newest 200 answer to an article request,
        oldest first."""
        with self.session() as s:
            query = select(Fetch).where(Fetch.kind == "article", Fetch.status == 200).order_by(Fetch.id)
            if since is not None:
                query = query.where(Fetch.fetched_at >= since)
            if site is not None:
                query = query.where(Fetch.site == site)
            # A redirect off the article (to the home page, say) is an article request's
            # answer too, but not an article page: the site's rule, `is_article`, decides.
            newest = {url_key(f.final_url): f for f in s.scalars(query) if is_article(f)}
        return sorted(newest.values(), key=lambda f: f.id)
