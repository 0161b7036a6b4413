"""Generic main-content detection: which element of an unknown page holds the article.

Readability-style scoring on a pruned copy of the page: paragraph-like blocks give their
text length (less the share that is link text) to their ancestors with a decay, the best
ancestor wins, and sibling blocks that look like more of the same article are merged in.
Structured hints come first when the page has them: an `itemprop=articleBody` element, or
the element that holds the JSON-LD `articleBody` text."""

from __future__ import annotations

import copy
import re
import threading

from lxml import etree
from lxml.cssselect import CSSSelector

from drmcrawl.extract.boilerplate import is_hidden, lengths_remembered, looks_unlikely, prune, text_len
from drmcrawl.extract.template import SiteTemplate

_PARAGRAPH_TAGS = frozenset({"p", "pre", "td", "blockquote", "li", "dd"})
_CONTAINER_TAGS = frozenset({"div", "section", "article", "main", "span", "font", "center", "td"})
_BLOCK_CHILDREN = frozenset(
    "address article aside blockquote div dl fieldset figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr main nav ol p pre section table ul".split()
)
_ARTICLE_BODY = CSSSelector("[itemprop~='articleBody'], [itemprop~='articlebody']")
_MIN_BLOCK_CHARS = 25
_MIN_CONTENT_CHARS = 140
_WORD = re.compile(r"\w+")
# Atomic-CSS classes (`md:w-10/12`, `mt-4`) say nothing about what an element is.
_UTILITY = re.compile(r"[:/]|^(?:[mp][tblrxy]?|w|h|col|row|flex|grid|text|bg)-", re.I)


def main_content(tree: etree._Element, article_body: str | None = None,
                 template: SiteTemplate | None = None,
                 page: dict | None = None) -> list[etree._Element]:
    """Pruned copies of the elements that make up the article, in page order (usually one).
    Empty when nothing on the page reads like an article. A learned site `template`
    removes the blocks the site repeats on its pages before scoring. `page`, when given,
    receives the page's measures taken on the way: "text", the text of the whole page
    without its chrome (all any extractor could find on it), and "prose", what
    `page_prose_chars` gives."""
    # Only the body is copied: the head (scripts, styles, structured data, often a third
    # of the page) never holds article text.
    body = tree.find("body")
    root = copy.deepcopy(body if body is not None else tree)
    prose = prune(root)
    if page is not None:
        page["text"] = root.text_content()
        page["prose"] = prose if body is not None else 0
    if template is not None:
        template.strip(root)
        found = _find(root, article_body)
        # A template learned from few pages can take blocks the article needs to score;
        # it may only make the result cleaner, never lose the article.
        return found or main_content(tree, article_body)
    return _find(root, article_body)


def _find(root: etree._Element, article_body: str | None) -> list[etree._Element]:
    _MEMO.densities = {}
    try:
        with lengths_remembered():
            return _find_in(root, article_body)
    finally:
        _MEMO.densities = None


def _find_in(root: etree._Element, article_body: str | None) -> list[etree._Element]:
    marked = _marked_body(root)
    if marked is not None:
        return [marked]
    if article_body:
        holder = _holder_of(root, article_body)
        if holder is not None:
            return [holder]
    return _scored(root)


def _marked_body(root: etree._Element) -> etree._Element | None:
    """The page's own `itemprop=articleBody` element, when it holds real text (some
    templates put the marker on an empty wrapper or on a teaser)."""
    found = [el for el in _ARTICLE_BODY(root) if text_len(el) >= _MIN_CONTENT_CHARS]
    if not found:
        return None
    # Nested markers: the outermost holds the rest.
    outer = [el for el in found if not any(o is not el and _contains(o, el) for o in found)]
    return max(outer, key=text_len)


def _holder_of(root: etree._Element, article_body: str) -> etree._Element | None:
    """The smallest element whose words cover most of the JSON-LD articleBody."""
    wanted = set(_WORD.findall(article_body))
    if len(wanted) < 20:
        return None
    best, inner = None, _first_holder(root, wanted)
    while inner is not None:  # the innermost: the first holder inside the holder found
        best, inner = inner, _first_holder(inner, wanted)
    if best is None:
        return None
    # Too much foreign text means the holder is the page, not the article.
    if text_len(best) > 3 * len(article_body):
        return None
    return best


