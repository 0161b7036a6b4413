"""A site declaration's selector table as the profile layer (extract/profiles/toml.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drmcrawl.extract import extract
from drmcrawl.extract.profiles.toml import BadSelectors, check, selector_profile

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"

PAGE = """<html><head><title>Budget day - The Paper</title>
<meta property="article:published_time" content="2024-05-01T10:00:00+05:00">
<meta name="keywords" content="budget"></head><body>
<h1>Budget day</h1><div class="credit">Reporting: <b>Jane Roe</b></div>
<span class="stamp" data-x="1">Updated <time datetime="2024-05-02T08:00:00+05:00">2 May</time></span>
<div class="story-body"><p>First paragraph of the story, which is long enough to count as text.</p>
<div class="ad">Buy things</div><p>Second paragraph of the story, also long enough to be text.</p>
<div class="related"><p>Another story you may like to read today.</p></div></div>
<ul class="chips"><li>Budget</li><li>#Taxes</li></ul></body></html>"""


def test_selectors_fill_their_fields_and_the_other_layers_the_rest():
    profile = selector_profile(check({"body": "div.story-body", "remove": [".ad", ".related"],
                                      "authors": ".credit b", "modified": ".stamp time", "tags": ".chips li"}))
    article = extract(PAGE, "https://paper.example/2024/05/budget-day/", profile=profile)
    assert article.body == ("First paragraph of the story, which is long enough to count as text.\n\n"
                            "Second paragraph of the story, also long enough to be text.")
    assert article.authors == ["Jane Roe"]
    assert article.modified.isoformat() == "2024-05-02T08:00:00+05:00"
    assert [t.name for t in article.tags] == ["Budget", "Taxes"]
    for field in ("body", "authors", "modified", "tags"):
        assert article.sources[field] == "profile:toml"
    assert article.title == "Budget day" and not article.sources["title"].startswith("profile")
    assert article.published.isoformat() == "2024-05-01T10:00:00+05:00"


def test_a_selector_that_matches_nothing_leaves_the_field_to_the_other_layers():
    article = extract(PAGE, "https://paper.example/a/", profile=selector_profile(check({"title": "h2.nothing"})))
    assert article.title == "Budget day"


def test_the_declared_zone_shows_a_utc_only_date_as_the_sites_readers_saw_it():
    """The Drupal fixture's op-ed gives only a UTC <time>: in its site's zone it is the
    expected local time (same instant)."""
    want = json.loads((SITES / "drupal" / "expected" / "opinion-age-verification-is-not-child-protection.json")
                      .read_text(encoding="utf-8"))
    page = next((SITES / "drupal").rglob("opinion-age-verification-is-not-child-protection/index.html"))
    generic = extract(page.read_bytes(), want["url"]).to_record()
    zoned = extract(page.read_bytes(), want["url"], profile=selector_profile((), "Europe/Brussels")).to_record()
    assert generic["published"] != want["published"]
    assert zoned["published"] == want["published"]


@pytest.mark.parametrize("table, message", [
    ({"body": "div["}, "profile.body: 'div[' is not a CSS selector"),
    ({"bdy": "div"}, "profile.bdy: unknown key 'bdy'"),
    ({"remove": [".ad", ""]}, "profile.remove: must be a CSS selector or a list of them"),
    ({"title": ["h1"]}, "profile.title: must be a CSS selector (a string)"),
    ({}, "profile: an empty table"),
])
def test_bad_tables_name_the_key(table, message):
    with pytest.raises(BadSelectors, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        check(table)
