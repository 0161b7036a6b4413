"""Tags the page shows its readers: `rel="tag"` links and the links of a block named like a
tag or topic list ("Tags: A, B", "Topics"), outside page chrome and teaser blocks.

Keyword meta fields (`keywords`, `news_keywords`, JSON-LD `keywords`) are often SEO phrases
or a single "focus keyword", not the tags; `article:tag` and friends sometimes carry CMS
taxonomy. What the page shows under the article decides between them (`choose`)."""

from __future__ import annotations

import re

from lxml import etree
from lxml.cssselect import CSSSelector

from drmcrawl.extract.document import Document
from drmcrawl.extract.markup import FOREIGN_NAMES, OWN_NAMES, names, text

_REL_TAG = CSSSelector("a[rel~='tag']:not([rel~='category'])")  # WordPress: rel="category tag" is a category
# A class/id word that ends in a tag-list word ("tags", "post-tags", "b-tag-list",
# "tags_v2"), not one that starts with it: WordPress puts "tag-<slug>" on the whole post.
_TAG_LIST = re.compile(r"(?:^|[-_])(?:tags?|tag-?list|topics?|keywords|schlagw\w*|themen|"
                       r"stichw\w*|etiquetas|mots-?cles)(?:[-_](?:v?\d+|wrap\w*|container|box|block|links?|list))?$",
                       re.I)
_MAX_TAGS = 25
_NAMED = etree.XPath("//*[@class or @id]")
_HASH = re.compile(r"^#\s*")


def rel_tags(doc: Document, strict: bool = False) -> list[str]:
    """`rel="tag"` link texts; `strict`: only those outside chrome and teaser blocks (a
    sidebar tag cloud is the site's, not the article's)."""
    links = [a for a in _REL_TAG(doc.tree) if not strict or not _elsewhere(a)]
    return list(dict.fromkeys(t for t in (clean(text(a)) for a in links) if t))


def tag_list(doc: Document) -> list[str]:
    """The links inside the first element named like a tag/topic list, outside page chrome."""
    for el in _NAMED(doc.tree):  # libxml2 finds the few elements with a class or id
        if el.tag in ("body", "html", "a", "meta"):
            continue
        if not any(_TAG_LIST.search(word) for word in names(el).split()) or _elsewhere(el):
            continue
        links = list(el.iter("a"))
        if len(links) > _MAX_TAGS or links and len("".join(text(a) for a in links)) < len(text(el)) / 2:
            continue  # a tag list is mostly its links, and short
        texts = [clean(text(a)) for a in links]
        texts = [t for t in texts if t and len(t) <= 50 and not t.endswith(":")]
        if texts:
            return list(dict.fromkeys(texts))
    return []


def visible_tags(doc: Document) -> tuple[str, list[str]]:
    """(source, tags) the page shows with the article; ("", []) when it shows none."""
    found = rel_tags(doc, strict=True)
    if found:
        return "dom.rel_tag", found
    found = tag_list(doc)
    return ("dom.tag_list", found) if found else ("", [])


def choose(candidates: list[tuple[str, list[str]]], shown: list[str]) -> int | None:
    """Of the meta fields' tag lists (in order of trust), the one that agrees best with the
    tags the page shows; None when none shares a tag with them (the shown ones are the
    tags then). Ties keep the order of trust."""
    want = {t.casefold() for t in shown}
    best, best_score = None, 0.0
    for index, (_, names_) in enumerate(candidates):
        got = {n.casefold() for n in names_}
        # "Gaza398", "Oberfranken 12204": shown tags may carry counts or a prefix.
        overlap = sum(any(_same(w, g) for g in got) for w in want)
        if not overlap:
            continue
        score = 2 * overlap / (len(got) + len(want))
        if score > best_score:
            best, best_score = index, score
    return best


def _same(shown: str, meta: str) -> bool:
    """Equal, or the shown tag is the meta one with a count after it."""
    return shown == meta or shown.startswith(meta) and shown[len(meta):].strip(" ()").isdigit()


def _elsewhere(el) -> bool:
    """In page chrome or a block about other stories; an article's own <footer> (where
    themes put its tags) is the article's."""
    ancestors = list(el.iterancestors())
    in_article = any(a.tag == "article" for a in ancestors)
    for ancestor in ancestors:
        if ancestor.tag == "article":
            return False
        if ancestor.tag in ("nav", "aside", "script", "noscript", "template"):
            return True
        if ancestor.tag == "footer" and not in_article:
            return True
        words = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if words.strip() and FOREIGN_NAMES.search(words) and not OWN_NAMES.search(words):
            return True
    return False


def clean(value: str) -> str:
    """"#Budget" -> "Budget"; trailing list commas go."""
    return _HASH.sub("", value).strip().rstrip(",;").strip()
