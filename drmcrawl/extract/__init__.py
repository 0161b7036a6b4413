"""Article extraction: pure functions, `html + url -> Article`. No Scrapy here.

Layers fill fields in order, each only where the field is still empty:
site profile -> JSON-LD (its headline may give way to og:title, see titles.py) ->
on-page headline -> meta tags -> profile fallbacks (visible dates) -> DOM heuristics
(bylines, tag lists, main content, URL date) -> the credited publisher as author when
no person is named.
`Article.sources` records which layer produced each field, `Article.confidence` how sure
that layer is (a weak body from the DOM heuristics hands over to a last-resort extractor,
see article_body.py; a page with no date anywhere else gets htmldate's guess)."""

from __future__ import annotations

import re

from drmcrawl.extract import profiles
from drmcrawl.extract.access import fill_access
from drmcrawl.extract.body import word_count
from drmcrawl.extract.dates import in_zone
from drmcrawl.extract.document import Document, decode_html
from drmcrawl.extract.dom import fill_from_dom, fill_headline
from drmcrawl.extract.language import text_language
from drmcrawl.extract.structured import fill_credited_publisher, fill_from_jsonld, fill_from_meta
from drmcrawl.extract.template import SiteTemplate
from drmcrawl.extract.titles import SEPARATORS as _TITLE_SEPARATORS
from drmcrawl.model import RECORD_FIELDS, Article, Term

__all__ = [
    "Article",
    "Document",
    "NotAnArticle",
    "RECORD_FIELDS",
    "SiteTemplate",
    "Term",
    "decode_html",
    "extract",
    "extract_document",
]

_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")


class NotAnArticle(ValueError):
    """The page has no article: no title or no body text was found."""


def extract(html: str | bytes, url: str, profile: str | profiles.Profile | None = None,
            template: SiteTemplate | None = None) -> Article:
    """Extract one article. `profile` names a site profile (e.g. "drm") for pages served
    from a mirror whose host the profile registry does not know, or is one (a site
    declaration's selectors, `profiles.toml`). `template` is what was
    learned from other pages of the same site (`SiteTemplate.learn`); it only affects
    the generic body detection.

    Raises NotAnArticle when the page has no headline or no body text."""
    site = _profile(profile) if profile else profiles.for_url(url)
    if site is not None:  # known before parsing: its page chrome need not be parsed
        html = site.without_chrome(decode_html(html) if isinstance(html, bytes) else html)
    return extract_document(Document(html, url), site if profile else None, template)


def _profile(profile: str | profiles.Profile) -> profiles.Profile:
    return profiles.by_name(profile) if isinstance(profile, str) else profile


def extract_document(doc: Document, profile: str | profiles.Profile | None = None,
                     template: SiteTemplate | None = None) -> Article:
    site = _profile(profile) if profile else profiles.find_profile(doc)
    zone = site.zone if site else None
    article = Article(url=doc.url)
    if site and site.jsonld_script_class:
        doc.prefer_jsonld(site.jsonld_script_class)
    if site:
        site.fill(doc, article)
    fill_from_jsonld(doc, article, zone)
    fill_headline(doc, article)
    fill_from_meta(doc, article, zone)
    if site:
        site.fill_fallback(doc, article)
    fill_from_dom(doc, article, zone, template, profiled=site is not None)
    fill_credited_publisher(doc, article)
    fill_access(doc, article, read_markup=site is None or site.reads_paywall_markup)
    _normalise(article, doc, site)
    if not article.title or not article.body:
        missing = " and ".join(f for f in ("title", "body") if not getattr(article, f))
        raise NotAnArticle(f"not an article: no {missing} found at {doc.url}")
    return article


def _normalise(article: Article, doc: Document, site: profiles.Profile | None) -> None:
    zone = site.zone if site else None
    for name in ("published", "modified"):
        value = in_zone(getattr(article, name), zone)
        setattr(article, name, value)
        if value is not None and value.tzinfo is None:
            # No offset on the page and no profile zone: kept naive, and said so.
            article.sources[name] += " (naive)"
    if article.sources.get("title", "").startswith(("meta.", "jsonld.")):
        article.title = _strip_site_suffix(article.title, doc, site)
    if article.sources.get("title", "").startswith(("meta.", "jsonld.", "dom.title")):
        article.title = _strip_host_name(article.title, doc.host)
    if article.language:
        match = _LANG.match(article.language.strip())
        article.language = match.group(1).lower() if match else None
    _check_language(article)
    for name in ("canonical_url", "image_url"):  # meta/JSON-LD may give relative or //host URLs
        value = getattr(article, name)
        if value:
            setattr(article, name, doc.absolute(value))
    article.word_count = word_count(article.body)
    article.sources["word_count"] = "computed"
    article.confidence["word_count"] = article.confidence.get("body", 1.0)
    if not article.site:
        article.site = site.name if site and site.domains else doc.host or None


def _check_language(article: Article) -> None:
    """A declaration missing or contradicted by the text itself gives way to the text's."""
    found = text_language(article.body)
    if found and found != article.language:
        declared = f"declared {article.language}" if article.language else "none declared"
        article.language = found
        article.sources["language"] = f"text ({declared})"
        article.confidence["language"] = 0.9


def _strip_host_name(title: str | None, host: str) -> str | None:
    """Titles written for the browser tab put the site's domain before or after the
    headline ("example.de - Headline", "Headline | EXAMPLE.NET")."""
    labels = [label for label in host.removeprefix("www.").split(".") if label]
    names = {host.removeprefix("www."), labels[0] if labels else ""} - {""}
    for sep in _TITLE_SEPARATORS:
        parts = (title or "").split(sep)
        if len(parts) < 2:
            continue
        if parts[-1].strip().casefold() in names:
            return sep.join(parts[:-1]).strip()
        if parts[0].strip().casefold() in names:
            return sep.join(parts[1:]).strip()
    return title


def _strip_site_suffix(title: str | None, doc: Document, site: profiles.Profile | None) -> str | None:
    """og:title / <title> often end with " - Site Name"; the headline does not."""
    names = [n for n in (site.site_name if site else None, *(doc.meta.get("og:site_name") or [])) if n]
    for name in names:
        for sep in _TITLE_SEPARATORS:
            if title and title.endswith(sep + name):
                return title[: -len(sep + name)].strip()
    return title
