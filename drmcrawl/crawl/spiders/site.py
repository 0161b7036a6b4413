"""A spider for a site declaration (`drmcrawl.sites`): its sitemaps, home-page listings
and feeds become requests; what they list goes to the article machinery of the base."""

from __future__ import annotations

from scrapy.utils.sitemap import Sitemap

from drmcrawl.crawl.spiders.base import ArticleSpider
from drmcrawl.crawl.workers import WorkerCrashed


class SiteSpider(ArticleSpider):
    def discover(self):
        indexes = list(self.site.sitemap_indexes)
        if indexes:
            yield self._sitemap_index(indexes)
        for path in self.site.listings:
            yield self.navigation(self.url(path), self.parse_home)
        for path in self.site.feeds:
            yield self.navigation(self.url(path), self.parse_feed)

    def _sitemap_index(self, indexes: list[str]):
        """The first of the declared indexes; when it fails, the next one."""
        first, rest = indexes[0], indexes[1:]

        def failed(failure):
            self.navigation_failed(failure)
            if rest:
                yield self._sitemap_index(rest)

        return self.navigation(self.url(first), self.parse_sitemap, failed)

    def parse_sitemap(self, response):
        try:
            sitemap = Sitemap(response.body)
        except Exception as exc:  # lxml raises several types on hostile XML
            self.logger.warning("Ignoring unreadable sitemap %s: %s", response.url, exc)
            self.session.counts["sitemap_unreadable"] += 1
            return
        role = self.site.sitemap_role(response.url)
        for entry in sitemap:
            loc = entry.get("loc", "").strip()
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                if self.site.sitemap_role(loc) is not None:
                    yield self.navigation(loc, self.parse_sitemap)
            elif role == "articles":
                yield from self.article(loc, "sitemap", lastmod=entry.get("lastmod"))
            elif role == "listings":
                yield self.navigation(loc, self.parse_listing)

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
