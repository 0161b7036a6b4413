"""The generic body: main content (content.py), widgets removed (boilerplate.py), the
standfirst put back in front, and the JSON-LD articleBody as a net when the page's
HTML holds less of the story than its structured data (lazy-loaded or paywalled)."""

from __future__ import annotations

import re
from html import escape

import lxml.html
from lxml import etree

from drmcrawl.extract.body import body_html, body_text, clean_copy, word_count
from drmcrawl.extract.boilerplate import clean_content
from drmcrawl.extract.bylines import take_edge_byline
from drmcrawl.extract.content import main_content, page_prose_chars
from drmcrawl.extract.document import Document
from drmcrawl.extract.fallback import SOURCE as FALLBACK_SOURCE
from drmcrawl.extract.fallback import fallback_body
from drmcrawl.extract.structured import site_names
from drmcrawl.extract.template import SiteTemplate
from drmcrawl.model import Article

_MIN_BODY_WORDS = 30
_LEAD_TAGS = ("p", "div", "h2", "span", "strong")
_SPACES = re.compile(r"\s+")


def fill_body(doc: Document, article: Article, template: SiteTemplate | None = None) -> None:
    if article.body:
        return
    hint = _article_body_hint(doc)
    page: dict = {}
    parts = main_content(doc.tree, hint, template, page)
    text, html = _text_of(parts, article, doc) if parts else ("", "")
    if hint and word_count(hint) >= 100 and word_count(hint) > 1.5 * word_count(text):
        article.set("body", _paragraphs(hint), "jsonld.articleBody")
        return
    if word_count(text) < _MIN_BODY_WORDS and len(text) < 200:
        text, html = "", ""
    prose = page["prose"] if page else page_prose_chars(doc.tree)
    confidence = _coverage(text, prose)
    gain = _gain_needed(confidence)
    if (_weak(text, confidence) and _could_gain(text, page.get("text"), gain)
            and _fill_fallback(doc, article, text, prose, gain)):
        return
    if not text:
        return
    lead = _standfirst(doc, text)
    if lead:
        text = lead + "\n\n" + text
    article.set("body", text, "dom.main_content", confidence)
    article.set("body_html", html, "dom.main_content", confidence)


# A body holding less than this share of the page's prose missed the main block (or
# took a fragment of it): the next layer is asked.
_WEAK_COVERAGE = 0.5
# The fallback's text replaces a weak body only when it is clearly longer: a short
# answer from both layers means a short page, and the page's own detection is cleaner.
_FALLBACK_GAIN = 1.2
# A body this short is checked against the fallback even when it covers the page's
# prose; as the page's own detection found nothing more, the fallback must hold twice
# as much to win.
_SHORT_BODY_WORDS = 150
_SHORT_BODY_GAIN = 2.0
# Short posts are articles too, but a body needs more than a line.
_MIN_FALLBACK_WORDS = 12
# The fallback answers for a page the first layer could not read: it is never as sure.
_FALLBACK_DISCOUNT = 0.8


def _coverage(text: str, prose: int) -> float:
    """The share of the page's prose the body holds, as its confidence (capped at 1;
    a page without paragraph prose gives no measure, so the body is taken as it is)."""
    if not text:
        return 0.0
    if not prose:
        return 1.0
    return min(1.0, len(text) / prose)


def _weak(text: str, coverage: float) -> bool:
    """Too little of the page's prose, or a short text: pages that set their story
    outside <p> elements give no prose to compare with."""
    return coverage < _WEAK_COVERAGE or word_count(text) < _SHORT_BODY_WORDS


def _gain_needed(coverage: float) -> float:
    return _FALLBACK_GAIN if coverage < _WEAK_COVERAGE else _SHORT_BODY_GAIN


def _could_gain(text: str, page_text: str | None, gain: float) -> bool:
    """Whether the page outside its chrome holds enough text for another extractor to
    find `gain` times the body: when it does not, asking it only costs time. (A page
    whose chrome removal left nothing tells nothing: its story may sit in the chrome.)"""
    if not page_text or not text:
        return True
    if len(page_text) <= gain * len(text):  # the raw text is never shorter
        return False
    return len(" ".join(page_text.split())) > gain * len(text)


def _fill_fallback(doc: Document, article: Article, text: str, prose: int, gain: float) -> bool:
    """Ask the last-resort extractor; its text wins only when it holds clearly more."""
    found = fallback_body(doc.tree, doc.url)
    if not found or len(found) <= gain * len(text) or not _readable(found, doc, article.title):
        return False
    confidence = _FALLBACK_DISCOUNT * _coverage(found, prose)
    article.set("body", found, FALLBACK_SOURCE, confidence)
    article.set("body_html", _as_html(found), FALLBACK_SOURCE, confidence)
    return True


def _readable(text: str, doc: Document, title: str | None) -> bool:
    """More than the headline, and not mostly the page's link texts (a list of links
    is a navigation page, whoever extracts it)."""
    blocks = [block for block in text.split("\n\n") if block != title]
    if word_count(" ".join(blocks)) < _MIN_FALLBACK_WORDS:
        return False
    links = {" ".join(a.text_content().split()) for a in doc.tree.iter("a")}
    linked = sum(len(block) for block in blocks if block in links)
    return linked < 0.5 * sum(len(block) for block in blocks)


def _as_html(text: str) -> str:
    return "".join(f"<p>{escape(block)}</p>" for block in text.split("\n\n"))


