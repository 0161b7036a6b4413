"""DOM heuristics: the last layer, for pages without a profile or structured data."""

from __future__ import annotations

from datetime import tzinfo

from lxml import etree
from lxml.cssselect import CSSSelector

from drmcrawl.extract.body import body_html, body_text, clean_copy, word_count
from drmcrawl.extract.dates import parse_date
from drmcrawl.extract.document import Document
from drmcrawl.extract.model import Article, Term

_H1 = CSSSelector("h1")
_TIME = CSSSelector("time[datetime]")
_REL_TAG = CSSSelector("a[rel~='tag']")
_REL_AUTHOR = CSSSelector("a[rel~='author'], [itemprop='author'] [itemprop='name'], .byline a")
_PARAGRAPH_PARENTS = etree.XPath("//p/..")
_BOILERPLATE = CSSSelector(
    "nav, header, footer, aside, [role='navigation'], [role='complementary'], "
    ".share, .social, .related, .comments, #comments, .newsletter, .advertisement, .ad"
)
_MIN_BODY_WORDS = 30


def fill_from_dom(doc: Document, article: Article, zone: tzinfo | None) -> None:
    tree = doc.tree
    headings = [" ".join(h.text_content().split()) for h in _H1(tree)]
    article.set("title", next((h for h in headings if h), None), "dom.h1")
    authors = [" ".join(a.text_content().split()) for a in _REL_AUTHOR(tree)]
    article.set("authors", list(dict.fromkeys(a for a in authors if a)), "dom.rel_author")
    for el in _TIME(tree):
        if article.set("published", parse_date(el.get("datetime"), zone), "dom.time"):
            break
    tags = [" ".join(a.text_content().split()) for a in _REL_TAG(tree)]
    article.set("tags", [Term(t) for t in dict.fromkeys(t for t in tags if t)], "dom.rel_tag")
    if doc.html_lang:
        article.set("language", doc.html_lang, "dom.html_lang")
    canonical = doc.link_href("canonical")
    article.set("canonical_url", canonical, "dom.link_canonical")
    _fill_body(doc, article)


def _fill_body(doc: Document, article: Article) -> None:
    """The element holding the most paragraph text, with obvious boilerplate removed."""
    if article.body:
        return
    best, best_words = None, 0
    for parent in _PARAGRAPH_PARENTS(doc.tree):
        words = sum(word_count(p.text_content()) for p in parent.findall("p"))
        if words > best_words:
            best, best_words = parent, words
    if best is None or best_words < _MIN_BODY_WORDS:
        return
    cleaned = clean_copy(best, _BOILERPLATE)
    article.set("body", body_text(cleaned), "dom.densest_paragraphs")
    article.set("body_html", body_html(cleaned), "dom.densest_paragraphs")
