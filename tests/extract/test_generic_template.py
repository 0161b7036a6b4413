"""Site template learning: blocks a site repeats on its pages are not article text."""

from __future__ import annotations

import itertools

import pytest

from drmcrawl.extract import SiteTemplate, extract

HOST = "https://paper.example.net"
# Widgets without telling class names: only repetition across pages gives them away.
WIDGET = ("<div class='box7'><p>Our reporters work around the clock; support independent journalism "
          "with a monthly contribution, cancel any time you like.</p></div>")


def story(n: int) -> str:
    return "".join(f"<p>Story {n}, sentence {i}: facts about matter {n} told in plain and simple words.</p>"
                   for i in range(6))


def page(n: int) -> tuple[str, str]:
    html = (f"<html><head><title>Story {n}</title></head><body><h1>Story {n} headline</h1>"
            f"<div class='c'>{story(n)}{WIDGET}</div></body></html>")
    return html, f"{HOST}/news/{n}"


PAGES = [page(n) for n in range(4)]


def test_repeated_blocks_are_removed_with_a_template():
    html, url = PAGES[0]
    assert "support independent journalism" in extract(html, url).body
    template = SiteTemplate.learn(PAGES)
    body = extract(html, url, template=template).body
    assert "support independent journalism" not in body
    assert body.count("Story 0, sentence") == 6


@pytest.mark.parametrize("order", list(itertools.permutations(range(3)))[:4])
def test_learning_is_reproducible_in_any_order(order):
    assert SiteTemplate.learn([PAGES[i] for i in order]) == SiteTemplate.learn(PAGES[:3])


@pytest.mark.parametrize("share, pages, learned", [(0.5, 4, True), (1.0, 4, True), (0.5, 1, False)])
def test_a_block_must_repeat_on_enough_pages(share, pages, learned):
    template = SiteTemplate.learn(PAGES[:pages], share=share)
    assert (WIDGET.split("<p>")[1].split("</p>")[0] in template) is learned


def test_a_template_never_loses_the_article():
    # The same story saved twice (a reprint): every block repeats, yet the page keeps its body.
    html, url = PAGES[1]
    template = SiteTemplate.learn([(html, url), (html, url + "?amp")])
    assert extract(html, url, template=template).body.count("Story 1, sentence") == 6
