"""Adapter for ../shared/eval/evaluate.py: `extract(html, url)` as the dict it expects.

A page that is not an article returns empty fields (the harness counts that as an
empty prediction, not a crash)."""

from __future__ import annotations

import re

from drmcrawl.extract import NotAnArticle, extract


def run(html: str, url: str) -> dict:
    try:
        article = extract(html, url)
    except NotAnArticle:
        return {"title": None, "authors": [], "published": None, "tags": [], "body": ""}
    return {
        "title": article.title,
        "authors": article.authors,
        "published": article.published.isoformat() if article.published else None,
        "tags": [t.name for t in article.tags],
        "body": article.body or "",
    }


def trafilatura_run(html: str, url: str) -> dict:
    """trafilatura 2.3.1 with its defaults, for side-by-side numbers."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return {}
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    # trafilatura joins authors with "; " and keeps keyword strings whole; split both
    # (this reproduces the reference numbers in ../shared/eval/README.md).
    authors = [a.strip() for a in (d.get("author") or "").split(";") if a.strip()]
    tags = [t.strip() for v in (d.get("tags") or []) for t in re.split(r"[,;]", v) if t.strip()]
    return {"title": d.get("title"), "authors": authors, "published": d.get("date"),
            "tags": tags, "body": d.get("text") or ""}
