"""The generic extractor's fallback layers: a page without h1 still has a title, a body
that misses most of the page's prose hands over to the last-resort extractor, a page with
no structured date gets htmldate's, and every field says which layer filled it and how
sure that layer is (also in `drmcrawl extract --explain`)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from drmcrawl.cli import main
from drmcrawl.extract import NotAnArticle, extract

URL = "https://blog.example.net/notes/a-walk-in-the-hills/"
STORY = "".join(
    f"<p>Paragraph {i} of the walk tells how the path climbed through the wet forest, "
    f"past the old mill and the river, until the view opened over the valley below.</p>"
    for i in range(8))


def _page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_headline_in_an_h2_when_the_page_has_no_h1():
    html = _page("<title>A walk in the hills | Hiking notes</title>",
                 "<h2>Archive</h2><h2>A walk in the hills</h2>" + STORY)
    article = extract(html, URL)
    assert article.title == "A walk in the hills"
    assert article.sources["title"] == "dom.h2"


def test_browser_title_when_no_heading_matches():
    html = _page("<title>Notes - A long walk in the hills above the town</title>", STORY)
    article = extract(html, URL)
    assert article.title == "A long walk in the hills above the town"
    assert article.sources["title"] == "dom.title"
    assert article.confidence["title"] < article.confidence["body"]


def test_a_page_with_neither_title_nor_heading_is_still_not_an_article():
    with pytest.raises(NotAnArticle):
        extract(_page("", STORY), URL)


def test_confident_main_content_is_kept():
    html = _page("<title>A walk in the hills</title>",
                 "<nav><a href='/'>Home</a></nav><article><h1>A walk in the hills</h1>"
                 + STORY + "</article>")
    article = extract(html, URL)
    assert article.sources["body"] == "dom.main_content"
    assert article.confidence["body"] >= 0.9
    assert article.body.count("\n\n") == 7


def test_a_body_missing_most_of_the_page_hands_over_to_the_fallback():
    # Page builders wrap each paragraph in its own deep stack of divs: the DOM scoring
    # then settles on the short teaser, far less than the page's prose.
    story = "".join(f"<div><div><div><div><div><div>{p}</div></div></div></div></div></div>"
                    for p in STORY.replace("</p>", "</p>\n").splitlines())
    html = _page("<title>A walk in the hills</title>",
                 "<h1>A walk in the hills</h1><div class='teaser'><p>"
                 + "A short teaser about the walk, nothing more. " * 2 + "</p></div>" + story)
    article = extract(html, URL)
    assert article.sources["body"] == "fallback.trafilatura"
    assert "Paragraph 0 of the walk" in article.body and "Paragraph 7 of the walk" in article.body
    assert 0 < article.confidence["body"] < 1


def test_no_structured_date_falls_back_to_htmldate():
    html = _page("<title>A walk in the hills</title>",
                 "<article><p class='date'>Posted on March 14, 2021</p><h1>A walk in the hills</h1>"
                 + STORY + "</article><footer>© 2019-2024 Hiking notes</footer>")
    article = extract(html, URL)
    assert article.published is not None and article.published.date().isoformat() == "2021-03-14"
    assert article.sources["published"].startswith("htmldate")


def test_an_undated_page_takes_the_date_line_under_its_headline():
    html = _page("<title>A walk in the hills</title>",
                 "<article><h1>A walk in the hills</h1><p class='date'>Posted on 14. März 2021</p>"
                 + STORY + "</article><footer>© 2019-2024 Hiking notes</footer>")
    article = extract(html, URL)
    assert article.published.date().isoformat() == "2021-03-14"
    assert article.sources["published"] == "dom.displayed_date (naive)"


def test_the_structured_date_the_page_prints_wins_over_one_of_another_day():
    # JSON-LD gives the instant in UTC, the meta tag in the site's zone: the page prints
    # the site's day, so that value is taken (same instant, the readers' calendar day).
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "A walk in the hills",'
            ' "datePublished": "2019-10-18T22:04:00Z"}</script>'
            '<meta name="date" content="Sat, 19 Oct 2019 00:04:00 +0200">')
    html = _page(head, "<article><h1>A walk in the hills</h1><div><span>19. Oktober 2019</span></div>"
                 + STORY + "</article>")
    article = extract(html, URL)
    assert article.published.isoformat() == "2019-10-19T00:04:00+02:00"
    assert article.sources["published"] == "dom.displayed_date (meta.date)"
    # Printed as the structured day itself: nothing changes.
    same = extract(html.replace("19. Oktober 2019", "18. Oktober 2019"), URL)
    assert same.sources["published"] == "jsonld.datePublished"


def test_structured_date_wins_over_the_fallback():
    html = _page("<title>A walk in the hills</title>"
                 "<meta property='article:published_time' content='2022-07-01T08:00:00+00:00'>",
                 "<article><h1>A walk in the hills</h1><p>Posted on 2021-03-14</p>" + STORY + "</article>")
    article = extract(html, URL)
    assert article.published.date().isoformat() == "2022-07-01"
    assert article.sources["published"] == "meta.article:published_time"


def test_every_filled_field_has_a_confidence_between_0_and_1():
    html = _page("<title>A walk in the hills</title>"
                 "<meta name='author' content='Jane Doe'><meta name='keywords' content='hiking, hills'>",
                 "<article><h1>A walk in the hills</h1>" + STORY + "</article>")
    article = extract(html, URL)
    assert set(article.sources) <= set(article.confidence)
    assert all(0 <= value <= 1 for value in article.confidence.values())


def test_explain_prints_layer_and_confidence_per_field(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(_page("<title>Notes - A long walk in the hills above the town</title>", STORY),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(path), "--url", URL, "--explain"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["sources"]["title"] == "dom.title"
    assert 0 < data["confidence"]["title"] < data["confidence"]["body"] <= 1
    assert set(data["sources"]) <= set(data["confidence"])


def test_confidence_is_not_printed_without_explain(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(_page("<title>A walk in the hills</title>", "<h1>A walk in the hills</h1>" + STORY),
                    encoding="utf-8")
    data = json.loads(CliRunner().invoke(main, ["extract", str(path), "--url", URL]).output)
    assert "confidence" not in data and "sources" not in data


def test_the_fallbacks_leave_the_shared_page_tree_as_it_was():
    # The page's tree is passed to trafilatura and htmldate without a copy of our own.
    from lxml import etree

    from drmcrawl.extract.document import Document
    from drmcrawl.extract.fallback import fallback_body, fallback_date

    html = _page("<title>A walk in the hills</title><script>var x = 1;</script>",
                 "<nav><a href='/'>Home</a></nav><p class='date'>Posted on March 14, 2021</p>"
                 "<h1>A walk in the hills</h1>" + STORY + "<footer>© 2019-2024 Hiking notes</footer>")
    doc = Document(html, URL)
    before = etree.tostring(doc.tree)
    assert fallback_body(doc.tree, URL) and fallback_date(doc.tree, URL)
    assert etree.tostring(doc.tree) == before
