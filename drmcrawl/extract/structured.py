"""Structured-data layers: JSON-LD (schema.org) and meta tags (OpenGraph, article:*,
Dublin Core, name=author, parsely/sailthru/cxense). Each fills only fields still empty."""

from __future__ import annotations

import re
from datetime import tzinfo
from html import unescape
from urllib.parse import urlsplit, urlunsplit

from drmcrawl.extract.authors import clean_authors
from drmcrawl.extract.dates import parse_date
from drmcrawl.extract.document import Document, node_types
from drmcrawl.extract.tags import choose, visible_tags
from drmcrawl.extract.titles import agreed_title
from drmcrawl.model import Article, Term

_COMMA_LIST = re.compile(r"\s*[,;]\s*")


# Meta keys in order of trust. Publisher-specific vocabularies (parsely, sailthru,
# cxense) are common across many sites because they come from analytics vendors.
PUBLISHED_KEYS = (
    "article:published_time", "og:article:published_time", "http://ogp.me/ns/article#published_time",
    "datepublished", "parsely-pub-date", "sailthru.date", "cxenseparse:recs:publishtime",
    "cxenseparse:publishtime", "dc.date.issued", "dcterms.created", "prism.publicationdate",
    "pubdate", "publishdate", "publish-date", "pub_date", "date.created", "datecreated",
    "dc.date", "date",
)
MODIFIED_KEYS = ("article:modified_time", "og:updated_time", "http://ogp.me/ns/article#modified_time",
                  "datemodified", "dc.date.modified", "date.modified", "date.updated")
_AUTHOR_KEYS = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                "cxenseparse:author", "og:author", "http://ogp.me/ns/article#author", "byl",
                "dcsext.author", "twitter:data1")
# The editor's keyword meta first: JSON-LD keywords and article:tag often carry CMS
# taxonomy too (wire codes, desk names, ids), and measured worse on real pages.
_KEYWORD_KEYS = ("news_keywords", "keywords")
_TAG_KEYS = ("article:tag", "http://ogp.me/ns/article#tag", "parsely-tags", "sailthru.tags",
             "dc.subject", "og:tags")
_ORG_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation", "WebSite"})


def site_names(doc: Document) -> tuple[str, ...]:
    """Names the site goes by: an author with one of these is the publisher, not a writer."""
    names = list(doc.meta.get("og:site_name", []))
    node = doc.jsonld_article or {}
    publisher = doc.resolve(_first(node.get("publisher")))
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        names.append(publisher["name"])
    labels = [p for p in doc.host.split(".") if p not in ("www", "com", "co", "org", "net", "news")]
    names.extend(labels[:1])
    names.extend(n for n in doc.meta.get("application-name", []))
    return tuple(names)


def fill_from_jsonld(doc: Document, article: Article, zone: tzinfo | None) -> None:
    node = doc.jsonld_article or _any_dated_node(doc)
    if node is None:
        return
    src = "jsonld."
    wants = article.wants
    if wants("title"):
        headline = _text(node.get("headline"))
        article.set("title", agreed_title(doc, headline), "meta.og:title (agreed)")
        article.set("title", headline, src + "headline")
    if wants("authors"):
        article.set("authors", _person_names(doc, node.get("author")), src + "author")
    if wants("published"):
        article.set("published", parse_date(node.get("datePublished"), zone), src + "datePublished")
    if wants("modified"):
        article.set("modified", parse_date(node.get("dateModified"), zone), src + "dateModified")
    if wants("categories"):
        article.set("categories", [Term(n) for n in _names_list(node.get("articleSection"))],
                    src + "articleSection")
    if wants("description"):
        article.set("description", _text(node.get("description")), src + "description")
    if wants("language"):
        article.set("language", _text(node.get("inLanguage")), src + "inLanguage")
    if wants("image_url") or wants("image_caption"):
        image = doc.resolve(_first(node.get("image")))
        url = _image_url(image)
        original = declared_original(doc, url) if url else None
        article.set("image_url", original or url, src + ("image (its original, declared)" if original else "image"))
        if isinstance(image, dict):
            article.set("image_caption", _text(image.get("caption")), src + "image.caption")
    if wants("canonical_url"):
        page = doc.resolve(node.get("mainEntityOfPage"))
        if isinstance(page, dict):
            article.set("canonical_url", _text(page.get("url") or page.get("@id")), src + "mainEntityOfPage")


