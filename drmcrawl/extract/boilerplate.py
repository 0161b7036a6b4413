"""What is never article text on a generic page: page chrome before scoring, and the
widgets news templates put inside the article (share bars, related links, newsletter
boxes, bylines, captions) after it. Patterns are about markup conventions, not sites."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from lxml import etree

# Removed from the whole page before scoring.
_CHROME_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "nav", "aside", "footer", "button", "input", "select", "textarea", "label", "dialog", "menu",
)
# Readability's lists: names that mark page parts other than the article, unless the
# same name also says it is the article.
_UNLIKELY = re.compile(
    r"-ad-|ai2html|banner|breadcrumb|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|"
    r"legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|"
    r"supplemental|ad-break|agegate|pagination|pager|popup|yom-remote|cookie|consent|"
    r"newsletter|subscribe|paywall|navigation|navbar|masthead|site-header|outbrain|taboola|"
    r"pmpro|piano|tp-modal|tp-backdrop|tp-container",  # subscription prompts: Paid Memberships Pro, Piano
    re.I,
)
_MAYBE = re.compile(r"and|article|body|column|content|main|mathjax|shadow|story|text|post", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "menu", "menubar",
                    "dialog", "alert", "search", "toolbar"})

# Inside the article: one class/id *token part* naming a widget drops the element.
_WIDGET = re.compile(
    r"(?:^|[-_ ])(?:ads?|advert\w*|adslot|adunit|sponsor\w*|share\w*|sharing|social\w*|"
    r"related|newsletter\w*|subscri\w*|signup|promo\w*|byline\w*|author\w*|caption\w*|"
    r"credits?|tags?|tag-?list|keywords|comments?|breadcrumbs?|toolbar|recommend\w*|outbrain|"
    r"taboola|more-?stories|read-?more|see-?also|also-?read|popular|trending|widget\w*|"
    r"sidebar|nav|navigation|menu|footer|print|timestamp|dateline|meta|info-?box|teaser\w*|"
    r"overlay|modal|hidden|visually-?hidden|sr-only|screen-?reader\w*|paywall|inline-?links?|"
    r"embed|video\w*|player|gallery|slideshow|rating|disclaimer|copyright|hint|toc|"
    r"prev(?:ious)?[-_]?next|next[-_]?prev\w*|post-?nav\w*|nav-?links|pagination|pager|"
    r"pmpro\w*|piano\w*|tp|regwall|meter\w*|membership\w*|premium-?(?:box|prompt|wall))(?=$|[-_ ])",
    re.I,
)
_AD_LABEL = re.compile(
    r"^[\s\-–—]*(?:advertisement|advertising|anzeige|werbung|publicidad|publicité|pubblicità|reklame|"
    r"annonse|annons|mainos|advertentie|reklama|sponsored|ad)[\s\-–—]*$", re.I)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_CAPTION = re.compile(r"(?:^|[-_ ])(?:caption\w*|credits?)(?=$|[-_ ])", re.I)
# Image-post embeds carry the poster's caption and UI text; quoted tweets stay (they are
# quotations, reduced to their text by body.clean_copy).
_EMBED = re.compile(r"instagram-media|tiktok-embed|fb-post|bluesky-embed", re.I)
_DROP_IN_CONTENT = ("h1", "figure", "picture", "img", "video", "audio", "form", "figcaption",
                    "header", "time", "address")


# The same patterns (written in lower case) for lower-cased names.
_UNLIKELY_CASED, _MAYBE_CASED, _WIDGET_CASED, _CAPTION_CASED = (
    re.compile(pattern.pattern) for pattern in (_UNLIKELY, _MAYBE, _WIDGET, _CAPTION))


# Only elements with one of these attributes can be pruned (chrome tags are stripped
# before, in C): XPath finds them in document order without a Python step per element.
_PRUNE_CANDIDATES = etree.XPath("descendant::*[@class or @id or @role or @hidden or @style or @aria-hidden]")


def prune(root: etree._Element) -> int:
    """Remove chrome from a copy of the page (in place). Returns the characters of the
    page's paragraph prose (paragraphs of at least 25 characters, under 30% link text),
    measured on the way before anything is removed."""
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    # Measured on the whole page, chrome included: the share of the page's paragraph
    # text an element holds decides whether an unlikely name may remove it.
    paragraph_chars = {p: text_len(p) for p in root.iter("p")}
    page_text = sum(paragraph_chars.values()) or 1
    prose = sum(n for p, n in paragraph_chars.items()
                if n >= 25 and sum(text_len(a) for a in p.iter("a")) < 0.3 * n)
    # Chrome goes first, whatever it holds (its tail text stays, as with drop_tree):
    # stripping in C is far cheaper than testing each of its elements.
    etree.strip_elements(root, *_CHROME_TAGS, with_tail=False)
    doomed = []
    for el in _PRUNE_CANDIDATES(root):
        if is_hidden(el) or el.get("role") in _ROLES:
            doomed.append(el)
        elif (el.tag not in ("body", "a", "article", "main") and looks_unlikely(el)
              and not _paywalled_paragraph(el)
              and not _holds_article(el, page_text, paragraph_chars)):
            doomed.append(el)
    for el in doomed:
        _drop(el)
    return prose


def _paywalled_paragraph(el: etree._Element) -> bool:
    """A paragraph marked "paywall" is story text a metered site will blur, not a box."""
    return el.tag == "p" and "paywall" in (el.get("class") or "").lower()


def _holds_article(el: etree._Element, page_text: int, paragraph_chars: dict) -> bool:
    """Layout wrappers ("sticky sidebar" plugins, "pageRow" grids) can wrap the article
    itself: an unlikely name never removes most of the page's paragraph text."""
    if any(True for _ in el.iter("article", "main", "h1")):
        return True
    return sum(paragraph_chars.get(p, 0) for p in el.iter("p")) > 0.4 * page_text


