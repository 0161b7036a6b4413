"""Last-resort layers from well-kept general extractors, asked only when the page's own
layers gave a weak answer or none: trafilatura for the body (see `article_body.py`),
htmldate for the publication day (see `dom.py`).

It is imported on first use, so pages that never need it (the profile path, pages whose
own detection is confident) pay nothing for it, and a missing install only disables the
layer."""

from __future__ import annotations

import functools
import logging
import re

from lxml import etree

SOURCE = "fallback.trafilatura"
DATE_SOURCE = "htmldate"
_BLANK_LINES = re.compile(r"\n\s*\n+")


def fallback_body(tree: etree._Element, url: str) -> str | None:
    """The article text trafilatura finds on the page, blocks separated by blank lines,
    or None when it finds nothing (or is not installed)."""
    extractor = _trafilatura()
    if extractor is None:
        return None
    try:
        # The page's tree is shared: trafilatura (2.3) and htmldate (1.11) clean a copy
        # of a tree they are given, never the tree itself, so no copy is made here.
        text = extractor(tree, url=url, include_comments=False, include_tables=True,
                         with_metadata=False, deduplicate=False)
    except Exception:  # a third-party failure must not cost the article
        logging.getLogger(__name__).debug("trafilatura failed on %s", url, exc_info=True)
        return None
    if not text:
        return None
    blocks = (" ".join(line.split()) for line in text.splitlines())
    return "\n\n".join(block for block in blocks if block) or None


def fallback_date(tree: etree._Element, url: str) -> str | None:
    """The publication day htmldate finds (ISO "YYYY-MM-DD"), from the same signals
    as the layers before it plus date patterns anywhere in the page, or None."""
    finder = _htmldate()
    if finder is None:
        return None
    try:
        return finder(tree, url=url, original_date=True, extensive_search=True)
    except Exception:  # a third-party failure must not cost the article
        logging.getLogger(__name__).debug("htmldate failed on %s", url, exc_info=True)
        return None


@functools.cache
def _htmldate():
    try:
        from htmldate import find_date
    except ImportError:
        return None
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    return find_date


@functools.cache
def _trafilatura():
    try:
        import trafilatura
    except ImportError:
        return None
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    return trafilatura.extract
