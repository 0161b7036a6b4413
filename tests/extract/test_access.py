"""Paywalled articles: stored as the page shows them, flagged `access: paywalled` (issue 22)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drmcrawl.extract import extract

BODY = "".join(f"<p>Paragraph {n} of the free part of a long analysis of spectrum prices and tariffs.</p>"
               for n in range(6))


def page(jsonld: dict | None = None, extra: str = "") -> str:
    script = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>' if jsonld else ""
    return (f"<html lang='en'><head><title>T</title>{script}</head><body><article><h1>Who pays for the auction</h1>"
            f"{BODY}{extra}</article></body></html>")


@pytest.mark.parametrize("jsonld, extra, access, source", [
    (None, "", "free", "default (no paywall declared or shown)"),
    ({"@type": "NewsArticle", "headline": "x", "isAccessibleForFree": False}, "", "paywalled",
     "jsonld.isAccessibleForFree"),
    ({"@type": "NewsArticle", "headline": "x", "isAccessibleForFree": "False"}, "", "paywalled",
     "jsonld.isAccessibleForFree"),
    ({"@type": "NewsArticle", "headline": "x", "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": "false",
                                                           "cssSelector": ".paywall"}}, "", "paywalled",
     "jsonld.isAccessibleForFree"),
    ({"@type": "NewsArticle", "headline": "x", "isAccessibleForFree": True}, "", "free", "jsonld.isAccessibleForFree"),
    (None, '<div class="pmpro"><div class="pmpro_card pmpro_content_message"><h2>Membership Required</h2></div></div>',
     "paywalled", "dom.paywall_marker (pmpro_content_message)"),
])
def test_access(jsonld, extra, access, source):
    article = extract(page(jsonld, extra), "https://news.example/2024/04/who-pays/")
    assert (article.access, article.sources["access"]) == (access, source)


SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"


@pytest.mark.parametrize("name", ["newspaper", "arc"])
def test_the_fixture_sites_members_only_articles_are_paywalled(name):
    expected = [json.loads(p.read_text(encoding="utf-8")) for p in (SITES / name / "expected").glob("*.json")
                if p.name != "_site.json"]
    origin = json.loads((SITES / name / "expected" / "_site.json").read_text(encoding="utf-8"))["origin"]
    for want in expected:
        path = want["url"][len(origin):].strip("/")
        article = extract((SITES / name / path / "index.html").read_bytes(), want["url"])
        assert article.access == want["access"], want["url"]
