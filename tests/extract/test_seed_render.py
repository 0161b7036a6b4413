"""The seed article rebuilt as HTML renders to the seed's text (copied from
../shared/seed/), article part exactly: from the category line to the tags line."""

from __future__ import annotations

import copy
from pathlib import Path

import lxml.html
from conftest import SITE

from drmcrawl.extract.body import text_blocks

SEED_TEXT = Path(__file__).parents[1] / "fixtures" / "seed" / "drm-tiktok-election-integrity.txt"
SLUG = "tiktok-unveils-measures-to-protect-election-integrity"
FIRST, LAST = "in DRM Exclusive, News", "Tags: PakistanTiktok"


def render(html: bytes) -> list[str]:
    """Lines a text browser shows: block elements break lines, images show their alt."""
    tree = lxml.html.fromstring(html)
    body = copy.deepcopy(tree.find("body"))
    for el in body.xpath("//script | //style | //noscript"):
        el.drop_tree()
    for img in body.iter("img"):
        img.tail = (img.get("alt") or "") + (img.tail or "")
    return text_blocks(body)


def article_part(lines: list[str]) -> list[str]:
    lines = [" ".join(line.split()) for line in lines if line.strip()]
    start = lines.index(FIRST)
    return lines[start:lines.index(LAST, start) + 1]


def test_seed_fixture_renders_to_seed_text():
    seed = SEED_TEXT.read_text(encoding="utf-8").splitlines()
    rendered = render((SITE / SLUG / "index.html").read_bytes())
    assert article_part(rendered) == article_part(seed)


def test_seed_fixture_keeps_the_page_chrome():
    """The whole page, not just the article: three menus, sidebar, popups, footer."""
    rendered = [" ".join(line.split()) for line in render((SITE / SLUG / "index.html").read_bytes())]
    text = "\n".join(rendered)
    assert text.count("Trends Monitor") == 3
    for chrome in ("Friday, September 12, 2025", "No Result", "View All Result", "Previous Post",
                   "Share on Facebook", "No Content Available", "About Digital Rights Monitor",
                   "Welcome Back!", "Forgotten Password?"):
        assert chrome in text, chrome
