"""robots.txt `Crawl-delay`: Scrapy parses it (Protego) but does not apply it. This
extension makes it the minimum delay between two requests to that host, without
random jitter (which could undercut it) and whatever AutoThrottle computes."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import signals

logger = logging.getLogger(__name__)


class CrawlDelay:
    def __init__(self, crawler):
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("ROBOTSTXT_CRAWL_DELAY_MAX", 60.0)
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT")
        self.delays: dict[str, float] = {}  # download slot key (host) -> seconds
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self.request_reached_downloader, signal=signals.request_reached_downloader)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def robots_parsed(self, robotparser, request) -> None:
        delay = getattr(robotparser, "crawl_delay", lambda _ua: None)(self.user_agent)
        if not delay:
            return
        if delay > self.cap:
            logger.warning("robots.txt asks for Crawl-delay %.1fs; using %.1fs", delay, self.cap)
            delay = self.cap
        downloader = self.crawler.engine.downloader
        if hasattr(downloader, "get_slot_key"):
            key = downloader.get_slot_key(request)
        else:  # older Scrapy: slots are keyed by host
            key = urlsplit(request.url).hostname
        self.delays[key] = delay
        logger.info("robots.txt Crawl-delay for %s: %gs between requests", key, delay)
        self.crawler.stats.set_value("drmcrawl/robots_crawl_delay", delay)

    def request_reached_downloader(self, request, spider=None) -> None:
        """Before the slot decides when to send: raise its delay to the Crawl-delay."""
        key = request.meta.get("download_slot")
        delay = self.delays.get(key)
        slot = self.crawler.engine.downloader.slots.get(key) if delay else None
        if slot is None:
            return
        slot.delay = max(slot.delay, delay)
        if hasattr(slot, "jitter"):
            slot.jitter = 0.0
        else:  # Scrapy before jitter
            slot.randomize_delay = False
