"""Retries that honour `Retry-After` (429 Too Many Requests, 503 Service Unavailable)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

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


class RetryAfterMiddleware(RetryMiddleware):
    """Waits what the server asked before retrying. A wait longer than RETRY_AFTER_MAX
    (seconds) is not honoured by waiting: the request fails and is recorded, and a later
    run picks it up."""

    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 300.0)

    async def process_response(self, request, response, spider=None):
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if (response.status in (429, 503) and wait is not None and not request.meta.get("dont_retry")
                and response.status in self.retry_http_codes):
            if wait > self.max_wait:
                logger.warning("Not waiting %.0fs (Retry-After) for %s", wait, request.url)
                return response
            from twisted.internet import reactor

            logger.info("Server asked to wait %.1fs before retrying %s", wait, request.url)
            self.crawler.stats.inc_value("drmcrawl/retry_after_waits")
            await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))
        return super().process_response(request, response)
