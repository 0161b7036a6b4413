"""The meta-refresh middleware skips pages that cannot declare a refresh (no decoding)
and still follows the ones that do, like Scrapy's own."""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from drmcrawl.crawl.middlewares.redirects import QuickMetaRefreshMiddleware, may_declare_refresh

ARTICLE = b"<html><head><title>x</title></head><body>" + b"<p>words</p>" * 5000 + b"</body></html>"
REFRESH = b'<html><head><META HTTP-EQUIV="Refresh" CONTENT="0; URL=/moved/"></head><body></body></html>'


def middleware() -> QuickMetaRefreshMiddleware:
    return QuickMetaRefreshMiddleware.from_crawler(get_crawler())


def respond(body: bytes, url: str = "http://127.0.0.1:1/story/") -> tuple[Request, HtmlResponse]:
    request = Request(url)
    return request, HtmlResponse(url, body=body, request=request)


def test_a_page_without_the_word_passes_undecoded():
    request, response = respond(ARTICLE)
    assert middleware().process_response(request, response) is response
    assert response._cached_ubody is None  # Scrapy's middleware would have decoded it


def test_a_declared_refresh_is_still_followed_in_any_case():
    request, response = respond(REFRESH)
    redirected = middleware().process_response(request, response)
    assert isinstance(redirected, Request) and redirected.url == "http://127.0.0.1:1/moved/"


def test_the_word_elsewhere_or_a_wide_encoding_goes_to_scrapys_check():
    assert may_declare_refresh(b"<p>Press F5 to REFRESH</p>")
    assert may_declare_refresh("<p>x</p>".encode("utf-16"))
    assert not may_declare_refresh(b"<p>x</p>" + b" " * 20000 + b"refresh")  # beyond 4,096 characters
    request, response = respond(b"<html><body><p>Press F5 to refresh</p></body></html>")
    assert middleware().process_response(request, response) is response


def test_redirects_drop_the_referer_and_start_without_a_warning(caplog):
    """The crawl sends no Referer (RefererMiddleware is off): a redirect carries none on,
    and the engine's start logs no warning about the missing RefererMiddleware."""
    from drmcrawl.crawl.middlewares.redirects import NoRefererRedirectMiddleware

    redirect, refresh = NoRefererRedirectMiddleware.from_crawler(get_crawler()), middleware()
    request = Request("http://127.0.0.1:1/old/", headers={"Referer": "http://127.0.0.1:1/"})
    response = HtmlResponse(request.url, status=301, headers={"Location": "/new/"}, request=request)
    caplog.clear()
    with caplog.at_level("WARNING"):
        redirect._engine_started()
        refresh._engine_started()
        followed = redirect.process_response(request, response)
    assert followed.url == "http://127.0.0.1:1/new/" and b"Referer" not in followed.headers
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
