"""A spider for a site declaration (`drmcrawl.sites`): its sitemaps, home-page listings
and feeds become requests; what they list goes to the article machinery of the base."""

from __future__ import annotations

from itertools import pairwise

from drmcrawl.crawl.spiders.base import ArticleSpider
from drmcrawl.crawl.spiders.sitemaps import SitemapCrawl
from drmcrawl.crawl.workers import WorkerCrashed
from drmcrawl.sites.sitemaps import SitemapPlan, SitemapResult


class SiteSpider(ArticleSpider):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        indexes = [self.url(path) for path in self.site.sitemap_indexes]
        plan = SitemapPlan(follow=lambda url: self.site.sitemap_role(url) is not None)
        self.sitemaps = SitemapCrawl(self, plan, self._sitemap_result, dict(pairwise(indexes)))

    def discover(self):
        yield from self.sitemaps.start([(url, "declared") for url in
                                        [self.url(path) for path in self.site.sitemap_indexes][:1]])
        for path in self.site.listings:
            yield self.navigation(self.url(path), self.parse_home)
        for path in self.site.feeds:
            yield self.navigation(self.url(path), self.parse_feed)

    def _sitemap_result(self, result: SitemapResult):
        role = self.site.sitemap_role(result.url)
        for entry in result.entries:
            if role == "articles":
                yield from self.article(entry.loc, "sitemap", lastmod=entry.lastmod)
            elif role == "listings":
                yield self.navigation(entry.loc, self.parse_listing)

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
