"""Whether the page shows the whole article: "free", or "paywalled" when it shows only the
free part (a members-only or subscriber article). Evidence: the structured data's
`isAccessibleForFree` (schema.org, as Google asks publishers to mark paywalls; Rank Math
writes the string "False"), then the markup of the paywall plugins and services that put
their prompt into the page."""

from __future__ import annotations

import re

from lxml import etree

from drmcrawl.extract.document import Document
from drmcrawl.model import Article

# Class tokens that name a paywall's prompt or its truncated content.
_PAYWALL_CLASS = re.compile(
    r"(?:^|\s)(?:paywall\S*|pmpro_content_message|regwall\S*|tp-container-inner|piano-\S*|"
    r"subscriber-only|members-only|premium-content-gate|meteredContent|article-locked)(?=\s|$)", re.I | re.M)


def fill_access(doc: Document, article: Article, read_markup: bool = True) -> None:
    """`read_markup`: look for paywall markup too (the generic path; a site profile knows
    its pages' markup and leaves this to the structured data and its own `fill`)."""
    if not article.wants("access"):
        return
    declared = _declared_free(doc)
    if declared is not None:
        article.set("access", "free" if declared else "paywalled", "jsonld.isAccessibleForFree")
        return
    marker = _PAYWALL_CLASS.search("\n".join(_CLASS_VALUES(doc.tree))) if read_markup else None
    if marker is not None:
        article.set("access", "paywalled", f"dom.paywall_marker ({marker.group().strip()[:40]})")
    else:
        article.set("access", "free", "default (no paywall declared" + (" or shown)" if read_markup else ")"))


# Every class attribute's value, collected by libxml2: one regex over them all costs a
# fraction of a Python walk of the elements.
_CLASS_VALUES = etree.XPath("//@class", smart_strings=False)


def _declared_free(doc: Document) -> bool | None:
    """False when any node or part says the page's content is not free; None if none says."""
    found = None
    for node in doc.jsonld_nodes:
        for holder in (node, *_parts(node)):
            value = holder.get("isAccessibleForFree") if isinstance(holder, dict) else None
            if value is None:
                continue
            free = value if isinstance(value, bool) else str(value).strip().lower() not in ("false", "0", "no")
            if not free:
                return False
            found = True
    return found


def _parts(node: dict) -> list:
    parts = node.get("hasPart")
    return parts if isinstance(parts, list) else [parts] if isinstance(parts, dict) else []
