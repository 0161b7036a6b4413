"""Politeness across the workers of one crawl (`crawl --frontier`): each request to a host
first reserves the host's next slot in Redis, DOWNLOAD_DELAY seconds after the previous one
whichever worker sent it, and waits for it. So a host sees the rate of one crawler however
many workers there are. Scrapy's own per-worker delay still applies on top; without a
frontier this does nothing."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from drmcrawl.crawl.session import CrawlSession


class SharedHostRateMiddleware:
    def __init__(self, crawler):
        self.session = CrawlSession.of(crawler)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request, spider=None) -> None:
        frontier = self.session.frontier
        gap = self.crawler.settings.getfloat("DOWNLOAD_DELAY")
        if frontier is None or gap <= 0 or self.session.frontier_error:
            return None
        parts = urlsplit(request.url)
        try:
            wait = frontier.wait_for_host(f"{parts.hostname}:{parts.port or ''}", gap)
        except Exception as exc:  # noqa: BLE001 - Redis gone: the worker stops, saying why
            self.session.frontier_failed(exc)
            return None
        if wait > 0:
            await asyncio.sleep(wait)
        return None
