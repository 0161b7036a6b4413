"""DOM heuristics without structured data: bylines, dates, tag lists, URL dates."""

from __future__ import annotations

import pytest

from drmcrawl.extract import extract

PARAS = "".join(f"<p>Paragraph {i} of the story has enough words to count as prose here.</p>" for i in range(6))


def page(body: str, head: str = "<title>T</title>", url: str = "https://example.org/a/story") -> tuple[str, str]:
    return f"<html lang='en'><head>{head}</head><body>{body}</body></html>", url


@pytest.mark.parametrize("byline, expected", [
    ("<div class='byline'>By <a href='/a/jane'>Jane Doe</a> and <a href='/a/john'>John Roe</a></div>", ["Jane Doe", "John Roe"]),
    ("<span class='article-author'>Von Anna Müller</span>", ["Anna Müller"]),
    ("<p itemprop='author' itemscope><span itemprop='name'>Jane Doe</span></p>", ["Jane Doe"]),
    ("<a rel='author' href='/a/jane'>Jane Doe</a>", ["Jane Doe"]),
])
def test_bylines(byline, expected):
    html, url = page(f"<article><h1>Headline here</h1>{byline}{PARAS}</article>")
    assert extract(html, url).authors == expected


def test_byline_in_related_block_is_ignored():
    related = "<div class='related-stories'><div class='byline'>By Other Writer</div></div>"
    html, url = page(f"<article><h1>Headline here</h1>{PARAS}</article>{related}")
    assert extract(html, url).authors == []


def test_publisher_only_jsonld_author_gives_way_to_byline():
    head = ('<meta property="og:site_name" content="Example Times"><script type="application/ld+json">'
            '{"@type": "NewsArticle", "headline": "Headline here", "author": {"@type": "Organization", "name": "Example Times"}}'
            "</script>")
    html, url = page(f"<article><h1>Headline here</h1><div class='author-name'>Jane Doe</div>{PARAS}</article>", head)
    article = extract(html, url)
    assert article.authors == ["Jane Doe"]
    assert article.sources["authors"] == "dom.byline"


@pytest.mark.parametrize("markup, iso", [
    ("<time datetime='2024-03-01T10:00:00+01:00'>1 March</time>", "2024-03-01T10:00:00+01:00"),
    ("<span itemprop='datePublished' content='2024-03-01'>1 March</span>", "2024-03-01T00:00:00"),
])
def test_dom_dates(markup, iso):
    html, url = page(f"<article><h1>Headline here</h1>{markup}{PARAS}</article>")
    assert extract(html, url).published.isoformat() == iso


def test_url_date_is_the_last_resort():
    html, url = page(f"<article><h1>Headline here</h1>{PARAS}</article>", url="https://example.org/2023/07/09/story/")
    article = extract(html, url)
    assert article.published.date().isoformat() == "2023-07-09"
    assert article.sources["published"] == "url.date (naive)"  # a day from the URL, no zone known


def test_tag_list_links():
    tags = "<div class='article-tags'><span>Tags:</span><a href='/t/a'>Elections</a><a href='/t/b'>Courts</a></div>"
    html, url = page(f"<article><h1>Headline here</h1>{PARAS}{tags}</article>")
    assert [t.name for t in extract(html, url).tags] == ["Elections", "Courts"]


@pytest.mark.parametrize("meta_author", ["Example Verlag GmbH", "example.org developer"])
def test_company_in_author_meta_gives_way_to_the_byline(meta_author):
    head = f'<title>T</title><meta name="author" content="{meta_author}">'
    html, url = page(f"<article><h1>Headline here</h1><div class='byline'>By Jane Doe</div>{PARAS}</article>", head)
    article = extract(html, url)
    assert (article.authors, article.sources["authors"]) == (["Jane Doe"], "dom.byline")
