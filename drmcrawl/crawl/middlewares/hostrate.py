"""Politeness across the workers of one crawl (`crawl --frontier`): a request to a host
leaves only when DOWNLOAD_DELAY seconds have passed since the last one any worker sent it
(the host's last request time is kept in Redis; crawl/frontier.py `host_turn`), so a host
sees the rate of one crawler however many workers there are. The spider moves the crawl's
DOWNLOAD_DELAY here (Scrapy's own delay then is 0); without a frontier this does nothing."""

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
        gap = self.crawler.settings.getfloat("DRMCRAWL_HOST_DELAY")
        if frontier is None or gap <= 0 or self.session.frontier_error:
            return None
        parts = urlsplit(request.url)
        host = f"{parts.hostname}:{parts.port or ''}"
        while True:
            try:
                wait = frontier.host_turn(host, gap)
            except Exception as exc:  # noqa: BLE001 - Redis gone: the worker stops, saying why
                self.session.frontier_failed(exc)
                return None
            if wait <= 0:
                return None
            await asyncio.sleep(wait)
