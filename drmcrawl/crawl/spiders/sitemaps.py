"""The Scrapy side of a site's sitemaps, shared by every spider: `SitemapPlan`
(drmcrawl/sites/sitemaps.py: what to fetch, depth and count caps, complete listings) hands
out sitemaps, this turns them into requests and their bodies back into the plan, and when
the last one has answered, re-checks the archived articles a complete listing no longer
names (the spider's plan decides which: `Plan.claim_vanished`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from drmcrawl.sites.sitemaps import PlannedSitemap, SitemapPlan, SitemapResult
from drmcrawl.urls import url_key


class SitemapCrawl:
    """`on_result(result)` yields what a fetched sitemap leads to (article requests,
    listings). `fallbacks`: url -> the sitemap to try when that one fails (a WordPress
    site without Yoast's index has core's)."""

    def __init__(self, spider, plan: SitemapPlan, on_result: Callable[[SitemapResult], Iterable],
                 fallbacks: dict[str, str] | None = None):
        self.spider = spider
        self.plan = plan
        self.on_result = on_result
        self.fallbacks = fallbacks or {}
        self._out = 0

    def start(self, roots: Iterable[tuple[str, str]]):
        """Requests for the root sitemaps, (url, source) pairs; then for what they list."""
        for url, source in roots:
            self.plan.add(url, "fallback" if url in self.fallbacks else source)
        yield from self._next()

    def _next(self):
        while (planned := self.plan.pop()) is not None:
            self._out += 1
            request = self.spider.navigation(planned.url, self.parse, self.failed)
            request.cb_kwargs["planned"] = planned
            yield request

    def parse(self, response, planned: PlannedSitemap):
        result = self.plan.record(planned, response.body)
        if result.role == "unknown":
            self.spider.session.counts["sitemap_unreadable"] += 1
        yield from self.on_result(result)
        yield from self._answered()

    def failed(self, failure):
        planned = failure.request.cb_kwargs["planned"]
        response = getattr(failure.value, "response", None)
        self.plan.failed(planned, f"http_{response.status}" if response is not None else type(failure.value).__name__)
        if planned.source != "guess":  # most guessed locations do not exist: that is normal
            self.spider.navigation_failed(failure)
        fallback = self.fallbacks.get(planned.url)
        if fallback:
            self.plan.add(fallback, "fallback" if fallback in self.fallbacks else "declared")
        yield from self._answered()

    def _answered(self):
        self._out -= 1
        yield from self._next()
        if self._out:
            return
        complete = self.plan.listing_complete()
        discovery = self.spider.session.discovery
        discovery["sitemaps"] = self.plan.fetched
        discovery["sitemaps_cut"].update({k: v for k, v in self.plan.cut.items() if k != "already_seen"})
        discovery["listing_complete"] = complete
        if not complete:
            return
        listed = {url_key(loc) for loc in self.plan.complete_locs()}
        vanished = self.spider.session.plan.claim_vanished(listed)
        if vanished:
            self.spider.logger.info("%d archived articles are no longer in the site's complete listing: "
                                    "re-checking them", len(vanished))
        for path in vanished:
            yield from self.spider.revisit(self.spider.url(path), "vanished")
