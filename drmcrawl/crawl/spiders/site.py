"""A spider for a site declaration (`drmcrawl.sites`): its sitemaps, home-page listings
and feeds become requests; what they list goes to the article machinery of the base."""

from __future__ import annotations

from drmcrawl.crawl.spiders.base import ArticleSpider
from drmcrawl.crawl.workers import WorkerCrashed
from drmcrawl.sites.sitemaps import MAX_DEPTH, MAX_SITEMAPS, Sitemap, SitemapError, parse_sitemap
from drmcrawl.urls import url_key


class SitemapWalk:
    """The sitemaps of one crawl: indexes followed at most MAX_DEPTH levels deep and at most
    MAX_SITEMAPS fetched (a chain of nested indexes cannot make a crawl request without
    end), the url keys that complete listings name, and whether every one of them was read
    (only then does an article's absence mean it left the site)."""

    def __init__(self, indexes: tuple[str, ...]):
        self.indexes = list(indexes)
        self.keys: set[str] = set()
        self._seen: set[str] = set()
        self._outstanding = 0
        self._holes = 0
        self._listed_any = False

    def requested(self) -> None:
        self._outstanding += 1

    def cut_reason(self, url: str, depth: int) -> str | None:
        if url in self._seen:
            return "already_seen"
        if depth > MAX_DEPTH:
            return "depth"
        if len(self._seen) >= MAX_SITEMAPS:
            return "max_sitemaps"
        self._seen.add(url)
        return None

    def listed(self, key: str) -> None:
        self._listed_any = True
        self.keys.add(key)

    def hole(self, needed: bool = True) -> None:
        """A sitemap was not read (failed, unreadable or cut); `needed`: the listing of
        articles is not whole without it."""
        self._holes += needed

    def answered(self) -> bool:
        """One sitemap answered (or failed); True when it was the last one out."""
        self._outstanding -= 1
        return self._outstanding == 0

    def complete(self) -> bool:
        return self._listed_any and not self._holes


class SiteSpider(ArticleSpider):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sitemaps = SitemapWalk(tuple(self.url(path) for path in self.site.sitemap_indexes))

    def discover(self):
        if self._sitemaps.indexes:
            yield self._sitemap(self._sitemaps.indexes[0], depth=0)
        for path in self.site.listings:
            yield self.navigation(self.url(path), self.parse_home)
        for path in self.site.feeds:
            yield self.navigation(self.url(path), self.parse_feed)

    # -- sitemaps ----------------------------------------------------------------
    def _sitemap(self, url: str, depth: int):
        self._sitemaps.requested()
        request = self.navigation(url, self.parse_sitemap, self.sitemap_failed)
        request.cb_kwargs["depth"] = depth
        return request

    def parse_sitemap(self, response, depth: int = 0):
        self.session.discovery["sitemaps"] += 1
        try:
            sitemap = parse_sitemap(response.body, response.url)
        except SitemapError as exc:
            sitemap = None
            self.logger.warning("Ignoring unreadable sitemap %s: %s", response.url, exc)
        if sitemap is None or sitemap.kind == "unknown":
            self.session.counts["sitemap_unreadable"] += 1
            self._sitemaps.hole(self._lists_articles(response.url))
        elif sitemap.kind == "sitemapindex":
            yield from self._children(sitemap, depth)
        else:
            yield from self._entries(sitemap, self.site.sitemap_role(response.url))
        yield from self._sitemap_done()

    def _children(self, index: Sitemap, depth: int):
        for entry in index.entries:
            role = self.site.sitemap_role(entry.loc)
            if role is None:
                continue
            cut = self._sitemaps.cut_reason(entry.loc, depth + 1)
            if cut == "already_seen":
                continue
            if cut:
                self.session.discovery["sitemaps_cut"][cut] += 1
                self.logger.warning("Sitemap %s not fetched: %s", entry.loc, cut)
                self._sitemaps.hole(self._lists_articles(entry.loc))
                continue
            yield self._sitemap(entry.loc, depth + 1)

    def _entries(self, sitemap: Sitemap, role: str | None):
        for entry in sitemap.entries:
            if role == "articles":
                self._sitemaps.listed(url_key(entry.loc))
                yield from self.article(entry.loc, "sitemap", lastmod=entry.lastmod)
            elif role == "listings":
                yield self.navigation(entry.loc, self.parse_listing)

    def sitemap_failed(self, failure):
        self.navigation_failed(failure)
        url = failure.request.url
        if url in self._sitemaps.indexes and url != self._sitemaps.indexes[-1]:
            # No such index (Yoast switched off): the next declared one lists the posts.
            yield self._sitemap(self._sitemaps.indexes[self._sitemaps.indexes.index(url) + 1], depth=0)
        else:
            self._sitemaps.hole(self._lists_articles(url))
        yield from self._sitemap_done()

    def _lists_articles(self, url: str) -> bool:
        """A sitemap index, or one that lists articles: the listing is not whole without it."""
        return self.site.sitemap_role(url) != "listings"

    def _sitemap_done(self):
        """The last sitemap answered: what a complete listing no longer names is re-checked."""
        if not self._sitemaps.answered():
            return
        complete = self._sitemaps.complete()
        self.session.discovery["listing_complete"] = complete
        if not complete:
            return
        vanished = self.session.plan.claim_vanished(self._sitemaps.keys)
        if vanished:
            self.logger.info("%d archived articles are no longer in the site's sitemaps: re-checking them",
                             len(vanished))
        for path in vanished:
            yield from self._article_request(self.url(path), "vanished")

    async def parse_home(self, response):
        for url in self.site.menu_links(response.text, response.url):
            yield self.navigation(url, self.parse_listing)
        async for request in self.parse_listing(response):
            yield request

    async def parse_listing(self, response):
        # In a worker: listing pages come last (articles go first), and parsing them in
        # this process left the workers idle while the crawl's tail ran on one core.
        page = (response.body, response.headers.get("Content-Type", b"").decode("latin-1"), response.url)
        try:
            links = await self.session.workers.run(response.url, self.site.listing_links, *page)
        except WorkerCrashed:  # the page's links must not be lost with the worker
            links = self.site.listing_links(*page)
        for url in links.articles:
            for request in self.article(url, "listing"):
                yield request
        for url in links.navigation:
            yield self.navigation(url, self.parse_listing)

    def parse_feed(self, response):
        for url in self.site.feed_links(response.body):
            yield from self.article(response.urljoin(url), "feed")
