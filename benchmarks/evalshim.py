"""Adapter for ../shared/eval/evaluate.py: `extract(html, url)` as the dict it expects.

A page that is not an article returns empty fields (the harness counts that as an
empty prediction, not a crash)."""

from __future__ import annotations

import functools
import gzip
import json
import os
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from drmcrawl.extract import NotAnArticle, SiteTemplate, extract


def run(html: str, url: str) -> dict:
    try:
        article = extract(html, url)
    except NotAnArticle:
        return {"title": None, "authors": [], "published": None, "tags": [], "body": ""}
    return _as_dict(article)


def _as_dict(article) -> dict:
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


# -- site templates -------------------------------------------------------------------
# The dataset whose pages are grouped by host to learn each site's template; set by
# benchmarks/extraction.py for the templated run.
DATASET_ENV = "DRMCRAWL_EVAL_DATASET"


def run_templated(html: str, url: str) -> dict:
    """`run`, with the template learned from every dataset page of the same host (as a
    crawler would have them in its archive). Hosts with one page get no template."""
    template = _templates().get(urlsplit(url).hostname or "")
    try:
        article = extract(html, url, template=template)
    except NotAnArticle:
        return {"title": None, "authors": [], "published": None, "tags": [], "body": ""}
    return _as_dict(article)


@functools.cache
def _templates() -> dict[str, SiteTemplate]:
    root = Path(os.environ[DATASET_ENV])
    by_host: dict[str, list[tuple[bytes, str]]] = defaultdict(list)
    for line in (root / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        html = gzip.decompress((root / row["html"]).read_bytes())
        by_host[urlsplit(row["url"]).hostname or ""].append((html, row["url"]))
    return {host: SiteTemplate.learn(pages) for host, pages in sorted(by_host.items()) if len(pages) > 1}
