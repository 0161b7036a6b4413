"""Issue 22's generic rules on small pages: tags the page shows beat SEO keyword fields,
co-authors a byline names beyond the structured author, and subscription prompts, ad
labels and writer notes are never body."""

from __future__ import annotations

import json

import pytest

from drmcrawl.extract import extract

PARTS = [f"<p>Paragraph {n} of the story, long enough to be article text for the "
         f"extractor to score it as such, with several clauses in it.</p>" for n in range(6)]
PARAGRAPHS = "".join(PARTS)
FIRST, REST = "".join(PARTS[:3]), "".join(PARTS[3:])


def page(article: str, head: str = "", jsonld: dict | None = None) -> str:
    node = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "The council votes on the plan",
            "datePublished": "2024-05-01T10:00:00+05:00", **(jsonld or {})}
    return (f"<html><head><title>The council votes on the plan</title>{head}"
            f"<script type='application/ld+json'>{json.dumps(node)}</script></head><body>"
            f"<nav><a href='/tag/site-wide/' rel='tag'>Site wide</a></nav>"
            f"<article><h1>The council votes on the plan</h1>{article}</article>"
            f"<aside class='sidebar'><div class='tags'><a href='/tag/x/'>Cloud tag</a></div></aside></body></html>")


def run(html: str):
    return extract(html, "https://news.example/2024/05/council-votes/")


def test_the_tags_under_the_article_pick_the_meta_field_that_agrees():
    head = ('<meta name="keywords" content="council vote">'
            '<meta property="article:tag" content="City Council"><meta property="article:tag" content="Housing">')
    html = page(PARAGRAPHS + '<footer><div class="post-tags"><span>Tags</span> <a href="/tag/city-council/">'
                'City Council</a> <a href="/tag/housing/">Housing</a></div></footer>', head)
    article = run(html)
    assert [t.name for t in article.tags] == ["City Council", "Housing"]
    assert article.sources["tags"] == "meta.article:tag"


def test_shown_tags_win_over_seo_keywords_that_share_none():
    head = '<meta name="keywords" content="riverton housing,riverfront development">'
    html = page(PARAGRAPHS + '<div class="b-tag-list"><span>Topics</span><a class="c-tag" href="/tags/housing/">'
                'Housing</a><a class="c-tag" href="/tags/city-council/">City Council</a></div>', head)
    article = run(html)
    assert [t.name for t in article.tags] == ["Housing", "City Council"]
    assert article.sources["tags"] == "dom.tag_list"


def test_keywords_stay_tags_when_the_page_shows_none():
    article = run(page(PARAGRAPHS, '<meta name="keywords" content="Housing, City Council">'))
    assert [t.name for t in article.tags] == ["Housing", "City Council"]


def test_a_focus_keyword_that_repeats_the_section_is_no_tag():
    html = page(PARAGRAPHS, jsonld={"keywords": "city", "articleSection": "City"})
    article = run(html.replace(" rel='tag'", ""))  # (a rel=tag link anywhere is the last resort)
    assert article.tags == []


def test_a_post_class_naming_its_tags_is_not_a_tag_list():
    """WordPress writes tag-<slug> classes on the whole post: its links are not tags."""
    html = page(f'<div class="post type-post tag-housing tag-council">{PARAGRAPHS}'
                '<p>See <a href="/other/">another story</a>.</p></div>')
    assert run(html.replace(" rel='tag'", "")).tags == []


def test_co_authors_of_the_byline_join_the_structured_author():
    byline = ('<p class="meta">By <a href="/author/a/" rel="author">Ayesha Noor</a>, <a href="/author/s/" '
              'rel="author">Sana Mirza</a> and <a href="/author/b/" rel="author">Bilal Qureshi</a></p>')
    article = run(page(byline + PARAGRAPHS, jsonld={"author": {"@type": "Person", "name": "Ayesha Noor"}}))
    assert article.authors == ["Ayesha Noor", "Sana Mirza", "Bilal Qureshi"]


def test_a_byline_not_naming_the_structured_author_does_not_replace_it():
    byline = '<p class="meta">By <a href="/author/s/" rel="author">Sana Mirza</a></p>'
    article = run(page(byline + PARAGRAPHS, jsonld={"author": {"@type": "Person", "name": "Ayesha Noor"}}))
    assert article.authors == ["Ayesha Noor"]


def test_urdu_and_splits_names_only_as_a_word():
    article = run(page(PARAGRAPHS, jsonld={"author": [{"@type": "Person", "name": "نوید احمد"}]}))
    assert article.authors == ["نوید احمد"]


def test_the_site_titles_rel_author_link_is_no_byline():
    html = page(PARAGRAPHS).replace("<nav>", '<div class="wrapper"><a class="site-title" rel="author" '
                                            'href="/">Daily Voice</a></div><nav>')
    assert run(html).authors == []


PMPRO = """<div class="pmpro"><div class="pmpro_card pmpro_content_message">
<h2 class="pmpro_card_title pmpro_font-large">Membership Required</h2>
<div class="pmpro_card_content"><p>You must be a <a href="/membership-account/membership-levels/">Plus</a>
member to read the rest of this analysis.</p><p>Plus members get every analysis for Rs500 a month.</p></div>
<div class="pmpro_card_actions"><a class="pmpro_btn" href="/login/">Log In</a></div></div></div>"""
PIANO = """<div id="piano-inline" class="tp-container-inner"><h3>Continue reading</h3>
<p>Get unlimited access for $1 a week.</p><a href="/subscribe/">Subscribe</a></div>"""
PLAIN = """<div class="box-x"><h3>This story is for subscribers</h3>
<p>Subscribe to continue reading. Already a subscriber? <a href="/login">Log in</a>.</p></div>"""


@pytest.mark.parametrize("prompt", [PMPRO, PIANO, PLAIN], ids=["pmpro", "piano", "plain"])
def test_a_subscription_prompt_is_never_body(prompt):
    article = run(page(FIRST + prompt, jsonld={"isAccessibleForFree": False}))
    assert article.body.split("\n\n")[-1].startswith("Paragraph 2")
    for word in ("Membership", "member", "subscri", "unlimited", "Log In"):
        assert word not in article.body
    assert article.access == "paywalled"


def test_an_ad_label_and_the_writers_note_are_never_body():
    html = page(FIRST + '<div class="td-a-rec"><span class="td-adspot-title">- Advertisement -</span></div>'
                + REST + "<p><em>The writer teaches statistics at a public university.</em></p>")
    body = run(html).body
    assert "Advertisement" not in body and "The writer" not in body
    assert body.count("Paragraph") == 6


def test_the_bylines_lead_word_in_an_element_of_its_own_is_no_name():
    byline = ('<div class="post-author"><span class="author-by">Words</span> '
              '<span class="author-name">Omar Farooq &amp; Hina Baig</span></div>')
    assert run(page(byline + PARAGRAPHS)).authors == ["Omar Farooq", "Hina Baig"]