_HOLDERS = frozenset({"div", "section", "article", "main"})


def _first_holder(root: etree._Element, wanted: set[str]) -> etree._Element | None:
    """The first block inside `root`, in page order, whose words cover most of `wanted`.
    An element that does not cover them holds no such block (its blocks' words are among
    its own), so only the path down to it is read, not every block of the page."""
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if len(set(_WORD.findall(child.text_content())) & wanted) < 0.8 * len(wanted):
            continue
        if child.tag in _HOLDERS:
            return child
        found = _first_holder(child, wanted)
        if found is not None:
            return found
    return None


def _contains(outer: etree._Element, inner: etree._Element) -> bool:
    el = inner.getparent()
    while el is not None:
        if el is outer:
            return True
        el = el.getparent()
    return False


# -- scoring ---------------------------------------------------------------------------
def _scored(root: etree._Element) -> list[etree._Element]:
    scores: dict[etree._Element, float] = {}
    for block in _blocks(root):
        length = text_len(block)
        if length < _MIN_BLOCK_CHARS:
            continue
        value = 1 + min(length / 100, 3) + _commas(block) + length / 400
        value *= 1 - link_density(block)
        ancestor, level = block.getparent(), 0
        while ancestor is not None and level < 5:
            divider = 1 if level == 0 else (2 if level == 1 else level * 3)
            scores[ancestor] = scores.get(ancestor, 0.0) + value / divider
            ancestor, level = ancestor.getparent(), level + 1
    if not scores:
        return []
    final = {el: s * (1 - link_density(el)) * _class_weight(el) for el, s in scores.items()
             if isinstance(el.tag, str) and el.tag not in ("html", "body")}
    if not final:
        final = scores
    top = max(final, key=final.get)
    top = _climb(top, final)
    grouped = _same_class_ancestor(top, root)
    if grouped is not top:
        final[grouped] = max(final.get(grouped, 0.0), final[top])
    parts = _with_siblings(grouped, final)
    if sum(text_len(p) for p in parts) < _MIN_CONTENT_CHARS:
        return []
    return parts


def _blocks(root: etree._Element):
    """Paragraph-like elements; a div/section with no block children counts as one, so
    pages that write paragraphs as `<div>text<br><br>text</div>` are understood."""
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _PARAGRAPH_TAGS:
            if tag in ("li", "td", "blockquote", "dd") and any(
                    isinstance(c.tag, str) and c.tag in _BLOCK_CHILDREN for c in el):
                continue
            yield el
        elif tag in _CONTAINER_TAGS and not any(
                isinstance(c.tag, str) and c.tag in _BLOCK_CHILDREN for c in el):
            if (el.text or "").strip() or any((c.tail or "").strip() for c in el):
                yield el


def _climb(top: etree._Element, scores: dict) -> etree._Element:
    """Articles split into several sections score per section; when the top candidate's
    ancestor also holds other strong candidates, that ancestor is the article."""
    best = scores[top]
    strong = [el for el, s in scores.items() if s >= 0.75 * best and el is not top]
    parent = top.getparent()
    while parent is not None and parent.tag not in ("body", "html"):
        inside = sum(1 for el in strong if _contains(parent, el))
        if inside >= 2 and scores.get(parent, 0) < best * 3:
            top = parent
            strong = [el for el in strong if not _contains(parent, el)]
        parent = parent.getparent()
    # A parent that scores higher than its best child collects the article's pieces.
    parent = top.getparent()
    last = scores.setdefault(top, best)
    while parent is not None and parent.tag not in ("body", "html") and parent in scores:
        if scores[parent] < last / 3:
            break
        if scores[parent] > last:
            top = parent
            break
        last, parent = scores[parent], parent.getparent()
    return top


