"""Spider `drm`: discovers Digital Rights Monitor articles through the Yoast sitemaps,
category archives (with /page/N/ pagination) and the RSS feed, and extracts each one.

    scrapy crawl drm -a base_url=http://127.0.0.1:8000 -a max_articles=10
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.utils.sitemap import Sitemap

from drmcrawl import discovery
from drmcrawl.archive import incremental
from drmcrawl.archive.events import REMOVED_STATUSES, Gone, NotModified
from drmcrawl.archive.middleware import EXTRACTED_META
from drmcrawl.extract import NotAnArticle
from drmcrawl.extract.pool import Extractor, WorkerCrashed, default_workers
from drmcrawl.failures import failure_reason
from drmcrawl.items import PageFailure

ARTICLE_PRIORITY = 10  # finish articles before opening more archive pages: bounded memory
# Article requests scheduled and not yet answered, at most (setting DRMCRAWL_ARTICLE_WINDOW);
# the rest of what discovery found waits as (url, found_in, lastmod): 0.29 KB against an
# article request's 0.95 KB (tracemalloc, URL included) before the scheduler's own share.
# The sitemaps list every article in the first seconds. All of them queued, a 20,000-article
# crawl's process was 32 MB larger than a 5,000-article one's all through the crawl; with the
# window 12-17 MB (the rest is dedupe state). 512 keeps 64 requests in flight fed.
ARTICLE_WINDOW = 512
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# 64 requests in flight, not Scrapy's 16: the crawl's process and its extraction worker are a
# pipeline on two cores, and more pages in flight keep both fed. Alternating 5,000-page
# crawls of the benchmark mirror (4 pairs each): 32 vs 16 1.07x faster, 64 vs 32 1.06x
# (every pair faster). The bare spider stays at 16, its fastest (perf-notes: 64 is 0.89x).
LOCAL_MIRROR_SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 64,
                         "CONCURRENT_REQUESTS_PER_DOMAIN": 64, "RETRY_BACKOFF_BASE": 0.1}


class DrmSpider(scrapy.Spider):
    name = "drm"
    profile = "drm"

    def __init__(self, base_url: str = discovery.DRM_BASE_URL, max_articles: int | str | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        # Credentials in the URL are sent as a header (siteauth.py), never kept in URLs,
        # logs or the database.
        base_url, user, password = discovery.split_credentials(base_url)
        self.site_credentials = (user, password) if user is not None else None
        self.base_url = base_url.rstrip("/")
        host = urlsplit(self.base_url).hostname
        if not host or urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.allowed_domains = [host]
        self.max_articles = int(max_articles) if max_articles not in (None, "", "0", 0) else None
        # Until start() loads what the archive knows, every article is new.
        self.plan = incremental.Plan({}, datetime.now(timezone.utc).replace(tzinfo=None))
        self._stored_posts: set[object] = set()
        self.articles_yielded = 0
        self._waiting: deque[tuple[str, str, str | None]] = deque()  # articles beyond the window
        self._unanswered = 0  # article requests made and not yet seen by a callback
        self._window = ARTICLE_WINDOW
        self.extractor = Extractor(0)  # start() sets the configured one

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if urlsplit(spider.base_url).hostname in LOOPBACK_HOSTS:
            # A mirror on this machine needs no politeness delay; the live site keeps it.
            # Settings are still open here: Scrapy applies them after creating the spider.
            for name, value in LOCAL_MIRROR_SETTINGS.items():
                crawler.settings.set(name, value, priority="spider")
        crawler.signals.connect(spider._schedule_waiting, signals.spider_idle)
        return spider

    async def start(self):
        # Settings and the run (opened by StorePipeline on spider_opened) are ready here.
        workers = self.crawler.settings.get("DRMCRAWL_EXTRACT_WORKERS")
        self.extractor = Extractor(default_workers() if workers in (None, "auto") else int(workers))
        self._window = max(1, self.crawler.settings.getint("DRMCRAWL_ARTICLE_WINDOW", ARTICLE_WINDOW))
        self.plan = incremental.load_plan(self.crawler.settings, self.profile,
                                          self.crawler.stats.get_value("drmcrawl/resume_since"))
        yield self._nav(self._url("/sitemap_index.xml"), self.parse_sitemap, self.sitemap_index_failed)
        yield self._nav(self._url("/"), self.parse_home)
        yield self._nav(self._url("/feed/"), self.parse_feed)
        for path in self.plan.claim_due():  # re-checks, even of articles discovery no longer lists
            for request in self._article_request(self._url(path), "archive"):
                yield request

    def closed(self, reason):
        self.extractor.close()

    # -- navigation --------------------------------------------------------------
    def parse_sitemap(self, response):
        body = response.body
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml raises several types on hostile XML
            self.logger.warning("Ignoring unreadable sitemap %s: %s", response.url, exc)
            self.crawler.stats.inc_value("drmcrawl/sitemap_unreadable")
            return
        for entry in sitemap:
            loc = entry.get("loc", "").strip()
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                if discovery.is_post_sitemap(loc) or "category-sitemap" in loc:
                    yield self._nav(loc, self.parse_sitemap)
            elif discovery.is_post_sitemap(response.url):
                yield from self._article(loc, "sitemap", lastmod=entry.get("lastmod"))
            elif "category-sitemap" in response.url:
                yield self._nav(loc, self.parse_archive)

    async def parse_home(self, response):
        for url in discovery.menu_category_links(response.text, response.url):
            yield self._nav(url, self.parse_archive)
        async for request in self.parse_archive(response):
            yield request

    async def parse_archive(self, response):
        # In a worker: archive pages come last (articles go first), and parsing them in
        # this process left the workers idle while the crawl's tail ran on one core.
        page = (response.body, response.headers.get("Content-Type", b"").decode("latin-1"), response.url)
        try:
            links = await self.extractor.run(response.url, discovery.archive_page_links, *page)
        except WorkerCrashed:  # the page's links must not be lost with the worker
            links = discovery.archive_page_links(*page)
        for url in links.articles:
            for request in self._article(url, "archive"):
                yield request
        for url in links.navigation:
            yield self._nav(url, self.parse_archive)

    def parse_feed(self, response):
        for url in discovery.feed_links(response.body):
            yield from self._article(response.urljoin(url), "feed")

    # -- articles ----------------------------------------------------------------
    async def parse_article(self, response):
        for request in self._answered():
            yield request
        async for item in self._article_outcome(response):
            yield item

    async def _article_outcome(self, response):
        first_url = (response.meta.get("redirect_urls") or [response.url])[0]
        if response.status == 304:
            # The archived article is current. Another URL form of it in this run (before or
            # after this answer) is a duplicate, counted once.
            key = discovery.url_key(first_url)
            if key in self._stored_posts:
                self._count_duplicate(first_url, {key})
                return
            self._stored_posts.add(key)
            yield NotModified(first_url)
            return
        if response.meta.get("redirect_urls") and discovery.page_kind(response.url) not in ("post", "shortlink"):
            yield self._redirected_away(first_url, response)
            return
        if not isinstance(response, scrapy.http.TextResponse):
            yield PageFailure(response.url, "not_html", response.headers.get("Content-Type", b"").decode())
            return
        try:
            article = await self._extracted(response)
        except NotAnArticle as exc:
            if response.meta.get("redirect_urls"):
                yield self._redirected_away(first_url, response)
            else:
                yield PageFailure(response.url, "not_an_article", str(exc))
            return
        except Exception as exc:  # a bad page must never stop the crawl
            self.logger.exception("Extraction failed for %s", response.url)
            yield PageFailure(response.url, "extract_error", repr(exc))
            return
        # After the await other pages may have been stored: the checks below run now.
        identities = {article.post_id, discovery.url_key(article.canonical_url or article.url)} - {None}
        if identities & self._stored_posts:
            self._count_duplicate(response.url, identities)
            return
        if self.max_articles and self.articles_yielded >= self.max_articles:
            return
        self._stored_posts.update(identities)
        self.articles_yielded += 1
        yield article
        if self.max_articles and self.articles_yielded >= self.max_articles:
            raise CloseSpider("max_articles")

    async def _extracted(self, response):
        """The article: extracted by the worker that built the page's WARC records
        (archive middleware), else now."""
        done = response.meta.pop(EXTRACTED_META, None)
        if done is None:
            return await self.extractor.extract(
                response.body, response.headers.get("Content-Type", b"").decode("latin-1"), response.url,
                self.profile)
        if isinstance(done, Exception):
            raise done
        return done

    def _count_duplicate(self, url: str, identities: set) -> None:
        self.crawler.stats.inc_value("drmcrawl/duplicates_dropped")
        self.logger.info("Duplicate of an article already stored: %s (%s)", url, identities)

    def article_failed(self, failure):
        yield from self._answered()
        request = failure.request
        response = getattr(failure.value, "response", None)
        reason = failure_reason(failure.value, response.status if response is not None else None)
        if response is not None and response.status in REMOVED_STATUSES:
            first_url = (request.meta.get("redirect_urls") or [request.url])[0]
            yield Gone(first_url, response.status, reason, str(failure.value)[:500])
            return
        yield PageFailure(request.url, reason, str(failure.value)[:500])

    @staticmethod
    def _redirected_away(first_url: str, response) -> Gone:
        status = (response.meta.get("redirect_reasons") or [301])[0]
        return Gone(first_url, status if isinstance(status, int) else 301, "redirected_away",
                    f"redirected to {response.url}")

    # -- requests ----------------------------------------------------------------
    def _url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def _nav(self, url: str, callback, errback=None) -> scrapy.Request:
        return scrapy.Request(discovery.rebase(url, self.base_url), callback=callback,
                              errback=errback or self.navigation_failed, meta={"drmcrawl_kind": "navigation"})

    def sitemap_index_failed(self, failure):
        """No Yoast index (its sitemaps switched off): WordPress core's own (WP >= 5.5) lists the posts."""
        self.navigation_failed(failure)
        yield self._nav(self._url("/wp-sitemap.xml"), self.parse_sitemap)

    def navigation_failed(self, failure):
        """Discovery pages are not articles: counted and logged, not stored as failures."""
        response = getattr(failure.value, "response", None)
        reason = failure_reason(failure.value, response.status if response is not None else None)
        self.crawler.stats.inc_value(f"drmcrawl/navigation_failed/{reason}")
        self.logger.warning("Discovery page failed: %s (%s)", failure.request.url, reason)

    def _article(self, url: str, found_in: str, lastmod: str | None = None):
        url = discovery.rebase(url, self.base_url)
        if discovery.page_kind(url) not in ("post", "shortlink"):
            return
        if self.max_articles and self.articles_yielded >= self.max_articles:
            return
        reason = self.plan.decide(url, lastmod)  # None: known and not due, or already requested
        if reason is None:
            return
        if self._unanswered >= self._window:
            self._waiting.append((url, found_in, lastmod))
            self.crawler.stats.inc_value("drmcrawl/articles_waited")
        else:
            yield from self._article_request(url, found_in, lastmod)

    def _answered(self):
        """An article request came back: the next waiting ones, up to the window."""
        self._unanswered -= 1
        yield from self._fill_window()

    def _fill_window(self):
        while self._waiting and self._unanswered < self._window:
            if self.max_articles and self.articles_yielded >= self.max_articles:
                self._waiting.clear()
                return
            yield from self._article_request(*self._waiting.popleft())

    def _schedule_waiting(self):
        """spider_idle: nothing is scheduled or in flight (a request that never reached a
        callback, dropped on the way, would otherwise hold the window shut)."""
        if not self._waiting:
            return
        self._unanswered = 0
        scheduled = 0
        for request in self._fill_window():
            self.crawler.engine.crawl(request)
            scheduled += 1
        if scheduled:
            raise DontCloseSpider

    def _article_request(self, url: str, found_in: str, lastmod: str | None = None):
        try:
            request = scrapy.Request(
                url,
                callback=self.parse_article,
                errback=self.article_failed,
                priority=ARTICLE_PRIORITY,
                headers=self.plan.validators(url),  # conditional GET: unchanged costs a 304
                meta={"found_in": found_in, "lastmod": lastmod, "drmcrawl_kind": "article",
                      "handle_httpstatus_list": [304]},
                # Articles are deduplicated by the plan (and by post ID after extraction). The
                # scheduler's filter would silently drop redirect hops, so a redirect loop
                # or a shortlink to an already fetched page would vanish without a record.
                dont_filter=True,
            )
        except ValueError as exc:  # not a fetchable URL; other copies of the link may be
            self.plan.requested.discard(discovery.url_key(url))  # another copy of the link may do
            self.logger.warning("Skipping bad article link %r from %s: %s", url, found_in, exc)
            self.crawler.stats.inc_value("drmcrawl/bad_links")
            return
        self._unanswered += 1
        yield request
