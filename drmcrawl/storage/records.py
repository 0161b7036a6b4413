"""Rows as records, and the archive's clock: conversions every storage module shares."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from drmcrawl.model import RECORD_FIELDS
from drmcrawl.storage.models import Article


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def join_time(utc: datetime | None, offset: int | None) -> datetime | None:
    if utc is None or offset is None:
        return utc
    return utc.replace(tzinfo=timezone.utc).astimezone(timezone(timedelta(minutes=offset)))


def row_record(row: Article) -> dict:
    """The stored article as the same record `Article.to_record()` produced."""
    return record_of(row, [link.author.name for link in row.author_links],
                     [(link.tag.name, link.tag.slug) for link in row.tag_links],
                     [(link.category.name, link.category.slug) for link in row.category_links])


def record_of(row, authors: list[str], tags: list[tuple[str, str]], categories: list[tuple[str, str]]) -> dict:
    """A record from an `articles` row (ORM object or Core row) and its terms in page
    order ((name, slug) pairs; "" slug = none)."""
    published = join_time(row.published_utc, row.published_offset)
    modified = join_time(row.modified_utc, row.modified_offset)
    values = {
        "site": row.site,
        "authors": authors,
        "published": published.isoformat() if published else None,
        "modified": modified.isoformat() if modified else None,
        "tags": [name for name, _ in tags],
        "tag_slugs": [slug or None for _, slug in tags],
        "categories": [name for name, _ in categories],
        "category_slugs": [slug or None for _, slug in categories],
    }
    return {name: values[name] if name in values else getattr(row, name) for name in RECORD_FIELDS}