def _same_class_ancestor(top: etree._Element, root: etree._Element) -> etree._Element:
    """Templates that break the story into several text components (between ads or
    embeds) give each the same class: the article is their common ancestor, if that
    ancestor adds little other prose."""
    names = {c for c in (top.get("class") or "").split() if len(c) >= 4 and not _UTILITY.search(c)}
    if not names:
        return top
    pieces = [el for el in root.iter(top.tag) if el is not top
              and names & set((el.get("class") or "").split()) and _prose_len(el) > 0]
    if not pieces:
        return top
    ancestor = top
    for piece in pieces:
        while not _contains(ancestor, piece):
            ancestor = ancestor.getparent()
            if ancestor is None or ancestor.tag in ("body", "html"):
                return top
    wanted = _prose_len(top) + sum(_prose_len(p) for p in pieces)
    return ancestor if _prose_len(ancestor) <= 1.3 * wanted + 200 else top


def _with_siblings(top: etree._Element, scores: dict) -> list[etree._Element]:
    parent = top.getparent()
    if parent is None:
        return [top]
    threshold = max(10.0, scores[top] * 0.2)
    top_class = top.get("class")
    top_prose = _prose_len(top)
    parts = []
    seen_top = past_links = False
    for sibling in parent:
        if sibling is top:
            parts.append(sibling)
            seen_top = True
            continue
        if not isinstance(sibling.tag, str):
            continue
        if seen_top and text_len(sibling) and (looks_unlikely(sibling) or link_density(sibling) > 0.5):
            past_links = True  # after a related-links block, loose lines are page furniture
        if looks_unlikely(sibling) or is_hidden(sibling):
            continue
        bonus = scores[top] * 0.2 if top_class and sibling.get("class") == top_class else 0
        if scores.get(sibling, 0) + bonus >= threshold:
            parts.append(sibling)
        elif _prose_len(sibling) >= 0.5 * top_prose and link_density(sibling) < 0.2:
            parts.append(sibling)  # deeply nested continuation (live-blog entries)
        elif sibling.tag == "p" and not past_links:
            length, density = text_len(sibling), link_density(sibling)
            text = sibling.text_content().strip()
            if (length > 80 and density < 0.25) or (0 < length <= 80 and density == 0
                                                     and text[-1:] in ".!?。"):
                parts.append(sibling)
    return parts


def _prose_len(el: etree._Element) -> int:
    """Characters in paragraphs that are not mostly links."""
    return sum(n for p in el.iter("p") if (n := text_len(p)) >= _MIN_BLOCK_CHARS
               and link_density(p) < 0.3)


def page_prose_chars(tree: etree._Element) -> int:
    """Characters of paragraph prose on the whole page (`_prose_len` of the body, each
    paragraph measured once): a yardstick for how much of the page a body should hold.
    (`prune` measures the same on the copy it prunes.)"""
    body = tree.find("body")
    if body is None:
        return 0
    total = 0
    for p in body.iter("p"):
        length = text_len(p)
        if length >= _MIN_BLOCK_CHARS and sum(text_len(a) for a in p.iter("a")) < 0.3 * length:
            total += length
    return total


# -- measures ----------------------------------------------------------------------------
# While the pruned copy is scored it does not change: link densities, like lengths
# (`lengths_remembered`), are remembered per element for the duration of `_find`.
_MEMO = threading.local()


def link_density(el: etree._Element) -> float:
    densities = getattr(_MEMO, "densities", None)
    if densities is not None and el in densities:
        return densities[el]
    total = text_len(el)
    density = min(1.0, sum(text_len(a) for a in el.iter("a")) / total) if total else 0.0
    if densities is not None:
        densities[el] = density
    return density


_COMMAS = re.compile(r"[,،、，]")


def _commas(el: etree._Element) -> int:
    return len(_COMMAS.findall(el.text_content()))


_POSITIVE = re.compile(r"article|body|content|entry|main|page|post|text|blog|story|prose|paragraph")
_NEGATIVE = re.compile(
    r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|foot|footer|"
    r"footnote|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|"
    r"sidebar|skyscraper|sponsor|shopping|tags|tool|widget|teaser|recommend|newsletter|"
    r"byline|author|caption")


def _class_weight(el: etree._Element) -> float:
    """Readability's class/id hints, as a factor so it scales with the page."""
    weight = 1.0
    for attr in (el.get("class"), el.get("id")):
        if not attr:
            continue
        attr = attr.lower()  # lower-cased once: patterns without re.I run several times faster
        if _NEGATIVE.search(attr):
            weight *= 0.6
        if _POSITIVE.search(attr):
            weight *= 1.25
    if el.tag == "article":
        weight *= 1.25
    return weight
