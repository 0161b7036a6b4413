"""Retries with exponential backoff that honour `Retry-After` (429 Too Many Requests,
503 Service Unavailable). Scrapy's own RetryMiddleware retries at once, which hits a
struggling server again immediately."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """`Retry-After: 120` or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def backoff_seconds(retry_times: int, base: float, cap: float) -> float:
    """Wait before retry number `retry_times` (1, 2, ...): base, 2*base, 4*base... capped."""
    return min(cap, base * 2 ** max(0, retry_times - 1))


async def _sleep(seconds: float) -> None:
    from twisted.internet import reactor

    await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


class RetryAfterMiddleware(RetryMiddleware):
    """Waits what the server asked before retrying, else backs off exponentially
    (RETRY_BACKOFF_BASE, doubling, at most RETRY_BACKOFF_MAX seconds). A Retry-After longer
    than RETRY_AFTER_MAX (seconds) is not honoured by waiting: the request fails and is
    recorded, and a later run picks it up."""

    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 300.0)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    async def _backoff(self, retry) -> None:
        if isinstance(retry, Request) and self.backoff_base > 0:
            wait = backoff_seconds(retry.meta.get("retry_times", 1), self.backoff_base, self.backoff_max)
            self.crawler.stats.inc_value("drmcrawl/retry_backoffs")
            await _sleep(wait)

    async def process_exception(self, request, exception, spider=None):
        retry = super().process_exception(request, exception)
        await self._backoff(retry)
        return retry

    async def process_response(self, request, response, spider=None):
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if (response.status in (429, 503) and wait is not None and not request.meta.get("dont_retry")
                and response.status in self.retry_http_codes):
            if wait > self.max_wait:
                logger.warning("Not waiting %.0fs (Retry-After) for %s", wait, request.url)
                return response
            logger.info("Server asked to wait %.1fs before retrying %s", wait, request.url)
            self.crawler.stats.inc_value("drmcrawl/retry_after_waits")
            await _sleep(wait)
            return super().process_response(request, response)
        result = super().process_response(request, response)
        await self._backoff(result)
        return result
