"""Date parsing with zones, and how pages' dates reach the article (no site profile)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from drmcrawl.extract import extract
from drmcrawl.extract.dates import parse_date, site_zone

URL = "https://news.example.com/world/story"
BODY = "<article><p>" + "Words of the story, told plainly. " * 12 + "</p></article>"
KARACHI = site_zone("Asia/Karachi")


def page(head: str) -> str:
    return f"<html><head><title>T</title>{head}</head><body><h1>T</h1>{BODY}</body></html>"


@pytest.mark.parametrize("value, zone, iso", [
    ("2024-05-06T10:00:00+02:00", None, "2024-05-06T10:00:00+02:00"),
    ("2024-05-06T10:00:00Z", KARACHI, "2024-05-06T10:00:00+00:00"),  # an offset on the page wins
    ("2024-05-06T10:00:00", KARACHI, "2024-05-06T10:00:00+05:00"),  # naive: the site's zone
    ("2024-05-06T10:00:00", None, "2024-05-06T10:00:00"),  # naive, no zone known: stays naive
    ("2024-05-06", None, "2024-05-06T00:00:00"),
    ("Mon, 06 May 2024 10:00:00 GMT", None, "2024-05-06T10:00:00+00:00"),
    ("6. Mai 2024, 12:30 CEST", None, None),  # German month names are not guessed
    ("May 6, 2024 12:30 CEST", None, "2024-05-06T12:30:00+02:00"),
    ("May 6, 2024 9:15 am EDT", KARACHI, "2024-05-06T09:15:00-04:00"),
    ("May 6, 2024 12:30 IST", KARACHI, "2024-05-06T12:30:00+05:00"),  # ambiguous zone name: site zone
    ("Updated May 6", None, None),
    ("06.05.2024 14:07", None, "2024-05-06T14:07:00"),
    ("Published on 6 May 2024", None, "2024-05-06T00:00:00"),  # no year: fuzzy parsing would invent one
])
def test_parse_date_zones(value, zone, iso):
    parsed = parse_date(value, zone)
    assert (parsed.isoformat() if parsed else None) == iso


def test_naive_page_dates_stay_naive_and_say_so():
    head = ('<script type="application/ld+json">' + json.dumps(
        {"@type": "NewsArticle", "headline": "T", "datePublished": "2024-05-06T10:00:00",
         "dateModified": "2024-05-07T08:00:00+01:00"}) + "</script>")
    article = extract(page(head), URL)
    assert article.published.tzinfo is None
    assert article.sources["published"] == "jsonld.datePublished (naive)"
    assert article.modified.utcoffset() == timedelta(hours=1)
    assert article.sources["modified"] == "jsonld.dateModified"


@pytest.mark.parametrize("head, published, modified", [
    ('<meta property="article:published_time" content="2024-01-02T03:04:05+00:00">'
     '<meta property="article:modified_time" content="2024-02-03T04:05:06+00:00">', "2024-01-02", "2024-02-03"),
    ('<meta property="og:updated_time" content="2024-02-03T04:05:06+00:00">', None, "2024-02-03"),
    ('<meta name="dc.date.issued" content="2024-01-02">', "2024-01-02", None),
])
def test_published_and_modified_are_kept_apart(head, published, modified):
    article = extract(page(head), URL)
    day = lambda value: value.date().isoformat() if value else None  # noqa: E731
    assert (day(article.published), day(article.modified)) == (published, modified)


@pytest.mark.parametrize("lang, line, iso", [
    ("de", "Do 25.04.24 | 14:07 Uhr", "2024-04-25T14:07:00"),
    ("ar", "2026-01-08 | 12:42", "2026-01-08T12:42:00"),
    ("id", "20/1/2026 18:30", "2026-01-20T18:30:00"),
    ("id", "5/1/2026", "2026-01-05T00:00:00"),  # day first outside the US
    ("en-US", "5/1/2026 9:15", "2026-05-01T09:15:00"),
    ("en-US", "20/1/2026", "2026-01-20T00:00:00"),  # a day above 12 decides
])
def test_visible_numeric_date_under_the_headline(lang, line, iso):
    html = (f"<html lang='{lang}'><head><title>Headline of the story</title></head><body><article>"
            f"<h1>Headline of the story</h1><div class='info'><span>{line}</span></div>{BODY}</article></body></html>")
    article = extract(html, URL)
    assert (article.published.isoformat(), article.sources["published"]) == (iso, "dom.visible_date (naive)")


@pytest.mark.parametrize("text, month_first, day", [
    ("19. Oktober 2019", False, (2019, 10, 19)),
    ("3 de mayo de 2022", False, (2022, 5, 3)),
    ("Updated Mar 12, 2020 @ 10:42 am", False, (2020, 3, 12)),
    ("Last updated 04 Jun 2020, originally created 17 Jun 2019", False, (2020, 6, 4)),  # the first
    ("1er janvier 2023", False, (2023, 1, 1)),
    ("12.01.2022", False, (2022, 1, 12)),
    ("2022-01-12 | 12:42", False, (2022, 1, 12)),
    ("1/3/2026", False, (2026, 3, 1)),
    ("1/3/2026", True, (2026, 1, 3)),  # US pages print the month first
    ("31.02.2024", False, None),  # no such day
    ("Posted in 2019", False, None),
    ("12 Monkeys 2019", False, None),  # not a month name
])
def test_printed_day(text, month_first, day):
    from drmcrawl.extract.dates import printed_day

    assert printed_day(text, month_first) == day