def fill_from_meta(doc: Document, article: Article, zone: tzinfo | None) -> None:
    def first(field: str, *keys: str, convert=lambda v: v) -> None:
        hit = doc.meta_first(*keys) if article.wants(field) else None
        if hit:
            article.set(field, convert(hit[1]), "meta." + hit[0])

    first("title", "og:title", "twitter:title", "dc.title")
    for field, keys in (("published", PUBLISHED_KEYS), ("modified", MODIFIED_KEYS)):
        for key in keys if article.wants(field) else ():
            if article.set(field, parse_date((doc.meta.get(key) or [None])[0], zone), "meta." + key):
                break
    first("description", "description", "og:description", "twitter:description")
    hit = doc.meta_first("og:image", "og:image:url", "twitter:image") if article.wants("image_url") else None
    if hit:
        original = declared_original(doc, hit[1])
        label = f"meta.{hit[0]}" + (" (its original, declared)" if original else "")
        article.set("image_url", original or hit[1], label)
    first("language", "og:locale", "dc.language")
    first("canonical_url", "og:url")
    if article.wants("authors"):
        sites = site_names(doc)
        for key in _AUTHOR_KEYS:
            raw = [n for n in doc.meta.get(key, []) if not n.startswith(("http", "@"))]
            if article.set("authors", clean_authors(raw, sites), "meta." + key):
                break
    if article.wants("tags"):
        _fill_tags(doc, article)
    if article.wants("categories"):
        sections = [Term(n) for v in doc.meta.get("article:section", []) for n in _names_list(v)]
        article.set("categories", sections, "meta.article:section")


def fill_credited_publisher(doc: Document, article: Article) -> None:
    """Last resort for authors, after the byline heuristics: when no person is named
    anywhere, the organisation the page credits ("dpa", "BR24 Redaktion", "ndr.de") is
    the author it gives, even where it is the site itself."""
    if not article.wants("authors"):
        return
    node = doc.jsonld_article or {}
    people = node.get("author")
    names = []
    for person in people if isinstance(people, list) else [people]:
        person = doc.resolve(person)
        name = person.get("name") if isinstance(person, dict) else person
        if isinstance(name, str) and not name.startswith("http"):
            names.append(_text(name))
    source = "jsonld.author (publisher)"
    if not any(names):
        hit = doc.meta_first("author", "article:author", "dc.creator")
        names, source = ([_text(hit[1])], f"meta.{hit[0]} (publisher)") if hit else ([], "")
    names = [n for n in names if n and not n.startswith(("http", "@")) and len(n) <= 60]
    article.set("authors", _dedupe(names), source)


def _fill_tags(doc: Document, article: Article) -> None:
    candidates = [(key, _meta_list(doc, key)) for key in _KEYWORD_KEYS]
    candidates.append(("jsonld.keywords", _names_list((doc.jsonld_article or {}).get("keywords"))))
    candidates.extend((key, _meta_list(doc, key)) for key in _TAG_KEYS)
    found = [(key if key.startswith("jsonld.") else "meta." + key,
              _dedupe(n for n in items if n and _plausible_tag(n, doc))) for key, items in candidates]
    found = [(source, names) for source, names in found if names]
    shown_source, shown = visible_tags(doc)
    if shown:
        # The tags under the article are the truth the meta fields are judged by: the
        # field that agrees best with them, else the shown tags themselves.
        best = choose(found, shown)
        source, names = found[best] if best is not None else (shown_source, shown)
        article.set("tags", [Term(n) for n in names], source)
        return
    if not found:
        return
    source, names = found[0]
    # Keyword fields are sometimes the editor's tags with section names and title words
    # put in front; a second field that is exactly the end of the list is the editor's.
    chosen = [n.casefold() for n in names]
    for other, tail in found[1:]:
        keys = [n.casefold() for n in tail]
        if 2 <= len(keys) < len(chosen) and chosen[-len(keys):] == keys:
            source, names = other, tail
            break
    sections = {t.name.casefold() for t in article.categories}
    if len(found) == 1 and sections >= set(chosen):
        return  # a keyword field that only repeats the section (an SEO "focus keyword")
    article.set("tags", [Term(n) for n in names], source)


def _meta_list(doc: Document, key: str) -> list[str]:
    """One meta per tag ("Doe, Jane" stays whole); one meta for all = a joined list."""
    values = doc.meta.get(key, [])
    items = values if len(values) > 1 else _names_list(values[0] if values else None)
    return [n for n in map(_text, items) if n]


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


