"""Choosing the headline among JSON-LD, og:title, twitter:title and <title> (titles.py),
on small hand-written pages (no site profile)."""

from __future__ import annotations

import json

import pytest

from drmcrawl.extract import extract
from drmcrawl.extract.titles import slug_match, slug_words

BODY = "<article><p>" + "Words of the story, told plainly. " * 12 + "</p></article>"
SEO = "Council approves budget after long debate"
SHOWN = "Town budget passes with new park funding"
SHOWN_URL = "https://news.example.com/local/town-budget-passes-with-new-park-funding-1234.html"
SEO_URL = "https://news.example.com/local/council-approves-budget-after-long-debate-1234.html"


def page(headline: str, og: str | None = SHOWN, twitter: str | None = SHOWN,
         title: str | None = SHOWN + " | Example News") -> str:
    head = f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", "headline": headline})}</script>'
    if og is not None:
        head += f'<meta property="og:title" content="{og}">'
    if twitter is not None:
        head += f'<meta name="twitter:title" content="{twitter}">'
    if title is not None:
        head += f"<title>{title}</title>"
    return f"<!doctype html><html lang='en'><head>{head}</head><body>{BODY}</body></html>"


def test_seo_headline_gives_way_when_the_page_titles_and_slug_agree():
    article = extract(page(SEO), SHOWN_URL)
    assert article.title == SHOWN
    assert article.sources["title"] == "meta.og:title (agreed)"


def test_headline_kept_when_the_slug_was_made_from_it():
    assert extract(page(SEO), SEO_URL).title == SEO


def test_headline_kept_when_the_slug_does_not_decide():
    assert extract(page(SEO), "https://news.example.com/local/1234").title == SEO


@pytest.mark.parametrize("og, twitter, title", [
    (SHOWN, None, SHOWN),                      # no twitter:title: only two voices
    (SHOWN, "Budget: what changes", SHOWN),    # twitter:title says something else
    (SHOWN, SHOWN, SEO + " | Example News"),   # <title> sides with the JSON-LD headline
])
def test_headline_kept_without_all_three_titles_agreeing(og, twitter, title):
    assert extract(page(SEO, og, twitter, title), SHOWN_URL).title == SEO


def test_og_title_with_site_suffix_is_the_same_headline():
    suffixed = SHOWN + " | Example News"
    article = extract(page(SHOWN, og=suffixed, twitter=suffixed), SHOWN_URL)
    assert (article.title, article.sources["title"]) == (SHOWN, "jsonld.headline")


@pytest.mark.parametrize("url, words", [
    ("https://example.com/politik/gruenen-spitze-gegen-kloeckner-409.html", ["gruenen", "spitze", "gegen", "kloeckner", "409"]),
    ("https://example.com/a/b/", []),
    ("https://example.com/2024/05/%C3%A9t%C3%A9-chaud/", ["ete", "chaud"]),
])
def test_slug_words(url, words):
    assert slug_words(url) == words


@pytest.mark.parametrize("text, slug", [
    ("Grünen-Spitze gegen Klöckner", ["gruenen", "spitze", "gegen", "kloeckner"]),  # spelled out
    ("Grünen-Spitze gegen Klöckner", ["grunen", "spitze", "gegen", "klockner"]),    # dots dropped
    ("Été chaud", ["ete", "chaud"]),
])
def test_slug_match_transliterates(text, slug):
    assert slug_match(text, slug) == 1.0


def test_accented_slug_matches_accented_title():
    assert slug_match("Été chaud à Paris", slug_words("https://example.com/%C3%A9t%C3%A9-chaud-a-paris")) == 1.0


KICKER_COLON = "Storm damage: Bridge closed for repairs"
KICKER_DASH = "Storm damage - Bridge closed for repairs"


def test_punctuation_of_the_browser_title_wins_over_rewritten_jsonld():
    html = page(KICKER_DASH, og=KICKER_COLON, twitter=None, title=KICKER_COLON + " - Region")
    article = extract(html, "https://news.example.com/local/1234")
    assert (article.title, article.sources["title"]) == (KICKER_COLON, "meta.og:title (agreed)")


@pytest.mark.parametrize("title", [KICKER_DASH + " - Region", "Example News", None])
def test_jsonld_punctuation_kept_unless_the_browser_title_shows_the_og_form(title):
    html = page(KICKER_DASH, og=KICKER_COLON, twitter=None, title=title)
    assert extract(html, "https://news.example.com/local/1234").title == KICKER_DASH


def test_quote_style_and_closing_full_stop_are_not_another_form():
    html = page("Mayor won’t run again", og="Mayor won't run again.", twitter=None, title="Mayor won't run again.")
    article = extract(html, "https://news.example.com/local/1234")
    assert (article.title, article.sources["title"]) == ("Mayor won’t run again", "jsonld.headline")
