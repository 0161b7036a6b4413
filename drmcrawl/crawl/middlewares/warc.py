"""The Scrapy side of the raw archive, kept thin: a downloader middleware that hands every
response (articles, discovery pages, robots.txt, redirect hops, errors) to `Recorder`.

It sits next to the downloader (priority 950), so it sees each HTTP exchange before
Scrapy's own middlewares act on it: before HttpCompressionMiddleware decodes gzip (the
archived payload is the bytes the server sent, with a matching Content-Encoding), before
RedirectMiddleware follows a 3xx (each hop is archived) and before retries."""

from __future__ import annotations

import logging

from drmcrawl.crawl.session import CrawlSession
from drmcrawl.storage.repository import utcnow
from drmcrawl.warc.records import BuiltPair, Exchange, build_response_pair, redact_request_headers

logger = logging.getLogger(__name__)

KIND_META = "drmcrawl_kind"  # what the spider made the request for: "article" or "navigation"
# Answers at least this large have their records built by an extraction worker: below
# it, sending the body there costs about what compressing it here does.
OFFLOAD_MIN_BYTES = 16 * 1024
# When this many jobs already wait at the least busy worker, the workers' core is the
# crawl's bottleneck and this process would only wait for it: it builds the records
# itself (about 0.5 ms a page). benchmarks/README.md has the measurements behind it.
LOCAL_RECORDS_BACKLOG = 32


class WarcArchiveMiddleware:
    def __init__(self, crawler):
        self.session = CrawlSession.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_response(self, request, response):
        session = self.session
        if not session.is_open:
            return response
        first_url = (request.meta.get("redirect_urls") or [request.url])[0]
        answer = exchange(request, response)
        recorder = session.recorder
        built = await self._built_elsewhere(answer, recorder.writer.gzip_level)
        fetch_id = recorder.record(answer, kind_of(request), first_url, session.run_id, built)
        session.wrote()
        session.archived(request, fetch_id)
        return response

    async def _built_elsewhere(self, answer: Exchange, gzip_level: int) -> BuiltPair | None:
        """The records of a large answer, digested and compressed by an extraction worker
        while its core has room. None: build them here (no workers, a small answer, a
        busy or failed worker)."""
        workers = self.session.workers
        if not workers.workers or len(answer.body) < OFFLOAD_MIN_BYTES:
            return None
        if workers.backlog() >= LOCAL_RECORDS_BACKLOG:
            self.session.counts["warc_built_here"] += 1
            return None
        try:
            return await workers.run(answer.url, build_response_pair, answer, None, gzip_level)
        except Exception:  # the record must not be lost: this process builds it instead
            logger.exception("A worker could not build the WARC records of %s; building them here", answer.url)
            return None


def kind_of(request) -> str:
    if request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt"):
        return "robots"
    return request.meta.get(KIND_META, "other")


def exchange(request, response) -> Exchange:
    """The exchange as archived. Secrets in the request headers (the site credentials'
    Authorization header...) are redacted here, before the exchange goes anywhere (an
    extraction worker, the WARC writer)."""
    return Exchange(
        url=response.url, status=response.status, response_headers=_pairs(response.headers),
        body=response.body, fetched_at=utcnow(), method=request.method,
        request_headers=redact_request_headers(_pairs(request.headers)), request_body=request.body or b"",
        protocol=getattr(response, "protocol", None) or "HTTP/1.1",
    )


def _pairs(headers) -> list[tuple[str, str]]:
    """Scrapy headers (bytes, lists) as (name, value) text pairs; latin-1 as in HTTP/1.1."""
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name in headers for value in headers.getlist(name)]
