"""Records shared by tests of several rooms: a sample article, and the crawl's stored
records compared with the fixture site's expected JSON."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from conftest import expected_articles

from drmcrawl.model import Article, Term
from drmcrawl.storage import Archive

PKT = timezone(timedelta(hours=5))

COMPARED = ("canonical_url", "post_id", "title", "authors", "published", "modified", "tags", "tag_slugs",
            "categories", "category_slugs", "description", "body", "image_url", "image_caption", "language")


def make_article(**changes) -> Article:
    article = Article(
        url="http://127.0.0.1:8000/story", canonical_url="https://digitalrightsmonitor.pk/story",
        post_id=11290, site="drm", title="TikTok unveils measures", authors=["DRM", "Usman Shahid"],
        published=datetime(2024, 1, 24, 12, 5, tzinfo=PKT), modified=datetime(2024, 1, 25, 9, 0, tzinfo=PKT),
        tags=[Term("Pakistan", "pakistan"), Term("Tiktok", "tiktok")],
        categories=[Term("DRM Exclusive", "drm-exclusive"), Term("News", "news"), Term("News", "in-media-news")],
        description="d", body="One.\n\nTwo.", body_html="<p>One.</p><p>Two.</p>", image_url="https://x/a.jpg",
        image_caption="Photo: DRM Archives", language="en", word_count=2, sources={"title": "profile.drm"},
    )
    return dataclasses.replace(article, **changes)


def stored(db) -> dict[int, dict]:
    archive = Archive(db)
    try:
        return {r["post_id"]: r for r in archive.iter_records()}
    finally:
        archive.close()


def assert_matches_expected(records: dict[int, dict]) -> None:
    expected = {e["post_id"]: e for e in expected_articles().values()}
    assert sorted(records) == sorted(expected)
    for post_id, want in expected.items():
        got = records[post_id]
        assert {k: got[k] for k in COMPARED} == {k: want[k] for k in COMPARED}, want["url"]
