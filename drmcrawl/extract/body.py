"""Turn a cleaned content element into body text (blocks separated by blank lines)
and cleaned HTML."""

from __future__ import annotations

import copy
import re

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

BLOCK_TAGS = frozenset(
    """address article aside blockquote dd details div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table
    tbody td tfoot th thead tr ul""".split()
)
# Never text of the article, whatever profile is used.
ALWAYS_DROP = CSSSelector(
    "script, style, noscript, template, iframe, object, embed, svg, canvas, form, "
    "button, input, select, textarea, ins.adsbygoogle, figcaption, .wp-caption-text"
)
TWEET = CSSSelector("blockquote.twitter-tweet")
_SPACES = re.compile(r"\s+")
_KEEP_ATTRIBUTES = {"href", "src", "alt", "title", "colspan", "rowspan", "lang", "dir"}
_WORD = re.compile(r"\w+")


def clean_copy(element: etree._Element, drop: CSSSelector | None = None) -> etree._Element:
    """A copy of `element` without boilerplate. The original tree is left untouched so
    other layers can still read it."""
    root = copy.deepcopy(element)
    selectors = [ALWAYS_DROP] + ([drop] if drop is not None else [])
    for selector in selectors:
        for junk in selector(root):
            _drop_keep_tail(junk)
    for tweet in TWEET(root):
        _reduce_tweet(tweet)
    return root


def _drop_keep_tail(el: etree._Element) -> None:
    if el.getparent() is not None:
        el.drop_tree()


def _reduce_tweet(tweet: etree._Element) -> None:
    """An embedded tweet keeps its quoted text only: the `— Name (@handle) date` line
    after it is embed chrome, not words of the article."""
    paragraphs = tweet.findall(".//p")
    for child in list(tweet):
        if child not in paragraphs:
            tweet.remove(child)
    tweet.text = None
    for p in paragraphs:
        if p.getparent() is not tweet:
            tweet.append(p)
        p.tail = None


def text_blocks(root: etree._Element) -> list[str]:
    """Text as a browser lays it out: one string per block element, whitespace collapsed."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = _SPACES.sub(" ", "".join(current)).strip()
        if text:
            blocks.append(text)
        current.clear()

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        is_block = tag in BLOCK_TAGS
        if is_block:
            flush()
        if tag == "br":
            current.append(" ")
        elif tag and el.text:
            current.append(el.text)
        for child in el:
            walk(child)
        if is_block:
            flush()
        if el.tail:
            current.append(el.tail)

    walk(root)
    flush()
    return blocks


def body_text(root: etree._Element) -> str:
    return "\n\n".join(text_blocks(root))


def body_html(root: etree._Element) -> str:
    """Serialised content with presentation attributes (class, style, data-*) removed."""
    root = copy.deepcopy(root)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name in list(el.attrib):
            if name not in _KEEP_ATTRIBUTES:
                del el.attrib[name]
    etree.strip_tags(root, "span", "font")
    etree.strip_elements(root, etree.Comment, with_tail=False)
    inner = [lxml.html.tostring(child, encoding="unicode") for child in root]
    text = (root.text or "").strip()
    return (text + "".join(inner)).strip()


def word_count(text: str | None) -> int:
    return len(_WORD.findall(text or ""))
