"""The JNews profile cuts the page chrome (headers, footer, off-canvas menu, popups) out of
an article page before it is parsed: extraction must give exactly what the whole page
gives, and the cut must not happen where its bounds are ambiguous or the chrome holds
something a structured layer reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, SITE

from drmcrawl.extract import extract, extract_document
from drmcrawl.extract.document import Document, decode_html
from drmcrawl.extract.profiles import by_name

DRM = by_name("drm")
VARIANT_SITE = FIXTURES / "variant_site"


def _article_pages() -> list[tuple[Path, str]]:
    pages = []
    for expected, site in ((FIXTURES / "expected", SITE), (FIXTURES / "variant_expected", VARIANT_SITE)):
        for path in sorted(expected.glob("*.json")):
            pages.append((site / path.stem / "index.html", json.loads(path.read_text(encoding="utf-8"))["url"]))
    return pages


PAGES = _article_pages()


@pytest.mark.parametrize(("path", "url"), PAGES, ids=[p.parent.name for p, _ in PAGES])
def test_extraction_without_the_chrome_is_extraction_of_the_whole_page(path, url):
    html = decode_html(path.read_bytes())
    cut = DRM.without_chrome(html)
    assert len(cut) < 0.8 * len(html)  # the chrome really went
    for menu in ("jeg_header_wrapper", "jeg_navbar_mobile_wrapper", "footer-holder", "jeg_mobile_menu"):
        assert f'class="{menu}' not in cut, menu
    whole = extract_document(Document(html, url), "drm")
    assert extract(html, url, profile="drm") == whole
    assert extract(path.read_bytes(), url) == extract_document(Document(html, url))  # found by the URL's domain


PAGE = """<!DOCTYPE html><html><head><title>T</title>{head}</head>
<body class="single postid-7"><div class="jeg_viewport">
<div class="jeg_header_wrapper"><ul class="jeg_menu"><li><a href="/c/">HeaderMenu</a></li></ul>{in_header}</div>
<div class="jeg_navbar_mobile_wrapper">mobile</div>
<div class="post-wrapper"><h1 class="jeg_post_title">Title</h1>
<div class="entry-content"><div class="content-inner"><p>Body text.</p></div></div></div>
<div class="footer-holder" id="footer"><div class="jeg_footer">About us</div>{in_footer}</div>
</div><div id="jeg_off_canvas"><ul class="jeg_mobile_menu"><li>OffCanvasMenu</li></ul></div>
<script>var x = 1;</script></body></html>"""


def _page(head: str = "", in_header: str = "", in_footer: str = "") -> str:
    return PAGE.format(head=head, in_header=in_header, in_footer=in_footer)


def test_both_chrome_parts_are_cut_from_a_plain_page():
    cut = DRM.without_chrome(_page(head="<style>.jeg_header_wrapper { color: red } .post-wrapper {}</style>"))
    for gone in ("HeaderMenu", "mobile", "About us", "OffCanvasMenu", "var x"):
        assert gone not in cut, gone
    assert "<h1 class=\"jeg_post_title\">Title</h1>" in cut and cut.endswith("</body></html>")
    assert "<style>.jeg_header_wrapper { color: red }" in cut  # CSS naming the classes is not a div


@pytest.mark.parametrize(("part", "markup"), [
    ("in_header", '<script type="application/ld+json">{"@type": "Organization"}</script>'),
    ("in_header", '<meta itemprop="datePublished" content="2024-01-01">'),
    ("in_footer", '<link rel="shortlink" href="https://x/?p=7">'),
    ("in_footer", '<link rel="canonical" href="https://x/title/">'),
])
def test_chrome_holding_what_a_structured_layer_reads_is_kept(part, markup):
    cut = DRM.without_chrome(_page(**{part: markup}))
    assert markup in cut
    kept, dropped = ("HeaderMenu", "OffCanvasMenu") if part == "in_header" else ("OffCanvasMenu", "HeaderMenu")
    assert kept in cut and dropped not in cut  # the other part still goes


@pytest.mark.parametrize("html", [
    _page(in_header='<div class="post-wrapper">a second one</div>'),  # which one is the post?
    _page().replace('<div class="post-wrapper">', "<div>"),  # not a post page
    _page().replace("</body>", ""),  # no end of body: the footer's end is unknown...
    _page().replace('class="footer-holder"', 'class="jeg_footer_holder"'),  # ...or no footer (a cut page)
])
def test_ambiguous_bounds_leave_that_part_of_the_page_alone(html):
    cut = DRM.without_chrome(html)
    assert "About us" in cut
    if "a second one" in html or 'class="post-wrapper"' not in html:
        assert cut == html
    else:
        assert "HeaderMenu" not in cut  # ...the header's is known


def test_a_page_whose_profile_is_known_only_after_parsing_is_parsed_whole(monkeypatch):
    """An unknown host: the profile is found from the parsed page (canonical or markup),
    too late to cut anything."""
    from drmcrawl.extract.profiles import jnews

    calls = []
    monkeypatch.setattr(jnews.JNewsProfile, "without_chrome", lambda self, html: calls.append(html) or html)
    assert extract(_page(), "https://example.org/title/").title == "Title"  # the JNews theme, by markup
    assert calls == []
    extract(_page(), "https://digitalrightsmonitor.pk/title/")  # known by its domain: cut
    assert len(calls) == 1
