"""Spider `news`: any news site from its home page URL, discovering everything itself.

    scrapy crawl news -a site=https://example.org/ [-a site_name=example]
    drmcrawl crawl --site https://example.org/

Discovery: robots.txt's sitemaps and the usual places (`sites.sitemaps.SitemapPlan`:
indexes followed 5 deep, gzipped ones read, complete listings told from partial ones), the
feeds the home page announces and the usual feed paths, and listing pages (the home page,
the sections it links to, their pagination; depth- and page-capped). The article URL shapes
the sitemaps and feeds use are learned as they come (`sites.urlshapes`). Every answer to an
article request is classified from evidence (`extract.pagetype`); navigation pages are
counted by kind and recorded in the fetch index, never stored as articles."""

from __future__ import annotations

from drmcrawl.crawl.items import NonArticle
from drmcrawl.crawl.spiders.base import ArticleSpider
from drmcrawl.crawl.spiders.sitemaps import SitemapCrawl
from drmcrawl.crawl.workers import PageRules, classify_and_extract
from drmcrawl.sites import Site
from drmcrawl.sites.auto import auto_site
from drmcrawl.sites.feeds import candidate_feed_urls, feed_urls_in_page, parse_feed
from drmcrawl.sites.listings import listing_links
from drmcrawl.sites.sitemaps import SitemapPlan, SitemapResult, candidate_sitemap_urls, sitemaps_from_robots
from drmcrawl.sites.urlshapes import UrlShapes
from drmcrawl.urls import rebase


class NewsSpider(ArticleSpider):
    name = "news"

    def __init__(self, site: str | Site | None = None, base_url: str | None = None, site_name: str | None = None,
                 **kwargs):
        """`site`: a declaration or a home page URL; `site_name`: the archive's name for a
        site given by URL (default: its host, and port)."""
        if site is None:
            raise ValueError("the news spider needs a site: -a site=https://example.org/")
        self.site = site if isinstance(site, Site) else auto_site(site, site_name)
        super().__init__(base_url=base_url, **kwargs)
        self.shapes = UrlShapes()
        self.sitemaps = SitemapCrawl(self, SitemapPlan(in_scope=self.in_scope), self._sitemap_result)
        self._feeds: set[str] = set()

    # -- discovery ---------------------------------------------------------------
    def discover(self):
        robots = self.navigation(self.url("/robots.txt"), self.parse_robots, self.robots_failed)
        robots.meta["dont_obey_robotstxt"] = True  # Scrapy reads it for the rules; this reads its sitemaps
        yield robots
        for path in self.site.listings:
            yield self._listing(self.url(path), depth=0, callback=self.parse_home)

    def parse_robots(self, response):
        yield from self._start_sitemaps(sitemaps_from_robots(response.body, response.url))

    def robots_failed(self, failure):
        self.navigation_failed(failure)
        yield from self._start_sitemaps([])

    def _start_sitemaps(self, from_robots: list[str]):
        """Declared sitemaps, then robots.txt's, then (without declared ones) the usual places."""
        declared = [(self.url(path), "declared") for path in self.site.sitemaps]
        guesses = [] if declared else [(url, "guess") for url in candidate_sitemap_urls(self.base_url + "/")]
        yield from self.sitemaps.start([*declared, *((url, "robots") for url in from_robots), *guesses])

    def _sitemap_result(self, result: SitemapResult):
        if result.role not in ("posts", "news"):
            return
        self.shapes.learn_many(e.loc for e in result.entries)
        for entry in result.entries:
            yield from self.article(entry.loc, f"sitemap:{result.role}", lastmod=entry.lastmod)

    def parse_home(self, response, depth: int = 0):
        announced = feed_urls_in_page(response.body, response.url)
        for url in candidate_feed_urls(self.base_url + "/", announced):
            if url not in self._feeds and self.in_scope(url):
                self._feeds.add(url)
                yield self.navigation(url, self.parse_feed, self._feed_failed)
        yield from self.parse_listing(response, depth)

    def _feed_failed(self, failure):
        """Most of the usual feed paths do not exist on a given site: not a failure."""
        self.session.discovery.setdefault("feeds_missing", 0)
        self.session.discovery["feeds_missing"] += 1

    def parse_feed(self, response):
        feed = parse_feed(response.body, response.url)
        self.shapes.learn_many(e.link for e in feed.entries)
        for entry in feed.entries:
            yield from self.article(entry.link, "feed", lastmod=entry.updated or entry.published)

    def parse_listing(self, response, depth: int = 0):
        links = listing_links(response.body, response.url, in_scope=self.in_scope, shapes=self.shapes,
                              depth=depth)
        for url in links.articles:
            yield from self.article(url, "listing")
        for url in links.sections:
            yield self._listing(url, depth + 1)
        for url in links.pages:
            yield self._listing(url, depth)

    def _listing(self, url: str, depth: int, callback=None):
        request = self.navigation(url, callback or self.parse_listing)
        request.cb_kwargs["depth"] = depth
        return request

    def in_scope(self, url: str) -> bool:
        """The crawl's one scope (the session's, which the offsite middleware enforces), for
        a link as it will be requested: a declared host's link moves onto the site's URL."""
        return self.session.scope.in_scope(rebase(url, self.base_url, self.site.hosts))

    # -- articles ----------------------------------------------------------------
    def article(self, url: str, found_in: str, lastmod=None):
        if not self.in_scope(url) or self.shapes.verdict(url) == "navigation":
            return
        yield from super().article(url, found_in, lastmod)

    async def extracted(self, response):
        rules = PageRules(self.site.name, self.site.profile, self.site.article_urls, self.site.skip_urls,
                          self.shapes.verdict(response.url), self.site.selectors, self.site.timezone)
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        kind, reason, article, digest = await self.session.workers.run(
            response.url, classify_and_extract, response.body, content_type, response.url, rules)
        if article is None:
            return NonArticle(response.url, self.session.fetch_of(response.request), kind, reason)
        return article, digest
