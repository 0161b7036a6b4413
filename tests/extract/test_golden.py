"""Golden extraction: each fixture article page against its hand-written expected JSON."""

from __future__ import annotations

import pytest
from conftest import SITE, expected_articles

from drmcrawl.extract import extract

EXPECTED = expected_articles()


def test_there_are_enough_golden_pages():
    assert len(EXPECTED) >= 15
    assert all((SITE / slug / "index.html").is_file() for slug in EXPECTED)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_golden_extraction(slug):
    want = EXPECTED[slug]
    html = (SITE / slug / "index.html").read_bytes()
    got = extract(html, want["url"]).to_record()
    for field, value in want.items():
        assert got[field] == value, f"{slug}: {field}"
    assert got["word_count"] == len(__import__("re").findall(r"\w+", want["body"]))


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_featured_image_alt_is_never_the_title(slug):
    from lxml import html as lxml_html

    tree = lxml_html.fromstring((SITE / slug / "index.html").read_bytes())
    alts = {img.get("alt") for img in tree.cssselect(".jeg_featured img") if img.get("alt")}
    assert extract(lxml_html.tostring(tree), EXPECTED[slug]["url"]).title not in alts - {EXPECTED[slug]["title"]}
