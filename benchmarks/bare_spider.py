"""The crawl baseline: a bare Scrapy spider that follows the same links as the `drm`
spider (Yoast sitemaps, home menu -> category archives -> pagination, feed, articles)
and yields nothing: what fetching and link-following alone cost in Scrapy.

    python benchmarks/bare_spider.py http://127.0.0.1:8000   # prints Scrapy's stats as JSON

Only Scrapy is used here (no drmcrawl code), run like drmcrawl runs it on a loopback
mirror (no delay, robots.txt obeyed, the same collector settings) so the comparison is
like for like. Concurrency is this spider's fastest, 16: drmcrawl's 64 makes it 0.89x
(perf-notes)."""

from __future__ import annotations

import gc
import json
import re
import sys
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.utils.sitemap import Sitemap

SETTINGS = {
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "CONCURRENT_ITEMS": 10,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,  # consoles off, as in drmcrawl: not part of crawling
    "LOG_LEVEL": "WARNING",
}
# The collector settings drmcrawl's crawl runs with (drmcrawl/crawl.py, `_collect_less`),
# like for like: with CPython's defaults this spider was 1.23x slower (median of 4
# alternating pairs at 5,000 pages, 1.14x-1.35x), more than drmcrawl gains from them.
YOUNG_THRESHOLD = 10_000
PAGED = re.compile(r"^(?P<base>.*?/)page/(?P<n>\d+)/?$")
NAVIGATION = ("/category/", "/tag/", "/author/", "/feed", "/page/", ".xml", "/wp-")


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.allowed_domains = [urlsplit(base_url).hostname]
        self.seen: set[str] = set()

    async def start(self):
        yield scrapy.Request(self.base_url + "/sitemap_index.xml", self.parse_sitemap)
        yield scrapy.Request(self.base_url + "/", self.parse_home)
        yield scrapy.Request(self.base_url + "/feed/", self.parse_feed)

    def _local(self, url: str) -> str:
        parts = urlsplit(url)
        return self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")

    def _article(self, url: str):
        url = self._local(url)
        key = urlsplit(url).path.rstrip("/")
        if key and key not in self.seen and not any(n in key + "/" for n in NAVIGATION):
            self.seen.add(key)
            yield scrapy.Request(url, self.parse_article, priority=10, dont_filter=True)

    def parse_sitemap(self, response):
        sitemap = Sitemap(response.body)
        for entry in sitemap:
            loc = entry["loc"]
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(self._local(loc), self.parse_sitemap)
            elif "category-sitemap" in response.url:
                yield scrapy.Request(self._local(loc), self.parse_archive)
            else:
                yield from self._article(loc)

    def parse_home(self, response):
        for href in response.css(".jeg_menu a::attr(href), .jeg_mobile_menu a::attr(href)").getall():
            if "/category/" in href:
                yield scrapy.Request(self._local(response.urljoin(href)), self.parse_archive)
        yield from self.parse_archive(response)

    def parse_archive(self, response):
        for href in response.css("article.jeg_post .jeg_post_title a::attr(href)").getall():
            yield from self._article(response.urljoin(href))
        for href in response.css(".jeg_navigation a.page_nav::attr(href), .jeg_navigation a.page_number::attr(href), "
                                 "link[rel=next]::attr(href)").getall():
            if href != "#":
                yield scrapy.Request(self._local(response.urljoin(href)), self.parse_archive)
        yield from self._listed_pages(response)

    def _listed_pages(self, response):
        """As the drm spider does (drmcrawl.jnews.listing_links): an archive's first
        page requests every page up to the last one its numbered links name."""
        path = urlsplit(response.url).path
        if PAGED.match(path):
            return
        base = path.rstrip("/") + "/"
        numbers = [PAGED.match(urlsplit(response.urljoin(h)).path)
                   for h in response.css(".jeg_navigation a.page_number::attr(href)").getall()]
        last = max([int(m["n"]) for m in numbers if m and m["base"] == base], default=0)
        for n in range(2, min(last, 5000) + 1):  # jnews.MAX_LISTED_PAGES (no drmcrawl import here)
            yield scrapy.Request(self._local(f"{base}page/{n}/"), self.parse_archive)

    def parse_feed(self, response):
        for link in response.xpath("//item/link/text()").getall():
            yield from self._article(link.strip())

    def parse_article(self, response):
        return None


def main(base_url: str) -> None:
    process = CrawlerProcess(SETTINGS)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, base_url=base_url)
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"pages": stats.get("downloader/response_count", 0),
                      "status_200": stats.get("downloader/response_status_count/200", 0),
                      "articles": len(crawler.spider.seen)}))


if __name__ == "__main__":
    main(sys.argv[1])
