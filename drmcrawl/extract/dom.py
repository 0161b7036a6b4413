"""DOM heuristics: the on-page headline (before structured data, see `fill_headline`),
and the last layer for pages without a profile or structured data."""

from __future__ import annotations

import re
from datetime import tzinfo

from lxml import etree
from lxml.cssselect import CSSSelector

from drmcrawl.extract.article_body import fill_body
from drmcrawl.extract.authors import clean_authors
from drmcrawl.extract.dates import parse_date
from drmcrawl.extract.document import Document
from drmcrawl.extract.model import Article, Term
from drmcrawl.extract.structured import site_names

_H1 = CSSSelector("h1")
_TIME = CSSSelector("time[datetime], [itemprop~='datePublished'][datetime], "
                    "[itemprop~='datePublished'][content]")
_REL_TAG = CSSSelector("a[rel~='tag']:not([rel~='category'])")  # WordPress: rel="category tag" is a category
_REL_AUTHOR = CSSSelector("a[rel~='author'], [itemprop~='author'] [itemprop~='name'], "
                          "[itemprop~='author'] a")
# Byline containers by the class/id words templates use for them.
_BYLINE = re.compile(r"(?:^|[-_ ])(?:byline\w*|author\w*|autor\w*|writer|credits?)(?=$|[-_ ])", re.I)
_TAG_LIST = re.compile(r"(?:^|[-_ ])(?:tags?|tag-?list|topics?|keywords|schlagw\w*|themen|"
                       r"stichw\w*|etiquetas|mots-?cles)(?=$|[-_ ])", re.I)
_CHROME = frozenset({"nav", "footer", "aside", "script", "noscript", "template"})
_FOREIGN = re.compile(r"related|recommend|teaser|sidebar|comment|footer|nav|menu|promo|more", re.I)
_WORD = re.compile(r"\w+")
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:/|-|$)")


def fill_headline(doc: Document, article: Article) -> None:
    """The on-page headline beats og:title / <title>, which carry site suffixes and SEO
    variants (JSON-LD `headline` is filled before this and measured better than h1). An
    h1 is trusted when it shares most words with one of those titles (a logo h1 does not);
    the best-matching h1 wins."""
    titles = _structured_titles(doc)
    if not titles:
        return
    best, best_score = None, 0.5
    for h1 in _H1(doc.tree):
        text = " ".join(h1.text_content().split())
        if len(text) < 8 or _in_chrome(h1):
            continue
        words = set(_WORD.findall(text.casefold()))
        score = max(len(words & t) / len(words | t) for t in titles)
        if score > best_score:
            best, best_score = text, score
    article.set("title", best, "dom.h1")


def _structured_titles(doc: Document) -> list[set[str]]:
    node = doc.jsonld_article or {}
    values = [node.get("headline")] + [v for k in ("og:title", "twitter:title") for v in doc.meta.get(k, [])]
    title = doc.tree.find(".//title")
    if title is not None:
        values.append(title.text_content())
    return [set(_WORD.findall(v.casefold())) for v in values if isinstance(v, str) and v.strip()]


def fill_from_dom(doc: Document, article: Article, zone: tzinfo | None) -> None:
    tree = doc.tree
    headings = [" ".join(h.text_content().split()) for h in _H1(tree) if not _in_chrome(h)]
    article.set("title", next((h for h in headings if h), None), "dom.h1")
    # Each heuristic walks the tree: run it only for fields still open (the profile
    # path must stay fast).
    sites = site_names(doc)
    if not article.authors or _replaceable(article, sites):
        _fill_authors(doc, article, sites)
    if not article.published:
        for el in _TIME(tree):
            value = el.get("datetime") or el.get("content")
            if article.set("published", parse_date(value, zone), "dom.time"):
                break
    if not article.tags:
        tags = [" ".join(a.text_content().split()) for a in _REL_TAG(tree)]
        article.set("tags", [Term(t) for t in dict.fromkeys(t for t in tags if t)], "dom.rel_tag")
        article.set("tags", [Term(t) for t in _tag_list(doc)], "dom.tag_list")
    if doc.html_lang:
        article.set("language", doc.html_lang, "dom.html_lang")
    canonical = doc.link_href("canonical")
    article.set("canonical_url", canonical, "dom.link_canonical")
    fill_body(doc, article)
    if not article.published:
        article.set("published", _url_date(doc.url, zone), "url.date")


def _fill_authors(doc: Document, article: Article, sites: tuple[str, ...]) -> None:
    """Byline links/elements. A structured author that is only the publisher's name
    gives way to a person named in the byline."""
    found = clean_authors([_text(a) for a in _REL_AUTHOR(doc.tree) if not _foreign(a)], sites)
    if not found:
        found = clean_authors(_byline_texts(doc), sites)
    if not found:
        return
    if article.authors and _replaceable(article, sites):
        article.authors = []
    article.set("authors", found, "dom.byline")


def _byline_texts(doc: Document) -> list[str]:
    for el in doc.tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("body", "html", "meta", "img"):
            continue
        names = f"{el.get('class') or ''} {el.get('id') or ''}"
        if not _BYLINE.search(names) or _foreign(el):
            continue
        links = [_text(a) for a in el.iter("a") if _text(a)]
        text = _text(el)
        if links and len(" ".join(links)) >= 0.5 * len(text):
            return links
        if 3 <= len(text) <= 80:
            return [text]
    return []


def _replaceable(article: Article, sites: tuple[str, ...]) -> bool:
    """Structured authors naming only the publisher (or one-word desks). A profile's
    authors are never second-guessed."""
    if not article.sources.get("authors", "").startswith(("jsonld.", "meta.")):
        return False
    keys = {re.sub(r"\W+", "", s.casefold()) for s in sites}
    return all(re.sub(r"\W+", "", a.casefold()) in keys or " " not in a for a in article.authors)


def _tag_list(doc: Document) -> list[str]:
    """Links inside an element named like a tag/topic list, outside page chrome."""
    for el in doc.tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("body", "html", "a", "meta"):
            continue
        names = f"{el.get('class') or ''} {el.get('id') or ''}"
        if not _TAG_LIST.search(names) or _foreign(el) or _in_chrome(el):
            continue
        texts = [_text(a) for a in el.iter("a")]
        texts = [t for t in texts if t and len(t) <= 50 and not t.endswith(":")]
        if texts:
            return list(dict.fromkeys(texts))
    return []


def _url_date(url: str, zone: tzinfo | None):
    """Last resort: /2024/05/06/ in the URL (a day, no time of day)."""
    match = _URL_DATE.search(url or "")
    return parse_date("-".join(match.groups()), zone) if match else None


def _text(el: etree._Element) -> str:
    return " ".join(el.text_content().split())


def _in_chrome(el: etree._Element) -> bool:
    return any(a.tag in _CHROME for a in el.iterancestors())


def _foreign(el: etree._Element) -> bool:
    """Inside a block about other stories (teasers, related lists, comments)."""
    for ancestor in el.iterancestors():
        if ancestor.tag in ("nav", "footer", "aside"):
            return True
        names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if names.strip() and _FOREIGN.search(names) and not re.search(r"article|content|main|post", names, re.I):
            return True
    return False
