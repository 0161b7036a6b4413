"""Publication dates on generic pages: a <time> in a teaser for another story is not the
article's date, dashed numeric dates are day first, and a date one day off the URL's
date takes the URL's day."""

from __future__ import annotations

from drmcrawl.extract import extract
from drmcrawl.extract.dates import parse_date

STORY = "".join(f"<p>Paragraph {i} of the report on the council meeting, the budget, the new "
                f"school and the road works planned for the coming year in the town.</p>" for i in range(6))


def _page(body: str, head: str = "") -> str:
    return f"<html><head><title>Council meets</title>{head}</head><body>{body}</body></html>"


def test_time_in_a_related_teaser_is_not_the_articles_date():
    teaser = ("<div class='related-inner'><article><h3>Older story</h3>"
              "<time datetime='2019-01-01T00:00:00+01:00'>1.1.2019</time></article></div>")
    html = _page(teaser + "<article><h1>Council meets</h1>"
                 "<time datetime='2023-10-31T09:00:00+01:00'>31.10.2023</time>" + STORY + "</article>")
    article = extract(html, "https://town.example.org/council-meets")
    assert article.published.date().isoformat() == "2023-10-31"
    assert article.sources["published"] == "dom.time"


def test_a_teaser_name_on_the_block_holding_the_headline_does_not_hide_its_time():
    html = _page("<div class='segment--recommended'><article><h1>Council meets</h1>"
                 "<time datetime='2023-08-30T16:45:00+01:00'>30 August 2023</time>" + STORY + "</article></div>")
    article = extract(html, "https://town.example.org/council-meets")
    assert article.published.date().isoformat() == "2023-08-30"


def test_dashed_numeric_dates_are_day_first():
    assert parse_date("01-11-2023 10:29").date().isoformat() == "2023-11-01"
    assert parse_date("06.05.2024").date().isoformat() == "2024-05-06"


def test_a_date_one_day_off_the_urls_takes_the_urls_day():
    head = "<meta property='article:published_time' content='2018-12-31T23:30:00+00:00'>"
    html = _page("<article><h1>Council meets</h1>" + STORY + "</article>", head)
    article = extract(html, "https://blog.example.org/2019/01/01/council-meets/")
    assert article.published.date().isoformat() == "2019-01-01"
    assert article.sources["published"].startswith("url.date")


def test_a_date_far_from_the_urls_is_kept():
    head = "<meta property='article:published_time' content='2018-06-30T10:00:00+00:00'>"
    html = _page("<article><h1>Council meets</h1>" + STORY + "</article>", head)
    article = extract(html, "https://blog.example.org/2019/01/01/council-meets/")
    assert article.published.date().isoformat() == "2018-06-30"
    assert article.sources["published"] == "meta.article:published_time"
