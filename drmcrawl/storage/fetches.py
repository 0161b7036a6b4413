"""The fetch index: every archived HTTP exchange and where its WARC record is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import func, select

from drmcrawl.discovery import url_key
from drmcrawl.storage.models import Fetch

KEY_HEADERS = ("etag", "last_modified", "content_type", "location")


class FetchStore:
    """Mixin of `Archive` (needs `session()`)."""

    def record_fetch(self, **values) -> int:
        with self.session() as s:
            row = Fetch(**values)
            s.add(row)
            s.flush()
            return row.id

    def payload_fetch(self, url: str, digest: str | None = None) -> Fetch | None:
        """The fetch whose WARC record holds the payload of `url` with `digest`; without a
        digest, of the newest 200 answer for `url`. None if never archived."""
        with self.session() as s:
            if digest is None:
                digest = s.scalar(select(Fetch.digest).where(Fetch.final_url == url, Fetch.status == 200)
                                  .order_by(Fetch.id.desc()).limit(1))
                if digest is None:
                    return None
            return s.scalar(select(Fetch).where(Fetch.final_url == url, Fetch.digest == digest,
                                                Fetch.record_type == "response", Fetch.status == 200)
                            .order_by(Fetch.id.desc()).limit(1))

    def fetch(self, fetch_id: int) -> Fetch | None:
        with self.session() as s:
            return s.get(Fetch, fetch_id)

    def fetch_id_for(self, run_id: int | None, final_url: str) -> int | None:
        """The newest 200 fetch of `final_url` in a run (what an extracted article came from)."""
        with self.session() as s:
            return s.scalar(select(Fetch.id).where(Fetch.run_id == run_id, Fetch.final_url == final_url,
                                                   Fetch.status == 200).order_by(Fetch.id.desc()).limit(1))

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

    def article_payload_fetches(self, since: datetime | None = None, site: str | None = None) -> Iterator[Fetch]:
        """For each URL that answered an article request with 200: its newest such fetch,
        oldest first (so a later fetch of the same article wins)."""
        with self.session() as s:
            newest = (select(func.max(Fetch.id)).where(Fetch.kind == "article", Fetch.status == 200)
                      .group_by(Fetch.final_url))
            query = select(Fetch).where(Fetch.id.in_(newest)).order_by(Fetch.id)
            if since is not None:
                query = query.where(Fetch.fetched_at >= since)
            if site is not None:
                query = query.where(Fetch.site == site)
            rows = list(s.scalars(query))
        yield from rows
