"""JSON-LD and meta layers on small hand-written pages (no site profile)."""

from __future__ import annotations

import json

import pytest

from drmcrawl.extract import extract

URL = "https://news.example.com/2024/05/06/story"
BODY = "<article><p>" + "Words of the story, told plainly. " * 12 + "</p></article>"


def page(head: str = "", body: str = BODY) -> str:
    return f"<!doctype html><html lang='en'><head>{head}</head><body>{body}</body></html>"


def ld(obj) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def meta(key: str, value: str, attr: str = "name") -> str:
    return f'<meta {attr}="{key}" content="{value}">'


@pytest.mark.parametrize("author, expected", [
    ({"@type": "Person", "name": "Jane Doe"}, ["Jane Doe"]),
    ([{"@type": "Person", "name": "By Jane Doe"}, {"@type": "Organization", "name": "Example News"}], ["Jane Doe"]),
    ({"@type": "Organization", "name": "Example News"}, ["Example News"]),
    ("Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ([{"@id": "#p1"}], ["Ref Person"]),
])
def test_jsonld_authors(author, expected):
    graph = {"@graph": [{"@type": "NewsArticle", "headline": "H", "author": author},
                        {"@type": "Person", "@id": "#p1", "name": "Ref Person"}]}
    assert extract(page(ld(graph)), URL).authors == expected


def test_claimreview_node_gives_the_date():
    node = {"@type": "ClaimReview", "name": "Claim", "datePublished": "2026-05-13 15:44"}
    article = extract(page(ld(node) + meta("og:title", "T", "property")), URL)
    assert article.published.date().isoformat() == "2026-05-13"
    assert article.sources["published"] == "jsonld.datePublished (naive)"  # no offset, no site zone


@pytest.mark.parametrize("key, attr", [
    ("article:published_time", "property"), ("parsely-pub-date", "name"), ("sailthru.date", "name"),
    ("dc.date.issued", "name"), ("datePublished", "itemprop"), ("pubdate", "name"),
])
def test_published_meta_variants(key, attr):
    head = meta(key, "2023-04-28T18:23:00+00:00", attr) + meta("og:title", "T", "property")
    article = extract(page(head), "https://news.example.com/story")
    assert article.published.isoformat() == "2023-04-28T18:23:00+00:00"
    assert article.sources["published"] == f"meta.{key.lower()}"


@pytest.mark.parametrize("head, expected", [
    (meta("article:tag", "Privacy", "property") + meta("article:tag", "Data", "property"), ["Privacy", "Data"]),
    (meta("news_keywords", "Sex scandal,Sweden, Police"), ["Sex scandal", "Sweden", "Police"]),
    (meta("keywords", "a; b ;c"), ["a", "b", "c"]),
    (meta("parsely-tags", "x,y"), ["x", "y"]),
    (meta("keywords", "26157981-b4f7-4929-adc1-e860c6f03636,Category: Travel,Jasper park,news.example.com"),
     ["Jasper park"]),
])
def test_tag_meta_variants_and_splitting(head, expected):
    article = extract(page(head + meta("og:title", "T", "property")), URL)
    assert [t.name for t in article.tags] == expected


def test_keyword_meta_wins_over_jsonld_keywords():
    # The editor's keyword meta is preferred: JSON-LD keywords often carry CMS taxonomy codes.
    head = ld({"@type": "NewsArticle", "headline": "H", "keywords": ["One", "Two"]}) + meta("keywords", "Floods, Sindh")
    assert [t.name for t in extract(page(head), URL).tags] == ["Floods", "Sindh"]


def test_jsonld_keywords_win_over_article_tag_meta():
    head = (ld({"@type": "NewsArticle", "headline": "H", "keywords": ["One", "Two"]})
            + meta("article:tag", "cms-desk-7", "property"))
    assert [t.name for t in extract(page(head), URL).tags] == ["One", "Two"]


def test_meta_author_urls_and_handles_are_skipped():
    head = (meta("article:author", "https://facebook.com/someone", "property") + meta("author", "@handle")
            + meta("parsely-author", "Jane Doe") + meta("og:title", "T", "property"))
    assert extract(page(head), URL).authors == ["Jane Doe"]


def test_og_title_site_suffix_stripped_and_h1_preferred_when_it_matches():
    head = meta("og:title", "Council approves new budget for 2024 | Example News", "property")
    head += meta("og:site_name", "Example News", "property")
    body = "<header><h1><a href='/'>Example News</a></h1></header><h1>Council approves new budget for 2024</h1>" + BODY
    article = extract(page(head, body), URL)
    assert article.title == "Council approves new budget for 2024"
    assert article.sources["title"] == "dom.h1"


def test_unrelated_h1_does_not_replace_og_title():
    head = meta("og:title", "Council approves new budget", "property")
    body = "<h1>Weather today</h1>" + BODY
    assert extract(page(head, body), URL).title == "Council approves new budget"


def test_one_meta_per_tag_keeps_commas_inside_a_tag():
    head = meta("article:tag", "Trump, Donald J", "property") + meta("article:tag", "Elections", "property")
    article = extract(page(head + meta("og:title", "T", "property")), URL)
    assert [t.name for t in article.tags] == ["Trump, Donald J", "Elections"]


@pytest.mark.parametrize("head, body, expected, source", [
    # Only the site itself is credited, and the page names no person: that is the author.
    (ld({"@type": "NewsArticle", "headline": "H", "author": {"@type": "Organization", "name": "news.example.com"}}),
     BODY, ["news.example.com"], "jsonld.author (publisher)"),
    (ld({"@type": "NewsArticle", "headline": "H", "author": [{"@type": "Person", "name": "BR24 Redaktion"}]}),
     BODY, ["BR24 Redaktion"], "jsonld.author (publisher)"),
    (meta("author", "Example News") + meta("og:site_name", "Example News", "property") + meta("og:title", "T", "property"),
     BODY, ["Example News"], "meta.author"),
    # A person in the byline beats the credited publisher.
    (ld({"@type": "NewsArticle", "headline": "Headline of it", "author": {"@type": "Organization", "name": "news.example.com"}}),
     "<h1>Headline of it</h1><p class='byline'>By Jane Doe</p>" + BODY, ["Jane Doe"], "dom.byline"),
])
def test_credited_publisher_is_the_last_resort_author(head, body, expected, source):
    article = extract(page(head, body), URL)
    assert (article.authors, article.sources["authors"]) == (expected, source)


@pytest.mark.parametrize("keywords, jsonld, expected", [
    # keywords = section and title words in front of the editor's tags: the tags win
    ("News,World,Finland,NATO", ["Finland", "NATO"], ["Finland", "NATO"]),
    # the same tags in another order, or more of them: the keyword meta stays first
    ("Finland,NATO,News", ["Finland", "NATO"], ["Finland", "NATO", "News"]),
    ("Finland,NATO", ["Finland", "NATO", "Sweden"], ["Finland", "NATO"]),
    ("News,Finland", ["Finland"], ["News", "Finland"]),  # one tag is too little to judge
])
def test_padded_keyword_meta_gives_way_to_the_editors_tags(keywords, jsonld, expected):
    head = meta("keywords", keywords) + ld({"@type": "NewsArticle", "headline": "H", "keywords": jsonld})
    assert [t.name for t in extract(page(head), URL).tags] == expected


@pytest.mark.parametrize("wrap", ["{}", "<![CDATA[{}]]>", "<!--{}-->", "\n  <!-- {} -->\n", "[{}]"])
def test_jsonld_in_cdata_or_comment_wrappers(wrap):
    node = json.dumps({"@type": "NewsArticle", "headline": "Wrapped headline", "datePublished": "2024-05-06T10:00:00Z"})
    head = '<script type="application/ld+json">' + wrap.format(node) + "</script>"
    article = extract(page(head), URL)
    assert (article.title, article.sources["title"]) == ("Wrapped headline", "jsonld.headline")


def test_without_a_profile_the_pages_first_article_node_wins_over_yoasts():
    # Only site profiles (JNews: Yoast's graph) reorder JSON-LD; a site's own first
    # NewsArticle often names every author where its Yoast graph names one.
    own = ld({"@type": "NewsArticle", "headline": "H",
              "author": [{"@type": "Person", "name": "Ann Lee"}, {"@type": "Person", "name": "Bo Chan"}]})
    yoast = ('<script type="application/ld+json" class="yoast-schema-graph">'
             + json.dumps({"@graph": [{"@type": "Article", "headline": "H", "author": {"@id": "#p"}},
                                      {"@type": "Person", "@id": "#p", "name": "Ann Lee"}]}) + "</script>")
    assert extract(page(own + yoast), URL).authors == ["Ann Lee", "Bo Chan"]