def looks_unlikely(el: etree._Element) -> bool:
    cls, id_ = el.get("class"), el.get("id")
    if not cls and not id_:
        return False  # most elements: skip the long pattern
    return _unlikely_names(f"{cls or ''} {id_ or ''}")


@functools.lru_cache(maxsize=8192)
def _unlikely_names(names: str) -> bool:
    # Cached: a page repeats the same class strings on every card and list item.
    names = names.lower()  # lower-cased once: patterns without re.I run several times faster
    return bool(_UNLIKELY_CASED.search(names)) and not _MAYBE_CASED.search(names)


def is_hidden(el: etree._Element) -> bool:
    # aria-hidden on a paragraph is how metered paywalls mark the text they will blur:
    # the words are the story's; on other elements it marks decoration.
    return (el.get("hidden") is not None or (el.get("aria-hidden") == "true" and el.tag != "p")
            or bool(_HIDDEN_STYLE.search(el.get("style") or "")))


def clean_content(root: etree._Element, keep_share: float = 0.5) -> None:
    """Drop widgets inside the chosen content (in place). An element holding more than
    `keep_share` of the content's text is never a widget, whatever its name says."""
    with lengths_remembered():
        doomed = _widgets(root, keep_share)
    for el in doomed:
        _drop(el)


def _widgets(root: etree._Element, keep_share: float) -> list[etree._Element]:
    total = max(1, text_len(root))
    doomed = []
    for el in root.iter():
        if el is root or not isinstance(el.tag, str):
            continue
        if el.tag in _DROP_IN_CONTENT and not _has_quote(el):
            doomed.append(el)
        elif _is_widget(el) and text_len(el) <= keep_share * total and not _holds_quote(el):
            doomed.append(el)
        elif el.tag in ("ul", "ol", "div", "section", "table") and _link_heavy(el):
            doomed.append(el)
        elif el.tag in ("p", "li", "h2", "h3", "h4") and _all_link(el):
            doomed.append(el)  # a paragraph that is one link is a teaser for another story
        elif _EMBED.search(el.get("class") or ""):
            doomed.append(el)
        elif len(el) <= 1 and _AD_LABEL.match(el.text_content()):
            doomed.append(el)  # an ad slot's label, left behind by the ad blocker
        elif el.tag == "p" and _image_with_caption(el):
            doomed.append(el)
        elif el.tag in ("p", "li", "div") and _label_then_link(el):
            doomed.append(el)  # "Read also: <a>Other story</a>"
        elif el.tag in ("div", "section", "aside") and _signup_box(el):
            doomed.append(el)
    doomed.extend(p for p in _last_paragraphs(root) if _follow_us(p) or _author_note(p))
    doomed.extend(_subscription_prompts(root))
    return doomed


