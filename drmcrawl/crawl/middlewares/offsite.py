"""The site's scope (scheme + host + port, after normalisation: `drmcrawl.sites.scope`)
enforced on every request, redirect hops included, and every refusal recorded.

- A 3xx whose `Location` leaves the scope (resolved as a browser does: backslashes,
  `127.0.0.1.`, an integer IP, another port) fails its request here, before
  RedirectMiddleware follows it: the article is a failure (`offsite`).
- Every other request is checked before it is downloaded: a redirect hop (a meta refresh
  included), an article URL longer than URLLENGTH_LIMIT. The request's errback records
  it: an article as a failure (`offsite`, `url_too_long`), a discovery page in the
  session's `navigation_failed`. Nothing out of scope is fetched.
- A link out of scope is dropped before it is scheduled, as Scrapy's OffsiteMiddleware
  does (logged once per host, `offsite/filtered`): a discovery page is counted in the
  session's `navigation_failed` (`offsite`, `url_too_long`) and logged, an article
  elsewhere (a sitemap listing another site) in the session's `offsite_links`."""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest

from drmcrawl.crawl.middlewares.warc import KIND_META
from drmcrawl.crawl.session import CrawlSession
from drmcrawl.sites.scope import Verdict

logger = logging.getLogger(__name__)


def refusal(url: str, verdict: Verdict, what: str = "request") -> IgnoreRequest:
    """The error a refused request fails with; `crawl.failures` reads its reason from the
    message's first word (`url_too_long`, `offsite`)."""
    if verdict.reason == "url_too_long":
        return IgnoreRequest(f"url_too_long: {what} to a URL of {len(url)} characters (URLLENGTH_LIMIT)")
    return IgnoreRequest(f"offsite {what} to {url[:300]} ({verdict.reason})")


class StrictOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's own lets `dont_filter=True` requests (drmcrawl's article requests, and every
    redirect copied from one) leave the site, compares host names only (another port of the
    same host passes) and drops what it refuses at scheduling time, unrecorded. Only the
    `allow_offsite` meta key opts out here.

    Ordered after RedirectMiddleware's response handling (650 > 600) so an off-site 3xx
    fails its request visibly (errback -> recorded failure) instead of being followed."""

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.session = CrawlSession.of(crawler)
        return middleware

    def should_follow(self, request, spider=None) -> bool:
        return self.session.scope.in_scope(request.url)

    def request_scheduled(self, request, spider=None) -> None:
        """Links out of scope are dropped here, unscheduled: a discovery page is counted in
        the session's `navigation_failed` (and logged), an article elsewhere in
        `offsite_links`. Redirect hops and article URLs too long go on, to fail before
        their download and be recorded by their errback."""
        meta = request.meta
        if meta.get("allow_offsite") or meta.get("redirect_urls"):
            return
        verdict = self.session.scope.check(request.url)
        if verdict:
            return
        if meta.get(KIND_META) == "navigation":
            reason = "url_too_long" if verdict.reason == "url_too_long" else "offsite"
            self.session.navigation_failed[reason] += 1
            logger.info("Discovery page not fetched: %s (%s: %s)", request.url[:300], reason, verdict.reason)
        elif verdict.reason == "url_too_long":
            return
        else:
            self.session.counts["offsite_links"] += 1
        super().process_request(request.replace(dont_filter=False))  # Scrapy's log and stats; raises

    def process_request(self, request, spider=None) -> None:
        if request.meta.get("allow_offsite"):
            return None
        verdict = self.session.scope.check(request.url)
        if not verdict:
            self.stats.inc_value(f"offsite/refused/{verdict.reason}")
            raise refusal(request.url, verdict, "redirect" if request.meta.get("redirect_urls") else "request")
        return None

    def process_response(self, request, response, spider=None):
        location = response.headers.get("Location")
        if 300 <= response.status < 400 and location and not request.meta.get("allow_offsite"):
            target = location.decode("latin-1")
            verdict = self.session.scope.check_redirect(request.url, target)
            if not verdict:
                self.stats.inc_value("offsite/redirects_refused")
                raise refusal(target, verdict, "redirect")
        return response
