"""body.Junk's quick test must never miss what its CSS selector matches: when it says a
subtree is clean, clean_copy skips the copy and the selector altogether."""

from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from drmcrawl.demo.server import BUNDLED_SITE
from drmcrawl.extract.body import ALWAYS_DROP, TWEET, Junk, clean_copy
from drmcrawl.extract.profiles.jnews import _BODY_JUNK

FIXTURES = Path(__file__).parents[1] / "fixtures"
SITE = BUNDLED_SITE
SNIPPET = """<div><p>text <script>x</script></p><ins class="adsbygoogle x">ad</ins><ins>kept</ins>
<div class=" jeg_ad\tbanner">ad</div><div class="jeg_adx">kept</div><div id="taboola-below">t</div>
<div id="x-taboola-">kept</div><figure><figcaption>c</figcaption></figure>
<blockquote class="twitter-tweet"><p>tweet</p></blockquote><!-- comment --></div>"""


def _pages():
    yield lxml.html.document_fromstring(SNIPPET)
    for site in (SITE, FIXTURES / "variant_site"):
        for path in sorted(site.rglob("*.html")):
            yield lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("junk", [ALWAYS_DROP, TWEET, _BODY_JUNK], ids=["always", "tweet", "jnews"])
def test_quick_test_agrees_with_the_selector(junk):
    matched = 0
    for tree in _pages():
        selected = set(junk(tree))
        for el in tree.iter(etree.Element):
            if el in selected:
                assert junk.may_match(el), lxml.html.tostring(el)[:200]
        matched += len(selected)
    assert matched  # the pages do exercise the selector


def test_quick_test_is_exact_on_simple_parts():
    tree = lxml.html.fragment_fromstring(SNIPPET)
    flagged = [el for el in tree.iter(etree.Element) if _BODY_JUNK.may_match(el) or ALWAYS_DROP.may_match(el)]
    texts = [(el.text or "").strip() for el in flagged]
    assert "kept" not in texts
    assert texts == ["x", "ad", "ad", "t", "c"]


def test_clean_copy_copies_only_when_something_is_removed():
    clean = lxml.html.fragment_fromstring("<div><p>one</p><p class='jeg_adx'>two</p></div>")
    assert clean_copy(clean, _BODY_JUNK) is clean
    dirty = lxml.html.fragment_fromstring("<div><p>one</p><p class='jeg_ad'>two</p></div>")
    cleaned = clean_copy(dirty, _BODY_JUNK)
    assert cleaned is not dirty and cleaned.text_content() == "one" and dirty.text_content() == "onetwo"
    tweet = lxml.html.fragment_fromstring("<blockquote class='twitter-tweet'><p>hi</p>— X (@x)</blockquote>")
    assert clean_copy(tweet).text_content() == "hi"


def test_selectors_beyond_the_quick_test_are_refused():
    with pytest.raises(ValueError):
        Junk("a:not(.x)")