_SOCIAL_HOSTS = re.compile(
    r"^(?:[\w-]+\.)?(?:facebook\.com|twitter\.com|x\.com|instagram\.com|youtube\.com|tiktok\.com|"
    r"t\.me|whatsapp\.com|linkedin\.com|threads\.net|bsky\.app|news\.google\.com)$", re.I)
_TRAILING_PARAGRAPHS = 3


def _last_paragraphs(root: etree._Element) -> list[etree._Element]:
    paragraphs = [p for p in root.iter("p") if text_len(p)]
    return paragraphs[-_TRAILING_PARAGRAPHS:]


def _follow_us(p: etree._Element) -> bool:
    """"Follow us on Instagram, Facebook and YouTube" under the story: a short paragraph
    linking to the outlet's own social accounts (a profile, not a post the story cites)."""
    if text_len(p) > 300:
        return False
    for a in p.iter("a"):
        parts = urlsplit(a.get("href") or "")
        segments = [s for s in parts.path.split("/") if s]
        host = parts.hostname or ""
        if _SOCIAL_HOSTS.match(host) and (len(segments) <= 1 or host.startswith("news.google.")):
            return True
    return False


# "The writer teaches statistics at ...", "The author is a lawyer": the op-ed's note on
# its writer, set in italics under the text.
_AUTHOR_NOTE = re.compile(r"^[\s\-–—]*(?:the\s+)?(?:writer|author|columnist|contributor)s?\s+(?:is|are|was|teaches|"
                          r"works|writes|heads|leads|has|directs|researches|covers)\b", re.I)


def _author_note(p: etree._Element) -> bool:
    total = text_len(p)
    styled = sum(text_len(c) for c in p.iter("em", "i"))
    return 0 < total <= 300 and styled >= 0.9 * total and bool(_AUTHOR_NOTE.match(p.text_content()))


# What a page shows where a subscriber's text would go on: "Subscribe to continue
# reading", "Membership Required", "You must be a member to read the rest".
_PROMPT = re.compile(
    r"\b(?:subscribe|sign\s+up|log\s*in|sign\s+in|register|become\s+a\s+(?:member|subscriber))\s+"
    r"(?:now\s+)?(?:to|and)\s+(?:continue|keep|read|unlock|get\s+(?:full|unlimited))|"
    r"\bto\s+(?:continue|keep)\s+reading\b|\bread\s+the\s+rest\s+of\s+th|\bmembership\s+required\b|"
    r"\b(?:already\s+a\s+(?:subscriber|member)|for\s+subscribers\s+only|subscribers?[-\s]only|members?[-\s]only)\b|"
    r"\bthis\s+(?:article|story|content|post)\s+is\s+(?:only\s+)?(?:available|reserved|for)\b", re.I)
_PROMPT_BOX = 600  # characters: a prompt card, not a section of the story


def _subscription_prompts(root: etree._Element) -> list[etree._Element]:
    """The last blocks of a truncated story that ask the reader to pay or log in, with
    the small box holding them (its heading and buttons)."""
    blocks = [el for el in root.iter("p", "h2", "h3", "h4", "div") if text_len(el)
              and (el.tag != "div" or (el.text or "").strip())]
    found = []
    for el in blocks[-4:]:
        if text_len(el) > 400 or not _PROMPT.search(el.text_content()):
            continue
        box = el
        for ancestor in el.iterancestors():
            if ancestor is root or text_len(ancestor) > _PROMPT_BOX:
                break
            box = ancestor
        found.append(box)
    return found