# -- the full-size image, never a size WordPress generated --------------------------------
# WordPress stores each size it makes of an upload next to it as `name-WIDTHxHEIGHT.ext`
# (`photo-750x375.jpg` of `photo.jpg`); themes show those, the head names the original.
_WP_SIZE = re.compile(r"^(?P<base>.*/wp-content/uploads/.+)-(?P<w>\d{1,5})x(?P<h>\d{1,5})(?P<ext>\.[A-Za-z0-9]{2,5})$")
# WordPress >= 5.3 keeps an over-large upload as `name-scaled.jpg` (or `-rotated`) as the
# full size; its sizes are named after the upload, `name-750x375.jpg`.
_WP_FULL_SUFFIX = re.compile(r"-(?:scaled|rotated)(?=\.[A-Za-z0-9]{2,5}$)")


def wordpress_size_original(url: str) -> str | None:
    """The upload a WordPress size variant was made from (`.../uploads/2024/08/x-750x375.jpg`
    -> `.../uploads/2024/08/x.jpg`); None when `url` is not one. Only under
    `/wp-content/uploads/`: elsewhere `-1200x630` may be part of a file's own name."""
    parts = urlsplit(url)
    match = _WP_SIZE.match(parts.path)
    if match is None:
        return None
    return urlunsplit(parts._replace(path=match["base"] + match["ext"]))


def _same_upload(url: str) -> str:
    """What a size variant and its full size have in common: the path without size suffix."""
    path = urlsplit(url).path
    match = _WP_SIZE.match(path)
    if match:
        path = match["base"] + match["ext"]
    return _WP_FULL_SUFFIX.sub("", path)


def declared_images(doc: Document) -> list[str]:
    """Every image the page's head declares as its own (JSON-LD article image, thumbnailUrl,
    og:image, twitter:image), absolute, in order of trust."""
    found: list[str] = []
    node = doc.jsonld_article or {}
    images = node.get("image")
    for image in images if isinstance(images, list) else [images]:
        image = doc.resolve(image)
        if isinstance(image, str):
            found.append(image)
        elif isinstance(image, dict):
            found.extend(v for v in (image.get("url"), image.get("contentUrl")) if isinstance(v, str))
    if isinstance(node.get("thumbnailUrl"), str):
        found.append(node["thumbnailUrl"])
    for key in ("og:image", "og:image:url", "og:image:secure_url", "twitter:image"):
        found.extend(doc.meta.get(key, []))
    return list(dict.fromkeys(doc.absolute(u) for u in found if u and u.strip()))


def declared_original(doc: Document, url: str, also: tuple[str, ...] = ()) -> str | None:
    """When `url` is a WordPress size variant and the page declares the upload it was made
    from at full size (og:image, JSON-LD; then the absolute URLs in `also`, e.g. the image's
    srcset), that full-size URL; else None."""
    if wordpress_size_original(url) is None:  # the path tells; most images are not sizes
        return None
    key = _same_upload(doc.absolute(url))
    for candidate in (*declared_images(doc), *also):
        if wordpress_size_original(candidate) is None and _same_upload(candidate) == key:
            return candidate
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
    """Person authors; organisations only when no person is named, and never the site
    itself (then a byline further down may name the writer)."""
    people = value if isinstance(value, list) else [value]
    persons, orgs = [], []
    for person in people:
        person = doc.resolve(person)
        if isinstance(person, dict):
            name = person.get("name")
            if isinstance(name, list):
                name = " ".join(n for n in name if isinstance(n, str))
            target = orgs if _ORG_TYPES & set(node_types(person)) else persons
            target.append(_text(name) or "")
        elif isinstance(person, str) and not person.startswith("http"):
            persons.append(_text(person) or "")
    sites = site_names(doc)
    listed = len(persons) > 1 and all(isinstance(doc.resolve(p), dict) for p in people)
    return clean_authors(persons, sites, keep_single=listed) or clean_authors(orgs, sites)


_NOT_THE_STORY = frozenset({"ImageObject", "VideoObject", "Person", "Organization", "WebSite",
                            "BreadcrumbList", "SiteNavigationElement", "NewsMediaOrganization"})


def _any_dated_node(doc: Document) -> dict | None:
    """Pages typed only as WebPage, ClaimReview or an unknown article subtype still carry
    headline and dates."""
    for node in doc.jsonld_nodes:
        if _NOT_THE_STORY & set(node_types(node)):
            continue
        if node.get("datePublished") and (node.get("headline") or node.get("author") or node.get("name")):
            return node
    return None


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-|^\w[\w ]*:\s")


def _plausible_tag(name: str, doc: Document) -> bool:
    """Keyword fields also carry ids, "Category: x" pairs and the site's own name."""
    if _UUID.search(name) or len(name) > 60:
        return False
    return name.casefold() not in {doc.host.casefold(), doc.host.removeprefix("www.").casefold()}


def _dedupe(values) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v and v.casefold() not in {s.casefold() for s in seen}:
            seen[v] = None
    return list(seen)
