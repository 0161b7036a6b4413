"""Structured-data layers: JSON-LD (schema.org) and meta tags (OpenGraph, article:*,
Dublin Core, name=author). Each fills only fields still empty."""

from __future__ import annotations

import re
from datetime import tzinfo
from html import unescape

from drmcrawl.extract.dates import parse_date
from drmcrawl.extract.document import Document
from drmcrawl.extract.model import Article, Term

_COMMA_LIST = re.compile(r"\s*[,;]\s*")


def fill_from_jsonld(doc: Document, article: Article, zone: tzinfo | None) -> None:
    node = doc.jsonld_article
    if node is None:
        return
    src = "jsonld."
    article.set("title", _text(node.get("headline")), src + "headline")
    article.set("authors", _person_names(doc, node.get("author")), src + "author")
    article.set("published", parse_date(node.get("datePublished"), zone), src + "datePublished")
    article.set("modified", parse_date(node.get("dateModified"), zone), src + "dateModified")
    article.set("tags", [Term(n) for n in _names_list(node.get("keywords"))], src + "keywords")
    article.set(
        "categories",
        [Term(n) for n in _names_list(node.get("articleSection"))],
        src + "articleSection",
    )
    article.set("description", _text(node.get("description")), src + "description")
    article.set("language", _text(node.get("inLanguage")), src + "inLanguage")
    image = doc.resolve(_first(node.get("image")))
    article.set("image_url", _image_url(image), src + "image")
    if isinstance(image, dict):
        article.set("image_caption", _text(image.get("caption")), src + "image.caption")
    page = doc.resolve(node.get("mainEntityOfPage"))
    if isinstance(page, dict):
        article.set("canonical_url", _text(page.get("url") or page.get("@id")), src + "mainEntityOfPage")


def fill_from_meta(doc: Document, article: Article, zone: tzinfo | None) -> None:
    def first(field: str, *keys: str, convert=lambda v: v) -> None:
        hit = doc.meta_first(*keys)
        if hit:
            article.set(field, convert(hit[1]), "meta." + hit[0])

    first("title", "og:title", "twitter:title", "dc.title")
    first("published", "article:published_time", "dc.date.issued", "dc.date", "date",
          convert=lambda v: parse_date(v, zone))
    first("modified", "article:modified_time", "og:updated_time", convert=lambda v: parse_date(v, zone))
    first("description", "description", "og:description", "twitter:description")
    first("image_url", "og:image", "og:image:url", "twitter:image")
    first("language", "og:locale", "dc.language")
    first("canonical_url", "og:url")
    for key in ("author", "article:author", "dc.creator", "twitter:data1"):
        names = [n for n in doc.meta.get(key, []) if not n.startswith("http")]
        if article.set("authors", names, "meta." + key):
            break
    tags = [Term(n) for v in doc.meta.get("article:tag", []) for n in _names_list(v)]
    article.set("tags", tags, "meta.article:tag")
    sections = [Term(n) for v in doc.meta.get("article:section", []) for n in _names_list(v)]
    article.set("categories", sections, "meta.article:section")


def _text(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return None
    # Entities survive inside JSON strings on WordPress sites ("&#8217;").
    return " ".join(unescape(value).split()) or None


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) and value else value


def _image_url(image: object) -> str | None:
    if isinstance(image, str):
        return image
    if isinstance(image, dict):
        return _text(image.get("url") or image.get("contentUrl"))
    return None


def _names_list(value: object) -> list[str]:
    """Arrays stay arrays; comma-joined strings (old Yoast) are split."""
    if isinstance(value, str):
        items = _COMMA_LIST.split(value)
    elif isinstance(value, list):
        items = [v for v in value if isinstance(v, str)]
    else:
        return []
    return _dedupe(_text(i) for i in items)


def _person_names(doc: Document, value: object) -> list[str]:
    people = value if isinstance(value, list) else [value]
    names = []
    for person in people:
        person = doc.resolve(person)
        if isinstance(person, dict):
            names.append(_text(person.get("name")))
        elif isinstance(person, str) and not person.startswith("http"):
            names.append(_text(person))
    return _dedupe(names)


def _dedupe(values) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v and v.casefold() not in {s.casefold() for s in seen}:
            seen[v] = None
    return list(seen)
