"""HTTP Basic credentials for the crawled site, from `--base-url http://user:pass@host`.

The spider strips them from the base URL and hands them to the crawl session (so no request URL, log line or stored URL
carries them) and this middleware adds the Authorization header to requests for that
exact scheme, host and port only: never to another site, never after an off-site redirect.
Scrapy's own HTTPAUTH_* settings would work too, but Scrapy logs overridden settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from w3lib.http import basic_auth_header

from drmcrawl.crawl.session import CrawlSession


class SiteCredentialsMiddleware:
    def __init__(self, crawler):
        self.session = CrawlSession.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None) -> None:
        credentials = self.session.credentials
        if not credentials or b"Authorization" in request.headers:
            return None
        if _origin(request.url) == _origin(self.session.base_url):
            request.headers[b"Authorization"] = basic_auth_header(*credentials)
        return None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port
