"""Property-based robustness: mutated real fixture pages never crash extraction.

Every outcome is either an Article with a title and body, or NotAnArticle."""

from __future__ import annotations

import pytest
from conftest import SITE, expected_articles
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drmcrawl.extract import Article, NotAnArticle, extract

PAGES = {slug: (SITE / slug / "index.html").read_bytes() for slug in sorted(expected_articles())}
SLUGS = sorted(PAGES)
URL = "https://digitalrightsmonitor.pk/x"
NASTY = [b"<", b">", b"</div>", b"<div>", b"<script>", b"]]>", b"\x00", b"\xff\xfe", b"&#", b"&#x110000;",
         b"<!--", b'"', b"{", b"}", b'"@graph":', b"<html>", b"\xe2\x80", "ٹک".encode()]


def outcome(html: bytes, url: str = URL) -> str:
    try:
        article = extract(html, url)
    except NotAnArticle:
        return "not an article"
    assert isinstance(article, Article)
    assert article.title and article.body
    return "article"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slug=st.sampled_from(SLUGS), start=st.floats(0, 1), length=st.integers(0, 20_000))
def test_truncated_or_cut_pages(slug, start, length):
    page = PAGES[slug]
    begin = int(start * len(page))
    outcome(page[:begin] + page[begin + length:])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slug=st.sampled_from(SLUGS), positions=st.lists(st.floats(0, 1), min_size=1, max_size=12),
       junk=st.lists(st.sampled_from(NASTY), min_size=1, max_size=12))
def test_pages_with_injected_junk(slug, positions, junk):
    page = bytearray(PAGES[slug])
    for where, piece in zip(positions, junk, strict=False):
        at = int(where * len(page))
        page[at:at] = piece
    outcome(bytes(page))


@settings(max_examples=40, deadline=None)
@given(html=st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_arbitrary_bytes(html):
    outcome(html)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slug=st.sampled_from(SLUGS), url=st.sampled_from(
    ["", "not a url", "file:///tmp/x.html", "http://[::1]:99/x", "https://digitalrightsmonitor.pk/?p=1#f",
     "//digitalrightsmonitor.pk/rel", "https://example.org/" + "a" * 3000]))
def test_odd_urls(slug, url):
    outcome(PAGES[slug], url)


# -- the version digest's text normalisation ----------------------------------------------
def _normalise_line_by_line(value: str) -> str:
    """The first normalisation, one regex pass per line: stored digests were made with it,
    so the faster one must give exactly the same text, or every re-crawl would count
    unchanged articles as edited."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ٹک\t\n\r\x0b\x0c\x1c\x85\xa0\u2009\u3000e\u0301")), max_size=60))
def test_version_text_normalisation_is_unchanged(text):
    from drmcrawl.versions import normalise_text

    assert normalise_text(text) == _normalise_line_by_line(text)


# Texts the fast path (single spaces, no space next to a newline: nothing to mend) must
# hand to the full normalisation: each differs from what it would leave.
MENDED = ["a\n b", "a \nb", "a  b", "a\tb", "a\xa0b", "a\n\n\nb", " a\nb ", "a\n \nb", "e\u0301"]


@pytest.mark.parametrize("text", MENDED)
def test_version_text_normalisation_mends_what_the_fast_path_must_not_skip(text):
    from drmcrawl.versions import normalise_text

    assert normalise_text(text) == _normalise_line_by_line(text) != text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\t")), max_size=30))
def test_version_text_normalisation_of_plain_text_is_unchanged(text):
    from drmcrawl.versions import normalise_text

    assert normalise_text(text) == _normalise_line_by_line(text)
