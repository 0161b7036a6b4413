"""Archive one HTTP exchange: choose response or revisit record, write it to WARC, index
it in SQLite. No Scrapy here: `drmcrawl.crawl.middlewares.warc` hands over plain data.

A revisit record replaces a second copy of a body already archived for the same URL:
a 304 refers to the newest archived 200 of the URL ("server-not-modified"), any other
answer whose payload digest equals an archived one refers to that record
("identical-payload-digest")."""

from __future__ import annotations

from drmcrawl.warc.records import BuiltPair, Exchange, Original, WarcWriter, Written, payload_digest

# The fetch index columns that come from a response header.
_INDEXED_HEADERS = {"etag": "etag", "last-modified": "last_modified", "content-type": "content_type",
                    "location": "location"}


def header_values(exchange: Exchange) -> dict[str, str]:
    """The key headers of the response, by fetch index column (first value wins)."""
    out: dict[str, str] = {}
    for name, value in exchange.response_headers:
        column = _INDEXED_HEADERS.get(name.lower())
        if column and column not in out:
            out[column] = value
    return out


class Recorder:
    """`store` is the `Archive` (its `FetchStore` part); `writer` a `WarcWriter`."""

    def __init__(self, store, writer: WarcWriter, site: str | None):
        self.store = store
        self.writer = writer
        self.site = site

    def record(self, exchange: Exchange, kind: str, first_url: str, run_id: int | None,
               built: BuiltPair | None = None) -> int:
        """Write the exchange and index it; returns the fetch id. `built`: its response
        pair, when a worker built it already (`warc.build_response_pair`)."""
        digest = built.digest if built is not None else payload_digest(exchange.body)
        original = self._original(exchange, digest)
        if original is not None:
            written = self.writer.write_revisit(exchange, Original(
                original.final_url, original.fetched_at, original.record_id, original.digest))
        elif built is not None:
            written = self.writer.write_built(built)
        else:
            written = self.writer.write_response(exchange, digest)
        return self._index(exchange, kind, first_url, run_id, written, original.id if original else None)

    def _original(self, exchange: Exchange, digest: str):
        if exchange.status == 304:
            return self.store.payload_fetch(self.site, exchange.url)
        if not exchange.body:  # nothing to deduplicate; a revisit would only add a pointer
            return None
        return self.store.payload_fetch(self.site, exchange.url, digest)

    def _index(self, exchange: Exchange, kind: str, first_url: str, run_id: int | None,
               written: Written, refers_to: int | None) -> int:
        return self.store.record_fetch(
            run_id=run_id, site=self.site, url=first_url, final_url=exchange.url, kind=kind,
            status=exchange.status, content_length=len(exchange.body), fetched_at=exchange.fetched_at,
            digest=written.digest, record_type=written.record_type, record_id=written.record_id,
            refers_to=refers_to, warc_file=written.file, warc_offset=written.offset,
            warc_length=written.length, warc_end=written.end, **header_values(exchange),
        )
