"""Site template learning: what a crawler knows that a single-page extractor does not.

Pages of one site share their template: menus, footers, widgets, newsletter boxes, "read
more" teasers. A text block (paragraph, list item, heading, link, table cell, or a div
holding text directly) that appears on many pages of the site is template, not article.
`SiteTemplate.learn` counts, for every block text, on how many pages it appears (once per
page); `strip` removes the elements whose text is template from a page's tree.

Reproducible by construction: the learned set depends only on the multiset of pages (counts
are order-free), and stripping depends only on that set and the page."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from drmcrawl.extract.document import Document

# Elements whose own text is one block; containers are judged by their blocks.
_BLOCK_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd",
               "blockquote", "figcaption", "a", "span", "div", "section", "button", "label")
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title"})
_SPACES = re.compile(r"\s+")
# Blocks shorter than this ("Home", "More") are too common to say anything.
_MIN_CHARS = 12


@dataclass(frozen=True)
class SiteTemplate:
    """Digests of block texts that repeat across a site's pages."""

    blocks: frozenset[str]
    pages: int

    @classmethod
    def learn(cls, pages: Iterable[tuple[str | bytes, str]], share: float = 0.5,
              min_pages: int = 2) -> SiteTemplate:
        """Learn from (html, url) pairs of one site. A block is template when it appears
        on at least `share` of the pages and on `min_pages` pages or more."""
        counts: Counter[str] = Counter()
        total = 0
        for html, url in pages:
            counts.update(page_blocks(Document(html, url).tree))
            total += 1
        needed = max(min_pages, math.ceil(share * total))
        return cls(frozenset(d for d, n in counts.items() if n >= needed), total)

    def __contains__(self, text: str) -> bool:
        return _digest(text) in self.blocks

    def strip(self, root: etree._Element) -> int:
        """Remove template blocks from `root` (in place, e.g. a copy made for scoring).
        Returns how many elements were removed."""
        if not self.blocks:
            return 0
        doomed = [el for el in root.iter(*_BLOCK_TAGS) if _block_digest(el) in self.blocks]
        removed = 0
        for el in doomed:  # page order: an outer block goes first, its inner ones with it
            if _attached(el, root):
                el.drop_tree()
                removed += 1
        return removed


def page_blocks(tree: etree._Element) -> set[str]:
    """Digests of one page's block texts (a set: a page counts once per block)."""
    found = set()
    for el in tree.iter(*_BLOCK_TAGS):
        digest = _block_digest(el)
        if digest is not None:
            found.add(digest)
    return found


def _block_digest(el: etree._Element) -> str | None:
    if any(a.tag in _SKIP for a in el.iterancestors()):
        return None
    text = _SPACES.sub(" ", el.text_content()).strip()
    if len(text) < _MIN_CHARS:
        return None
    return _digest(text)


def _digest(text: str) -> str:
    normal = _SPACES.sub(" ", text).strip().casefold()
    return hashlib.blake2b(normal.encode("utf-8"), digest_size=12).hexdigest()


def _attached(el: etree._Element, root: etree._Element) -> bool:
    return any(a is root for a in el.iterancestors())