def _article_body_hint(doc: Document) -> str | None:
    value = (doc.jsonld_article or {}).get("articleBody")
    return _once(value) if isinstance(value, str) and value.strip() else None


_PROBE_WORDS = 12
_NON_SPACE = re.compile(r"\S+")


def _once(text: str) -> str:
    """Some CMS templates write the story into `articleBody` twice in a row: when a run
    of words from the start (or just after a dateline of up to five words) recurs in
    the second two thirds, the text is cut where the repeat starts."""
    spans = [m.span() for m in _NON_SPACE.finditer(text)]
    if len(spans) < 4 * _PROBE_WORDS:
        return text
    words = [text[a:b] for a, b in spans]
    for skip in (0, 5):
        probe = words[skip:skip + _PROBE_WORDS]
        for at in range(len(words) // 3, len(words) - _PROBE_WORDS + 1):
            if words[at:at + _PROBE_WORDS] == probe:
                return text[:spans[at][0]].rstrip()
    return text


def _text_of(parts: list[etree._Element], article: Article, doc: Document) -> tuple[str, str]:
    if len(parts) == 1:
        root = parts[0]
    else:
        root = lxml.html.Element("div")
        for part in parts:
            part.tail = None
            root.append(part)
    clean_content(root)
    take_edge_byline(root, article, site_names(doc))
    cleaned = clean_copy(root)
    return body_text(cleaned), body_html(cleaned)


def _paragraphs(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _standfirst(doc: Document, body: str) -> str | None:
    """The summary under the headline is part of the article but usually sits outside
    the text container. It is recognised as the page element repeating the page's
    description, or else as a paragraph named like a standfirst right after the h1, and
    only added when the body does not already hold it."""
    description = _description(doc)
    if not description or len(description) < 40:
        return _named_lead(doc, body)
    probe = _norm(description)[:60]
    if not probe:
        return _named_lead(doc, body)
    if any(_norm(part).startswith(probe) for part in body.split("\n\n")):
        return None  # (the end of a paragraph may repeat it: the standfirst is still missing)
    first_word = probe.split()[0]
    longest = 1.2 * len(description) + 20
    # Containers far longer than the description are left out in C: measuring each of
    # the page's wrappers in Python cost more than the rest of the body's detection.
    # (XPath's normalize-space keeps Unicode spaces that str.split removes, hence the
    # generous bound.)
    for el in _LEAD_CANDIDATES(doc.tree, most=2 * longest + 200):
        raw = el.text_content()
        if len(raw) < 40 or first_word not in raw.casefold():
            continue  # cheap tests first: most elements are not the standfirst
        text = _SPACES.sub(" ", raw).strip()
        if len(text) >= 40 and len(text) <= longest and _norm(text)[:60] == probe:
            if _inside_chrome(el):
                continue
            return text
    return _named_lead(doc, body)


_LEAD_CANDIDATES = etree.XPath(
    "descendant-or-self::*[" + " or ".join(f"self::{tag}" for tag in _LEAD_TAGS) + "]"
    "[string-length(normalize-space(.)) >= 40 and string-length(normalize-space(.)) <= $most]")
_LEAD_NAMES = re.compile(r"(?:^|[-_ ])(?:lead|lede|intro\w*|excerpt|standfirst|summary|dek|teaser-?text|"
                         r"abstract|sapo|chapeau|vorspann|subtitle|sub-?headline|deck)(?=$|[-_ ])", re.I)
_LEAD_WINDOW = 40  # elements after the h1


def _named_lead(doc: Document, body: str) -> str | None:
    h1 = next((h for h in doc.tree.iter("h1") if not _inside_chrome(h)), None)
    if h1 is None:
        return None
    seen = 0
    for el in _after(h1):
        seen += 1
        if seen > _LEAD_WINDOW:
            break
        if el.tag not in ("p", "div", "h2") or not _LEAD_NAMES.search(el.get("class") or ""):
            continue
        text = _SPACES.sub(" ", el.text_content()).strip()
        if 60 <= len(text) <= 600 and _norm(text)[:60] not in _norm(body) and not _inside_chrome(el):
            # It sits with the headline (a listing's teaser excerpt sits in a card).
            return text if _near(h1, el) else None
    return None


def _near(h1: etree._Element, el: etree._Element) -> bool:
    """`el` is inside the h1's parent or grandparent block, and not in an `<article>`
    card of its own."""
    holders = [a for a in list(h1.iterancestors())[:2] if a.tag not in ("body", "html")]
    if not any(el in holder.iterdescendants() for holder in holders):
        return False
    own = set(h1.iterancestors())
    return all(a in own for a in el.iterancestors("article"))


def _after(el: etree._Element):
    """Elements following `el` in document order."""
    for following in el.itersiblings():
        yield following
        yield from (d for d in following.iterdescendants() if isinstance(d.tag, str))
    parent = el.getparent()
    if parent is not None and parent.tag != "body":
        yield from _after(parent)


def _description(doc: Document) -> str | None:
    for key in ("og:description", "description", "twitter:description"):
        values = doc.meta.get(key)
        if values:
            return _SPACES.sub(" ", values[0]).strip()
    node = doc.jsonld_article or {}
    value = node.get("description")
    return _SPACES.sub(" ", value).strip() if isinstance(value, str) else None


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _inside_chrome(el: etree._Element) -> bool:
    for ancestor in el.iterancestors():
        if ancestor.tag in ("head", "nav", "footer", "aside", "script", "noscript", "template"):
            return True
    return False
