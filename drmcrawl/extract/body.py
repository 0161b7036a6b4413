"""Turn a cleaned content element into body text (blocks separated by blank lines)
and cleaned HTML."""

from __future__ import annotations

import copy
import functools
import re

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

BLOCK_TAGS = frozenset(
    """address article aside blockquote dd details div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table
    tbody td tfoot th thead tr ul""".split()
)
class Junk:
    """Elements to remove, as a CSS selector list (tag, `.class`, `tag.class`,
    `[id^='prefix']`, and combinators before those), with a quick Python test for "this
    subtree holds none of them". The test is exact on each part's last compound and
    ignores what comes before it, so it never misses a match: when it finds nothing, the
    subtree need not be copied and searched (libxml2 runs the selector list as one scan
    per part, most of the cleaning's time)."""

    _COMPOUND = re.compile(r"^([a-z][a-z0-9]*)?((?:\.[\w-]+)*)(?:\[id\^='([^']+)'\])?$")

    def __init__(self, css: str):
        self.select = CSSSelector(css)
        self._tags: set[str] = set()  # parts that are a bare tag
        self._classes: set[str] = set()  # parts that are one bare class
        self._others: list[tuple[str | None, frozenset[str], str | None]] = []
        for part in css.split(","):
            tag, classes, id_prefix = self._last_compound(part)
            if tag and not classes and not id_prefix:
                self._tags.add(tag)
            elif len(classes) == 1 and not tag and not id_prefix:
                self._classes |= classes
            else:
                self._others.append((tag, classes, id_prefix))

    @classmethod
    def _last_compound(cls, part: str) -> tuple[str | None, frozenset[str], str | None]:
        compound = part.replace(">", " ").split()[-1]
        match = cls._COMPOUND.match(compound)
        if not match:  # refuse at import what the quick test could not honour
            raise ValueError(f"selector part {part!r} is beyond Junk's quick test")
        tag, classes, id_prefix = match.groups()
        return tag, frozenset(classes.split(".")[1:]), id_prefix

    def __call__(self, root: etree._Element) -> list:
        return self.select(root)

    def may_match(self, el: etree._Element) -> bool:
        if el.tag in self._tags:
            return True
        classes = el.get("class")
        # The XPath cssselect writes splits classes on XML whitespace (normalize-space).
        tokens = set(_XML_SPACE.split(classes)) if classes else set()
        if not tokens.isdisjoint(self._classes):
            return True
        return any((tag is None or el.tag == tag) and classes_ <= tokens
                   and (id_prefix is None or (el.get("id") or "").startswith(id_prefix))
                   for tag, classes_, id_prefix in self._others)


_XML_SPACE = re.compile(r"[ \t\r\n]+")
# Never text of the article, whatever profile is used.
ALWAYS_DROP = Junk(
    "script, style, noscript, template, iframe, object, embed, svg, canvas, form, "
    "button, input, select, textarea, ins.adsbygoogle, figcaption, .wp-caption-text"
)
TWEET = Junk("blockquote.twitter-tweet")
_KEEP_ATTRIBUTES = {"href", "src", "alt", "title", "colspan", "rowspan", "lang", "dir"}
_WORD = re.compile(r"\w+")


def clean_copy(element: etree._Element, drop: Junk | None = None) -> etree._Element:
    """`element` without boilerplate: a cleaned copy, or `element` itself when there is
    nothing to remove (callers only read the result). The page's tree is left untouched
    so other layers can still read it."""
    selectors = [ALWAYS_DROP] + ([drop] if drop is not None else [])
    if not _holds_junk(element, selectors):
        return element
    root = copy.deepcopy(element)
    for selector in selectors:
        for junk in selector(root):
            _drop_keep_tail(junk)
    for tweet in TWEET(root):
        _reduce_tweet(tweet)
    return root


def _holds_junk(element: etree._Element, selectors: list[Junk]) -> bool:
    """Whether cleaning would change anything: junk below `element` (the copy's root has
    no parent, so it is never dropped itself), or a tweet anywhere."""
    if TWEET.may_match(element):
        return True
    tests = [s.may_match for s in selectors] + [TWEET.may_match]
    return any(test(el) for el in element.iterdescendants(etree.Element) for test in tests)


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
        text = " ".join("".join(current).split())  # = re.sub(r"\s+", " ", ...).strip(), cheaper
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
    return _word_count(text or "")


@functools.lru_cache(maxsize=32)
def _word_count(text: str) -> int:
    # Cached: deciding on a page's body counts the words of the same texts several times.
    return len(_WORD.findall(text))
