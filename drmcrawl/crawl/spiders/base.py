"""The article spider every site's spider builds on: the article window, the revisit plan's
decisions, deduplication and the outcome of every article request (stored, unchanged,
removed, failed). A subclass supplies discovery (`discover`) and calls `article()` for
each candidate article it finds.

Every page takes one path: fetched -> archived (the WARC middleware, which records the
session's fetch id for the request) -> extracted (in a worker when there is one) ->
stored (the pipeline), whatever its size or encoding."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider

from drmcrawl.crawl.failures import failure_reason
from drmcrawl.crawl.items import REMOVED_STATUSES, Extracted, Gone, NonArticle, NotModified, PageFailure
from drmcrawl.crawl.middlewares.warc import KIND_META
from drmcrawl.crawl.session import CrawlSession
from drmcrawl.crawl.window import ARTICLE_WINDOW, ArticleWindow
from drmcrawl.crawl.workers import extract_for_archive
from drmcrawl.extract import NotAnArticle
from drmcrawl.sites import Site
from drmcrawl.urls import rebase, split_credentials, url_key

ARTICLE_PRIORITY = 10  # finish articles before opening more listing pages: bounded memory
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# A mirror on this machine needs no politeness delay. 64 requests in flight, not Scrapy's
# 16: the crawl's process and its extraction worker are a pipeline on two cores, and more
# pages in flight keep both fed (benchmarks/README.md).
LOCAL_MIRROR_SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 64,
                         "CONCURRENT_REQUESTS_PER_DOMAIN": 64, "RETRY_BACKOFF_BASE": 0.1}


class ArticleSpider(scrapy.Spider):
    site: Site  # the declaration this spider crawls (set by each subclass)

    def __init__(self, base_url: str | None = None, max_articles: int | str | None = None, **kwargs):
        super().__init__(**kwargs)
        # Credentials in the URL are sent as a header (middlewares/siteauth.py), never kept
        # in URLs, logs or the database.
        base_url, user, password = split_credentials(base_url or self.site.base_url)
        self._credentials = (user, password) if user is not None else None
        self.base_url = base_url.rstrip("/")
        host = urlsplit(self.base_url).hostname
        if not host or urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.allowed_domains = [host]
        self.max_articles = int(max_articles) if max_articles not in (None, "", "0", 0) else None
        self.articles_yielded = 0
        self._stored: set[object] = set()  # post IDs and url keys of this run's articles
        self.window = ArticleWindow()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Settings are still open here: Scrapy applies them after creating the spider.
        if urlsplit(spider.base_url).hostname in LOOPBACK_HOSTS:
            for name, value in LOCAL_MIRROR_SETTINGS.items():
                crawler.settings.set(name, value, priority="spider")
        for name, value in spider.declared_settings().items():  # the declaration's politeness wins
            crawler.settings.set(name, value, priority="spider")
        if crawler.settings.get("DRMCRAWL_FRONTIER"):
            # A shared crawl: article requests wait in Redis, not in this process's memory,
            # and another worker answers most of them (the window counts answers here).
            crawler.settings.set("SCHEDULER", "drmcrawl.crawl.frontier.FrontierScheduler", priority="spider")
            crawler.settings.set("DRMCRAWL_ARTICLE_WINDOW", 1 << 30, priority="spider")
            # The delay is kept across workers by middlewares/hostrate.py, which reserves each
            # request's moment in Redis. Scrapy's own delay on top, counted from this worker's
            # previous request and randomised, would shift requests off their reserved moments.
            crawler.settings.set("DRMCRAWL_HOST_DELAY", crawler.settings.getfloat("DOWNLOAD_DELAY"), priority=50)
            crawler.settings.set("DOWNLOAD_DELAY", 0, priority=50)
        # Attached first, so the session opens before any other component's spider_opened.
        spider.session = CrawlSession.attach(crawler, spider.site, spider.base_url, spider.max_articles,
                                             spider._credentials)
        crawler.signals.connect(spider._schedule_waiting, signals.spider_idle)
        return spider

    def declared_settings(self) -> dict:
        site = self.site
        declared = {"DOWNLOAD_DELAY": site.delay, "CONCURRENT_REQUESTS_PER_DOMAIN": site.concurrency,
                    "DRMCRAWL_REVISIT": site.revisit}
        return {name: value for name, value in declared.items() if value is not None}

    async def start(self):
        # The session opened on spider_opened, before this runs: the plan is loaded.
        self.window = ArticleWindow(self.crawler.settings.getint("DRMCRAWL_ARTICLE_WINDOW", ARTICLE_WINDOW))
        frontier = self.session.frontier
        if frontier is not None and not frontier.lead:
            return  # one worker of a shared crawl discovers; this one fetches what it queues
        for request in self.discover():
            yield request
        for path in self.session.plan.claim_due():  # re-checks, even of articles discovery no longer lists
            for request in self.revisit(self.url(path), "due"):
                yield request

    def discover(self):
        """The site's discovery requests (listings, sitemaps, feeds)."""
        return []

    # -- articles ----------------------------------------------------------------
    def article(self, url: str, found_in: str, lastmod: str | None = None):
        """Requests for a candidate article link found in `found_in`, if the plan wants it."""
        url = rebase(url, self.base_url, self.site.hosts)
        if not self.site.is_article_url(url) or self._enough():
            return
        if self.session.plan.decide(url, lastmod) is None:  # known and not due, or already requested
            return
        if not self.session.claim(url):  # another worker of a shared crawl queued it
            return
        if self.window.admit(url, found_in, lastmod):
            yield from self._article_request(url, found_in, lastmod)
        else:
            self.session.counts["articles_waited"] += 1

    def revisit(self, url: str, found_in: str):
        """A request for an article the plan has claimed already (due, or vanished)."""
        if self.session.claim(url):
            yield from self._article_request(url, found_in)

    async def parse_article(self, response):
        try:
            for request in self._answered():
                yield request
            async for item in self._article_outcome(response):
                yield item
        finally:
            self.session.done(response.request)

    async def _article_outcome(self, response):
        first_url = (response.meta.get("redirect_urls") or [response.url])[0]
        if response.status == 304:
            # The archived article is current. Another URL form of it in this run (before or
            # after this answer) is a duplicate, counted once.
            key = url_key(first_url)
            if key in self._stored:
                self._count_duplicate(first_url, {key})
                return
            self._stored.add(key)
            yield NotModified(first_url)
            return
        if response.meta.get("redirect_urls") and not self.site.is_article_url(response.url):
            yield self._redirected_away(first_url, response)
            return
        if not isinstance(response, scrapy.http.TextResponse):
            yield PageFailure(response.url, "not_html", response.headers.get("Content-Type", b"").decode())
            return
        try:
            found = await self.extracted(response)
        except NotAnArticle as exc:
            if response.meta.get("redirect_urls"):
                yield self._redirected_away(first_url, response)
            else:
                yield PageFailure(response.url, "not_an_article", str(exc))
            return
        except Exception as exc:  # a bad page (or a worker it killed twice) must never stop the crawl
            self.logger.exception("Extraction failed for %s", response.url)
            yield PageFailure(response.url, "extract_error", repr(exc))
            return
        if isinstance(found, NonArticle):
            yield found
            return
        article, digest = found
        # After the await other pages may have been stored: the checks below run now.
        identities = {article.post_id, url_key(article.canonical_url or article.url)} - {None}
        if identities & self._stored:
            self._count_duplicate(response.url, identities)
            return
        if self._enough():
            return
        self._stored.update(identities)
        self.articles_yielded += 1
        yield Extracted(article, self.session.fetch_of(response.request), digest)
        if self._enough():
            raise CloseSpider("max_articles")

    async def extracted(self, response):
        """(article, its content digest) of an answer to an article request, extracted in a
        worker when there is one; a subclass may answer a NonArticle instead. Raises
        NotAnArticle when the page holds none."""
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        return await self.session.workers.run(response.url, extract_for_archive, response.body, content_type,
                                              response.url, self.site.profile)

    def _enough(self) -> bool:
        return bool(self.max_articles) and self.articles_yielded >= self.max_articles

    def _count_duplicate(self, url: str, identities: set) -> None:
        self.session.counts["duplicates_dropped"] += 1
        self.logger.info("Duplicate of an article already stored: %s (%s)", url, identities)

    def article_failed(self, failure):
        try:
            yield from self._answered()
            yield self._failure_item(failure)
        finally:
            self.session.done(failure.request)

    def _failure_item(self, failure):
        request = failure.request
        response = getattr(failure.value, "response", None)
        reason = failure_reason(failure.value, response.status if response is not None else None)
        # The article's URL, not a redirect hop's (a refused one may be off-site or huge).
        first_url = (request.meta.get("redirect_urls") or [request.url])[0]
        if response is not None and response.status in REMOVED_STATUSES:
            return Gone(first_url, response.status, reason, str(failure.value)[:500])
        return PageFailure(first_url, reason, str(failure.value)[:500])

    @staticmethod
    def _redirected_away(first_url: str, response) -> Gone:
        status = (response.meta.get("redirect_reasons") or [301])[0]
        return Gone(first_url, status if isinstance(status, int) else 301, "redirected_away",
                    f"redirected to {response.url}")

    # -- the window --------------------------------------------------------------
    def _answered(self):
        """An article request came back: the next waiting ones, up to the window."""
        self.window.answered()
        yield from self._fill_window()

    def _fill_window(self):
        for waiting in self.window.next_waiting():
            if self._enough():
                self.window.clear()
                return
            yield from self._article_request(*waiting)

    def _schedule_waiting(self):
        """spider_idle: nothing is scheduled or in flight."""
        if not self.window.waiting:
            return
        self.window.reopen()
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
                headers=self.session.plan.validators(url),  # conditional GET: unchanged costs a 304
                meta={KIND_META: "article", "handle_httpstatus_list": [304]},
                # Articles are deduplicated by the plan (and by post ID after extraction). The
                # scheduler's filter would silently drop redirect hops, so a redirect loop
                # or a shortlink to an already fetched page would vanish without a record.
                dont_filter=True,
            )
        except ValueError as exc:  # not a fetchable URL
            self.session.plan.requested.discard(url_key(url))  # another copy of the link may do
            self.logger.warning("Skipping bad article link %r from %s: %s", url, found_in, exc)
            self.session.counts["bad_links"] += 1
            return
        self.window.requested()
        yield request

    # -- navigation --------------------------------------------------------------
    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def navigation(self, url: str, callback, errback=None) -> scrapy.Request:
        return scrapy.Request(rebase(url, self.base_url, self.site.hosts), callback=callback,
                              errback=errback or self.navigation_failed, meta={KIND_META: "navigation"})

    def navigation_failed(self, failure):
        """Discovery pages are not articles: counted and logged, not stored as failures."""
        response = getattr(failure.value, "response", None)
        reason = failure_reason(failure.value, response.status if response is not None else None)
        self.session.navigation_failed[reason] += 1
        self.logger.warning("Discovery page failed: %s (%s)", failure.request.url, reason)
