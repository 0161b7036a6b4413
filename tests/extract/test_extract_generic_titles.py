"""Titles written for the browser tab carry the site's domain before or after the
headline; the article's title does not."""

from __future__ import annotations

import pytest

from drmcrawl.extract import extract

STORY = "".join(f"<p>Paragraph {i} of the notice about the new opening hours of the town library, "
                f"the reading room and the children's corner from next month on.</p>" for i in range(6))


@pytest.mark.parametrize("og_title", [
    "New opening hours for the library | LIBRARY-TOWN.NET",
    "library-town - New opening hours for the library",
])
def test_the_domain_is_not_part_of_the_title(og_title):
    html = (f"<html><head><meta property='og:title' content='{og_title}'></head>"
            f"<body><div class='text'>{STORY}</div></body></html>")
    article = extract(html, "https://www.library-town.net/news/opening-hours")
    assert article.title == "New opening hours for the library"


def test_a_title_naming_another_site_is_kept():
    html = ("<html><head><meta property='og:title' content='Why we moved to example.org | Notes'></head>"
            f"<body><div class='text'>{STORY}</div></body></html>")
    article = extract(html, "https://www.library-town.net/news/moving")
    assert article.title == "Why we moved to example.org | Notes"
