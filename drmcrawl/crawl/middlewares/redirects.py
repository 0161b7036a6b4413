"""Scrapy's redirect middlewares, fitted to a crawl that sends no Referer header.

`QuickMetaRefreshMiddleware` is Scrapy's MetaRefreshMiddleware without decoding pages that
cannot declare a refresh. It looks for `<meta http-equiv="refresh">` in the first 4,096
characters of the decoded text, and decoding (with encoding detection) a 100 KB article page
cost the crawl's process more than the rest of the middleware chain. A page in an
ASCII-compatible encoding whose first 16,384 bytes (4,096 characters of at most 4 bytes) lack
the word "refresh" in any case declares none: it passes through untouched. Any other page
goes to Scrapy's code.

Both redirect middlewares drop the Referer header on redirects, as the crawl sends none at
all (RefererMiddleware is off in the settings). Scrapy's own look for RefererMiddleware when
the engine starts and log a warning on every crawl when it is off."""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware

SCANNED_BYTES = 4096 * 4
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16/32: ASCII letters are not plain bytes there


def may_declare_refresh(body: bytes) -> bool:
    head = body[:SCANNED_BYTES]
    if head.startswith(_WIDE_BOMS) or b"\x00" in head[:256]:
        return True
    return b"refresh" in head.lower()


class _NoReferer:
    """Redirected requests carry no Referer, and no RefererMiddleware is looked for."""

    def handle_referer(self, request, response) -> None:
        request.headers.pop("Referer", None)

    def _engine_started(self) -> None:  # Scrapy's looks up RefererMiddleware, warns if off
        pass


class NoRefererRedirectMiddleware(_NoReferer, RedirectMiddleware):
    pass


class QuickMetaRefreshMiddleware(_NoReferer, MetaRefreshMiddleware):
    def process_response(self, request, response, spider=None):
        if not may_declare_refresh(response.body):
            return response
        return super().process_response(request, response)
