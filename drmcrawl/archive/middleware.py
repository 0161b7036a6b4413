"""The Scrapy side of the raw archive, kept thin: a downloader middleware that hands every
response (articles, discovery pages, robots.txt, redirect hops, errors) to `Recorder`.

It sits next to the downloader (priority 950), so it sees each HTTP exchange before
Scrapy's own middlewares act on it: before HttpCompressionMiddleware decodes gzip (the
archived payload is the bytes the server sent, with a matching Content-Encoding), before
RedirectMiddleware follows a 3xx (each hop is archived) and before retries."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from scrapy import signals

from drmcrawl.archive import prepare
from drmcrawl.archive.recorder import Recorder
from drmcrawl.archive.warc import (
    DEFAULT_GZIP_LEVEL,
    DEFAULT_MAX_SIZE,
    BuiltPair,
    Exchange,
    WarcWriter,
    build_response_pair,
    settings_info,
    warc_folder,
)
from drmcrawl.crawlstore import CrawlStore
from drmcrawl.storage import Archive
from drmcrawl.storage.repository import utcnow

logger = logging.getLogger(__name__)

KIND_META = "drmcrawl_kind"  # set by the spider: "article" or "navigation"
RUN_ID_STAT = "drmcrawl/run_id"  # set by StorePipeline when the run starts
# Answers at least this large have their records built by an extraction worker: below
# it, sending the body there costs about what compressing it here does.
OFFLOAD_MIN_BYTES = 16 * 1024
# When this many jobs already wait at the least busy worker, the workers' core is the
# crawl's bottleneck and this process would only wait for it: it builds the next
# answers' records itself (about 0.5 ms a page) and hands the worker extraction alone.
# It was 4 while extraction was twice as costly; with 64 requests in flight a backlog of
# 4 is nearly always there, and this process, now the slower of the two, built 5,168 of
# a 5,000-article crawl's 5,526 records. At 32: 1.07x (4 alternating 5,000-article
# pairs, 1.00x-1.15x; 12: 1.03x).
LOCAL_RECORDS_BACKLOG = 32
# request.meta key: the worker's extraction of an article answer (an Article, or the
# exception extraction raised), taken by the spider instead of extracting it again.
EXTRACTED_META = "drmcrawl_extracted"
DIGEST_META = "drmcrawl_content_digest"  # ... and its content digest, for the store
# Crawl settings named in each WARC file's warcinfo record and in the run's row.
RECORDED_SETTINGS = ("USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
                     "CONCURRENT_REQUESTS_PER_DOMAIN", "DRMCRAWL_FULL", "DRMCRAWL_REVISIT", "DRMCRAWL_TRIGGER")


def recorded_settings(crawler, spider) -> dict:
    settings = {name: crawler.settings.get(name) for name in RECORDED_SETTINGS}
    settings.update(spider=spider.name, base_url=getattr(spider, "base_url", None),
                    max_articles=getattr(spider, "max_articles", None))
    return settings


def file_prefix(db_location: str, spider_name: str, run_id: int | None) -> str:
    """`<db name>-<spider>-run<N>`: databases side by side in one folder share its warc/
    folder, so a file name says which database (and run) it belongs to."""
    return f"{db_name(db_location)}-{spider_name}-run{run_id}"


def db_name(db_location: str) -> str:
    name = Path(db_location).stem if "://" not in db_location else "db"
    return re.sub(r"[^A-Za-z0-9_.]+", "_", name) or "db"


def warc_dir(crawler, db_location: str):
    return warc_folder(db_location, crawler.settings.get("DRMCRAWL_WARC_DIR"))


class WarcArchiveMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.archive: Archive | None = None
        self.recorder: Recorder | None = None
        crawler.signals.connect(self.spider_opened, signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        self.store = CrawlStore.of(self.crawler)
        self.archive = self.store.archive
        self.spider = spider

    async def process_response(self, request, response):
        if self.archive is None:
            return response
        run_id = self.crawler.stats.get_value(RUN_ID_STAT)
        recorder = self._recorder(run_id)
        first_url = (request.meta.get("redirect_urls") or [request.url])[0]
        kind = kind_of(request)
        answer = exchange(request, response)
        built = await self._built_in_worker(answer, kind, recorder.writer.gzip_level, request.meta)
        fetch_id = recorder.record(answer, kind, first_url, run_id, built)
        self.store.wrote()
        if kind == "article" and response.status == 200:
            self.store.remember_article_fetch(response.url, fetch_id, request.meta.pop(DIGEST_META, None))
        self.crawler.stats.inc_value("drmcrawl/warc_records")
        request.meta["drmcrawl_fetch_id"] = fetch_id
        return response

    async def _built_in_worker(self, answer: Exchange, kind: str, gzip_level: int, meta: dict) -> BuiltPair | None:
        """The records of a large page, digested and compressed by an extraction worker
        while its core has room (LOCAL_RECORDS_BACKLOG). An article page is extracted in
        the same job, its result left in `meta` for the spider (EXTRACTED_META). None:
        build them here (no workers, a small answer, a busy or failed worker)."""
        workers = getattr(self.spider, "extractor", None)
        if workers is None or not workers.workers or len(answer.body) < OFFLOAD_MIN_BYTES:
            return None
        here = workers.backlog() >= LOCAL_RECORDS_BACKLOG
        if here:
            self.crawler.stats.inc_value("drmcrawl/warc_built_here")
        try:
            if kind == "article" and answer.status == 200 and not prepare.content_encoded(answer):
                built, meta[EXTRACTED_META], meta[DIGEST_META] = await workers.run(
                    answer.url, prepare.records_and_article, answer, None if here else gzip_level,
                    getattr(self.spider, "profile", None))
                return built
            return None if here else await workers.run(answer.url, build_response_pair, answer, None, gzip_level)
        except Exception:  # the record must not be lost: this process builds it instead
            logger.exception("A worker could not build the WARC records of %s; building them here", answer.url)
            return None

    def _recorder(self, run_id: int | None) -> Recorder:
        if self.recorder is None:
            settings = self.crawler.settings
            writer = WarcWriter(
                warc_dir(self.crawler, self.archive.location),
                file_prefix(self.archive.location, self.spider.name, run_id),
                settings_info(recorded_settings(self.crawler, self.spider)),
                max_size=settings.getint("DRMCRAWL_WARC_MAX_SIZE", DEFAULT_MAX_SIZE),
                gzip_level=settings.getint("DRMCRAWL_WARC_GZIP_LEVEL", DEFAULT_GZIP_LEVEL),
            )
            self.recorder = Recorder(self.archive, writer, getattr(self.spider, "profile", self.spider.name))
            self.crawler.stats.set_value("drmcrawl/warc_dir", str(writer.folder))
        return self.recorder

    def spider_closed(self, spider):
        if self.recorder is not None:
            self.recorder.writer.close()
        if self.archive is not None:
            self.store.close()


def kind_of(request) -> str:
    if request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt"):
        return "robots"
    return request.meta.get(KIND_META, "other")


def exchange(request, response) -> Exchange:
    return Exchange(
        url=response.url, status=response.status, response_headers=_pairs(response.headers),
        body=response.body, fetched_at=utcnow(), method=request.method,
        request_headers=_pairs(request.headers), request_body=request.body or b"",
        protocol=getattr(response, "protocol", None) or "HTTP/1.1",
    )


def _pairs(headers) -> list[tuple[str, str]]:
    """Scrapy headers (bytes, lists) as (name, value) text pairs; latin-1 as in HTTP/1.1."""
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name in headers for value in headers.getlist(name)]