def _is_widget(el: etree._Element) -> bool:
    names = f"{el.get('class') or ''} {el.get('id') or ''}".strip()
    if not names:
        return False
    return _widget_names(names, el.tag in ("p", "a", "span", "em", "strong", "b", "i"))


@functools.lru_cache(maxsize=8192)
def _widget_names(names: str, inline: bool) -> bool:
    names = _CAMEL.sub(" ", names).lower()
    if inline:
        # Inline and paragraph elements name their look, not their role; only a caption
        # says what it is ("newsCaption", "image-credit").
        return bool(_CAPTION_CASED.search(names))
    return bool(_WIDGET_CASED.search(names))


def _link_heavy(el: etree._Element) -> bool:
    """Lists of links (related stories, topic lists) inside the article body."""
    total = text_len(el)
    if not total:
        return False
    linked = sum(text_len(a) for a in el.iter("a"))
    return linked / total > 0.5 and total < 1500


def _all_link(el: etree._Element) -> bool:
    total = text_len(el)
    return 0 < total < 300 and sum(text_len(a) for a in el.iter("a")) >= 0.9 * total


def _label_then_link(el: etree._Element) -> bool:
    """A short paragraph that is a label ("Les også:", "Lesen Sie auch:") and a link."""
    total = text_len(el)
    if not 0 < total < 300:
        return False
    linked = sum(text_len(a) for a in el.iter("a"))
    label = " ".join(el.text_content().split())[:total - linked].strip() if linked else ""
    return linked >= 0.6 * total and 0 < len(label) <= 30 and label.endswith((":", "|", "»", ">"))


def _signup_box(el: etree._Element) -> bool:
    """Newsletter and sign-up boxes: a form with a few lines of pitch around it, or a
    region whose accessible name says what it is."""
    label = el.get("aria-label") or ""
    if _WIDGET.search(label.replace(" ", "-")):
        return True
    return text_len(el) < 400 and next(el.iter("form"), None) is not None


def _image_with_caption(p: etree._Element) -> bool:
    """`<p><img><br><em>Caption</em></p>`: an image with its caption, the editor's way."""
    if p.find(".//img") is None or (p.text or "").strip():
        return False
    total = text_len(p)
    styled = sum(text_len(c) for c in p.iter("em", "i", "small", "figcaption"))
    own_tails = any((c.tail or "").strip() for c in p)
    return 0 < total <= 200 and styled >= total and not own_tails


def _holds_quote(el: etree._Element) -> bool:
    """Embed wrappers ("video-container") also hold quoted posts: a quotation is text."""
    return el.tag == "div" and next(el.iter("blockquote"), None) is not None


def _has_quote(el: etree._Element) -> bool:
    return el.tag == "figure" and el.find(".//blockquote") is not None


_MEMO = threading.local()


@contextmanager
def lengths_remembered() -> Iterator[None]:
    """For a stretch of work that changes no element (widgets looked for before any is
    dropped; a pruned copy scored): nested blocks ask for the same elements' lengths again
    and again, so `text_len` remembers them per element until the stretch ends."""
    saved = getattr(_MEMO, "lengths", None)
    _MEMO.lengths = {}
    try:
        yield
    finally:
        _MEMO.lengths = saved


def text_len(el: etree._Element) -> int:
    """The element's text length, spaces collapsed."""
    lengths = getattr(_MEMO, "lengths", None)
    if lengths is None:
        return len(" ".join(el.text_content().split()))
    length = lengths.get(el)
    if length is None:
        length = lengths[el] = len(" ".join(el.text_content().split()))
    return length


def _drop(el: etree._Element) -> None:
    """Remove an element but keep its tail text (it belongs to the parent)."""
    if el.getparent() is not None:
        el.drop_tree()
