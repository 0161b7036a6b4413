"""Each extraction layer on small hand-written pages."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from drmcrawl.extract import NotAnArticle, Term, extract
from drmcrawl.extract.dates import parse_date, site_zone, split_visible_date

URL = "https://example.org/news/story"
DRM_URL = "https://digitalrightsmonitor.pk/story"
BODY = "<article><p>" + " ".join(["Word"] * 40) + "</p></article>"


def page(head: str = "", body: str = BODY, html_attrs: str = 'lang="en"') -> str:
    return f"<!doctype html><html {html_attrs}><head>{head}</head><body>{body}</body></html>"


def ld(obj) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def jnews_page(content: str, meta: str = "", head: str = "", classes: str = "single single-post postid-77") -> str:
    return (
        f"<html lang='en-US'><head>{head}</head><body class='{classes}'><div class='jeg_viewport'>"
        "<div class='jeg_header_wrapper'><ul class='jeg_menu'><li><a href='/category/news/'>News</a></li></ul></div>"
        "<div class='jeg_custom_title_wrapper'><h1 class='jeg_post_title'>JNews headline</h1></div>"
        f"<div class='jeg_post_meta jeg_custom_meta_wrapper'><div class='meta_left'>{meta}</div></div>"
        "<div class='jeg_featured featured_image'><div class='thumbnail-container'>"
        "<img class='wp-post-image' alt='An older headline' src='data:image/png;base64,AAA' data-src='/img/a.jpg'>"
        "</div><p class='wp-caption-text'>Photo: DRM Archives</p></div>"
        f"<div class='jeg_custom_content_wrapper'><div class='entry-content'><div class='content-inner'>{content}</div></div></div>"
        "<div class='jeg_sidebar'><div class='jeg_postblock'><article class='jeg_post'>"
        "<h3 class='jeg_post_title'><a href='/other'>Other</a></h3>"
        "<div class='jeg_meta_author'><a href='/author/x/'>Sidebar Author</a></div></article></div></div>"
        "</div></body></html>"
    )


# -- JSON-LD -----------------------------------------------------------------------
def test_jsonld_graph_resolves_author_and_image_references():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": ["Article", "NewsArticle"], "@id": "#article", "headline": "Graph headline",
         "author": [{"@id": "#p1"}, {"@id": "#p2"}], "image": {"@id": "#img"},
         "datePublished": "2024-01-24T07:00:00+00:00", "keywords": ["Pakistan", "Tiktok"],
         "articleSection": ["DRM Exclusive", "News"], "inLanguage": "en-US"},
        {"@type": "Person", "@id": "#p1", "name": "Usman Shahid"},
        {"@type": "Person", "@id": "#p2", "name": "Ramna Saeed"},
        {"@type": "ImageObject", "@id": "#img", "url": "https://example.org/a.jpg", "caption": "Photo: X"},
    ]}
    article = extract(page(ld(graph)), URL)
    assert article.title == "Graph headline"
    assert article.authors == ["Usman Shahid", "Ramna Saeed"]
    assert article.image_url == "https://example.org/a.jpg"
    assert article.image_caption == "Photo: X"
    assert [t.name for t in article.tags] == ["Pakistan", "Tiktok"]
    assert [c.name for c in article.categories] == ["DRM Exclusive", "News"]
    assert article.language == "en"
    assert article.sources["authors"] == "jsonld.author"


def test_old_yoast_comma_joined_keywords_are_split():
    node = {"@type": "NewsArticle", "headline": "H", "keywords": "BSC,coronavirus, lockdown",
            "articleSection": "News"}
    article = extract(page(ld(node)), URL)
    assert [t.name for t in article.tags] == ["BSC", "coronavirus", "lockdown"]
    assert [c.name for c in article.categories] == ["News"]


@pytest.mark.parametrize("broken", [
    '{"@type": "NewsArticle", "headline": "Broken",',          # truncated
    '{"@graph": [{"@type": "NewsArticle", "headline": "Trailing"},]',
])
def test_malformed_jsonld_falls_back_to_meta(broken):
    head = (f'<script type="application/ld+json">{broken}</script>'
            '<meta property="og:title" content="From meta">'
            '<meta property="article:published_time" content="2024-02-01T10:00:00+00:00">')
    article = extract(page(head), URL)
    assert article.published == datetime(2024, 2, 1, 10, tzinfo=timezone.utc)
    assert article.title in ("From meta", "Trailing")


def test_entities_inside_jsonld_strings_are_decoded():
    article = extract(page(ld({"@type": "Article", "headline": "PTA&#8217;s &amp; FIA&#8217;s"})), URL)
    assert article.title == "PTA’s & FIA’s"


# -- meta tags ---------------------------------------------------------------------
def test_meta_layer_fields_and_site_suffix_stripped():
    head = ('<meta property="og:title" content="A story - Example News">'
            '<meta property="og:site_name" content="Example News">'
            '<meta name="author" content="Talal Raza">'
            '<meta property="article:tag" content="Privacy">'
            '<meta property="article:tag" content="Data">'
            '<meta property="article:modified_time" content="2024-03-01T12:00:00+00:00">'
            '<meta name="description" content="Summary.">')
    article = extract(page(head, body="<p>" + "word " * 50 + "</p>"), URL)
    assert article.title == "A story"
    assert article.sources["title"] == "meta.og:title"
    assert article.authors == ["Talal Raza"]
    assert [t.name for t in article.tags] == ["Privacy", "Data"]
    assert article.modified.isoformat() == "2024-03-01T12:00:00+00:00"
    assert article.description == "Summary."


def test_jsonld_wins_over_meta():
    head = ld({"@type": "NewsArticle", "headline": "LD title", "datePublished": "2024-01-01T00:00:00+00:00"})
    head += '<meta property="og:title" content="OG title"><meta property="article:published_time" content="2020-01-01T00:00:00Z">'
    article = extract(page(head), URL)
    assert (article.title, article.published.year) == ("LD title", 2024)


# -- dates ---------------------------------------------------------------------------
def test_naive_dates_take_the_site_zone_and_stay_naive_without_one():
    karachi = site_zone("Asia/Karachi")
    assert parse_date("January 24, 2024", karachi).utcoffset() == timedelta(hours=5)
    assert parse_date("January 24, 2024").tzinfo is None


@pytest.mark.parametrize("value", ["", "not a date", "2 hours ago", "9999-01-01", None, 42])
def test_unparseable_or_absurd_dates_are_none(value):
    assert parse_date(value, site_zone("Asia/Karachi")) is None


def test_visible_updated_on_text_splits_into_published_and_modified():
    assert split_visible_date("January 2, 2024 - Updated on February 3, 2024") == (
        "January 2, 2024", "February 3, 2024")
    assert split_visible_date("January 2, 2024") == ("January 2, 2024", None)


def test_drm_dates_are_shown_in_karachi_time():
    head = ld({"@type": "NewsArticle", "headline": "H", "datePublished": "2024-01-23T19:30:00+00:00"})
    article = extract(jnews_page("<p>text</p>", head=head), DRM_URL)
    assert article.published.isoformat() == "2024-01-24T00:30:00+05:00"


def test_visible_date_is_only_a_last_resort():
    meta = "<div class='jeg_meta_date'><a href='#'>March 3, 2023</a></div>"
    with_meta = jnews_page("<p>x</p>", meta, head='<meta property="article:published_time" content="2023-01-01T05:00:00+00:00">')
    assert extract(with_meta, DRM_URL).published.date().isoformat() == "2023-01-01"
    alone = extract(jnews_page("<p>x</p>", meta), DRM_URL)
    assert alone.published.isoformat() == "2023-03-03T00:00:00+05:00"
    assert alone.sources["published"] == "profile.drm.visible_date"


# -- JNews profile -------------------------------------------------------------------
def test_jnews_profile_fields_ignore_sidebar_and_image_alt():
    meta = ("<div class='jeg_meta_author'><img alt='DRM' class='avatar'><span class='meta_text'>by</span>"
            "<a href='/author/drm/'>DRM</a></div>"
            "<div class='jeg_meta_category'><span><span class='meta_text'>in</span>"
            "<a href='https://digitalrightsmonitor.pk/category/drm-exclusive/' rel='category tag'>DRM Exclusive</a>, "
            "<a href='https://digitalrightsmonitor.pk/category/drm-exclusive/news/' rel='category tag'>News</a>, "
            "<a href='https://digitalrightsmonitor.pk/category/in-media/in-media-news/' rel='category tag'>News</a>"
            "</span></div>")
    article = extract(jnews_page("<p>Body text.</p>", meta), DRM_URL)
    assert article.title == "JNews headline"
    assert article.authors == ["DRM"]
    assert article.categories == [Term("DRM Exclusive", "drm-exclusive"), Term("News", "news"),
                                  Term("News", "in-media-news")]
    assert article.image_url == "https://digitalrightsmonitor.pk/img/a.jpg"
    assert article.image_caption == "Photo: DRM Archives"
    assert article.post_id == 77
    assert article.site == "drm"
    assert article.sources["title"] == "profile.drm"


def test_body_drops_jnews_junk_captions_and_keeps_tweet_text():
    content = (
        "<p>First   paragraph.</p>"
        "<div class='jnews_inline_related_post_wrapper'><div class='jnews_inline_related_post'>"
        "<div class='jeg_postblock'><h3 class='jeg_post_title'><a>Related</a></h3></div></div></div>"
        "<div class='jeg_ad jeg_ad_article jnews_content_inline_ads'>Advertisement</div>"
        "<h2>A heading</h2><ul><li>one</li><li>two</li></ul>"
        "<figure class='wp-block-image'><img src='/x.jpg'><figcaption>Figure caption</figcaption></figure>"
        "<div class='wp-caption'><img src='/y.jpg'><p class='wp-caption-text'>Classic caption</p></div>"
        "<blockquote class='twitter-tweet'><p lang='en' dir='ltr'>Internet disrupted in Karachi "
        "<a href='https://t.co/x'>pic.twitter.com/abc</a></p>&mdash; NetBlocks (@netblocks) "
        "<a href='https://twitter.com/x'>January 24, 2024</a></blockquote>"
        "<script>widgets()</script>"
        "<p>Update: the ban was lifted.</p>"
        "<div class='jeg_post_source'><span>Source:</span> <a>Dawn</a></div>"
        "<div class='jeg_post_tags'><span>Tags:</span> <a rel='tag' href='/tag/pakistan/'>Pakistan</a></div>"
    )
    article = extract(jnews_page(content), DRM_URL)
    assert article.body.split("\n\n") == [
        "First paragraph.", "A heading", "one", "two",
        "Internet disrupted in Karachi pic.twitter.com/abc", "Update: the ban was lifted.",
    ]
    assert article.tags == [Term("Pakistan", "pakistan")]
    assert "caption" not in article.body_html.lower()
    assert "class=" not in article.body_html
    assert article.word_count == len(article.body.replace("/", " ").replace(".", " ").split())


def test_drm_profile_chosen_by_canonical_on_a_mirror():
    head = '<link rel="canonical" href="https://digitalrightsmonitor.pk/story">'
    article = extract(jnews_page("<p>x</p>", head=head), "http://127.0.0.1:8000/story")
    assert article.site == "drm"
    assert article.canonical_url == "https://digitalrightsmonitor.pk/story"


def test_unknown_profile_name_is_an_error():
    with pytest.raises(KeyError, match="unknown site profile"):
        extract(page(), URL, profile="nope")


# -- generic / DOM -----------------------------------------------------------------
def test_dom_heuristics_without_structured_data():
    body = ("<nav><a href='/'>Home</a></nav><h1>Plain headline</h1><time datetime='2023-05-06T08:00:00+02:00'>"
            "</time><a rel='author' href='/a'>Jane Doe</a><div class='story'><p>" + "text " * 40 +
            "</p><p>More words here.</p></div><a rel='tag' href='/t'>Elections</a><footer><p>Footer</p></footer>")
    article = extract(page(body=body), URL)
    assert article.title == "Plain headline"
    assert article.authors == ["Jane Doe"]
    assert article.published.isoformat() == "2023-05-06T08:00:00+02:00"
    assert [t.name for t in article.tags] == ["Elections"]
    assert article.body.endswith("More words here.")
    assert "Footer" not in article.body


def test_urdu_rtl_page():
    body = "<h1>پی ٹی اے نے ویب سائٹس بلاک کر دیں</h1><div><p>" + "پاکستان میں ڈیجیٹل حقوق " * 10 + "</p></div>"
    article = extract(page(body=body, html_attrs='lang="ur" dir="rtl"'), URL)
    assert article.title == "پی ٹی اے نے ویب سائٹس بلاک کر دیں"
    assert article.language == "ur"
    assert article.word_count == 40


@pytest.mark.parametrize("html", ["", "<html></html>", "<p>too short</p>", b"\xff\xfe\x00garbage",
                                  "<html><body><h1>Title only</h1></body></html>"])
def test_pages_without_an_article_say_so(html):
    with pytest.raises(NotAnArticle, match="not an article"):
        extract(html, URL)


def test_bytes_input_uses_meta_charset():
    html = '<html><head><meta charset="windows-1252"></head><body><h1>Caf\xe9</h1><div><p>'.encode("cp1252")
    html += ("word " * 40).encode() + b"</p></div></body></html>"
    assert extract(html, URL).title == "Café"
