"""Authors from the page itself, for pages whose structured data names nobody or only
the publisher: `rel=author` links, elements named like bylines, and short "By ..." lines
near the headline."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree
from lxml.cssselect import CSSSelector

from drmcrawl.extract.authors import clean_authors, looks_like_names, looks_like_organisation, split_names
from drmcrawl.extract.document import Document
from drmcrawl.extract.markup import foreign, in_chrome, in_link, names, text
from drmcrawl.model import Article

_H1 = CSSSelector("h1")
_REL_AUTHOR = CSSSelector("a[rel~='author'], [itemprop~='author'] [itemprop~='name'], "
                          "[itemprop~='author'] a")
# Byline containers by the class/id words templates use for them.
_BYLINE = re.compile(r"(?:^|[-_ ])(?:byline\w*|author\w*|autor\w*|writer|credits?)(?=$|[-_ ])", re.I)
_BY_WORD = re.compile(r"^\s*(?:by|von|par|por|door|av|af|przez|от|di)(?:\s*:\s*|\s+|$)", re.I)
_BY_TAGS = frozenset({"p", "div", "span", "li", "address", "small", "em", "strong"})
_BEFORE_HEADLINE, _AFTER_HEADLINE = 60, 400
_EDGE_FIRST, _EDGE_LAST = 3, 2


def fill_authors(doc: Document, article: Article, sites: tuple[str, ...]) -> None:
    """Byline links/elements. A structured author that is only the publisher's name
    gives way to a person named in the byline."""
    found = clean_authors(_rel_author_texts(doc), sites)
    window = [] if found else headline_window(doc, article.title)
    for candidates in (_byline_texts(window), _by_prefixed_texts(window)):
        if found:
            break
        found = next((people for texts in candidates
                      if (people := clean_authors(texts, sites)) and looks_like_names(people)), [])
    if not found:
        return
    if article.authors and replaceable(article, sites):
        article.authors = []
    article.set("authors", found, "dom.byline")


def add_coauthors(doc: Document, article: Article, sites: tuple[str, ...]) -> None:
    """Structured data often names only the first of several writers (SEO plugins take
    the post's author, not its co-authors); a byline whose linked names include all the
    structured ones, and more, is the whole credit."""
    source = article.sources.get("authors", "")
    if not source.startswith(("jsonld.", "meta.")) or len(article.authors) > 3:
        return
    found = clean_authors(_rel_author_texts(doc), sites)
    known = {_key(a) for a in article.authors}
    keys = [_key(n) for n in found]
    if len(found) <= len(known) or len(found) > 6 or not known <= set(keys) or not looks_like_names(found):
        return
    article.authors = found
    article.sources["authors"] = "dom.byline (co-authors of " + source + ")"


def _rel_author_texts(doc: Document) -> list[str]:
    """Author link texts outside teasers and comments. A `rel=author` link to the home
    page is the site title's (some themes mark it so on every page), not a credit."""
    found = []
    for a in _REL_AUTHOR(doc.tree):
        if foreign(a) or a.tag == "a" and urlsplit(doc.absolute(a.get("href") or "")).path in ("", "/") \
                and a.get("href") is not None:
            continue
        found.append(text(a))
    return found


def _byline_texts(window: list[etree._Element]):
    """Per element named like a byline, in page order: its link texts when the links are
    most of its text, else its text when short. Callers take the first that reads as
    names (an outer "author box" with dates and reading time gives way to the inner
    element holding the name)."""
    for el in window:
        if el.tag in ("body", "html", "meta", "img", "a"):
            continue
        if not _BYLINE.search(names(el)) or foreign(el):
            continue
        yield _byline_parts(el)


def _by_prefixed_texts(window: list[etree._Element]):
    """Short elements that start with a "By"-word ("By Jane Doe", "von <a>Max</a>").
    When the element holds only the word, its parent holds the name."""
    for el in window:
        if el.tag not in _BY_TAGS or not el.text or not _BY_WORD.match(el.text):
            continue
        if foreign(el) or in_chrome(el):
            continue
        holder = el if len(_BY_WORD.sub("", text(el), count=1)) > 1 else el.getparent()
        if holder is not None and len(text(holder)) <= 100:
            yield _byline_parts(holder)


def headline_window(doc: Document, title: str | None, before: int = _BEFORE_HEADLINE,
                    after: int = _AFTER_HEADLINE, or_page: bool = True) -> list[etree._Element]:
    """Elements around the headline, where bylines sit; teaser cards further down carry
    other stories' bylines. Elements inside links (teaser cards) are left out. Without
    an h1 the whole page is the window (`or_page`), else none."""
    headline = headline_element(doc, title)
    if headline is None and not or_page:
        return []
    elements = [el for el in doc.tree.iter() if isinstance(el.tag, str)]
    if headline is not None:
        at = elements.index(headline)
        elements = elements[max(0, at - before): at + after]
    return [el for el in elements if not in_link(el)]


def headline_element(doc: Document, title: str | None) -> etree._Element | None:
    """The h1 showing the title, else the first h1 outside chrome, else an h2/h3 holding
    the title (templates that keep h1 for the logo)."""
    first = None
    for h1 in _H1(doc.tree):
        if in_chrome(h1):
            continue
        if title and text(h1) == title:
            return h1
        first = first if first is not None else h1
    if first is not None or not title:
        return first
    return next((h for h in doc.tree.iter("h2", "h3") if title in text(h)), None)


# The element holding a byline's lead word ("By", "Words", "Text"), named for it.
_BY_LABEL = re.compile(r"(?:^|[-_])(?:by|by-?label|(?:author|byline)[-_]?(?:by|label|prefix))$", re.I)


def _byline_parts(el: etree._Element) -> list[str]:
    links = [t for a in el.iter("a") if (t := text(a))]
    whole = text(el)
    for label in el.iter():
        if label is not el and isinstance(label.tag, str) and label.tag != "a" \
                and any(_BY_LABEL.search(word) for word in (label.get("class") or "").split()):
            words = text(label)
            if words and whole.startswith(words):
                whole = whole[len(words):].strip()
            break
    if links and len(" ".join(links)) >= 0.5 * len(whole):
        return links
    return [whole] if 3 <= len(whole) <= 80 else []


def replaceable(article: Article, sites: tuple[str, ...]) -> bool:
    """Structured authors naming only the publisher (or one-word desks), or a byline
    naming only the publisher. A profile's authors are never second-guessed."""
    source = article.sources.get("authors", "")
    keys = {_key(s) for s in sites}
    if source == "dom.byline":
        return all(_key(a) in keys for a in article.authors)
    if not source.startswith(("jsonld.", "meta.")):
        return False
    return all(_key(a) in keys or " " not in a or looks_like_organisation(a) for a in article.authors)


def take_edge_byline(content: etree._Element, article: Article, sites: tuple[str, ...]) -> None:
    """Small sites print the byline as a bold paragraph at the top or bottom of the text
    ("<p><strong>Jane Doe/John Roe</strong></p>"). Such a paragraph is removed from the
    content (in place) and gives the authors when the page named none but the publisher."""
    paragraphs = [p for p in content.iter("p") if text(p)]
    for p in paragraphs[:_EDGE_FIRST] + paragraphs[-_EDGE_LAST:]:
        people = _bold_names(p) or _by_names(p)
        if not people:
            continue
        known = {_key(a) for a in article.authors}
        if not article.authors or replaceable(article, sites):
            article.authors = []
            article.set("authors", people, "dom.body_byline")
        elif not known.issuperset(map(_key, people)):
            continue
        p.drop_tree()
        return


def _bold_names(p: etree._Element) -> list[str]:
    """Names when the paragraph is only a bold run of a few capitalised words (not all
    capitals: that is a subheading)."""
    children = [c for c in p if isinstance(c.tag, str)]
    if (p.text or "").strip() or len(children) != 1 or children[0].tag not in ("strong", "b"):
        return []
    whole = text(p)
    if not 3 <= len(whole) <= 60 or (children[0].tail or "").strip() or whole.isupper():
        return []
    people = [n for n in split_names(whole) if n]
    return people if people and looks_like_names(people) and whole[-1] not in ".:!?" else []


def _by_names(p: etree._Element) -> list[str]:
    """Names when the paragraph is a short "By Jane Doe" / "von Max Muster, Eva Ross" line."""
    whole = text(p)
    if len(whole) > 100 or not _BY_WORD.match(whole):
        return []
    people = [n for n in split_names(_BY_WORD.sub("", whole, count=1)) if n]
    return people if people and looks_like_names(people) else []


def _key(name: str) -> str:
    return re.sub(r"\W+", "", name.casefold())
