"""What a fetched page is: an article, or which kind of navigation.

Decided from evidence in a fixed order, the first that speaks wins (issue 22):
(a) the site declaration's URL rules (`skip_urls`, then `article_urls`); then what a page
    plainly is: a feed or sitemap (media type, root element), the site root;
(b) JSON-LD `@type` (in `@graph`s and type arrays too);
(c) `og:type`;
(d) the URL: fixed rules for what is never an article (`/tag/`, `/author/`, `?s=`...) and the
    article URL shapes learned for the site during the run;
(e) the content: a headline, a date and a body of article length.
Pure: a `Document` in, `(kind, reason)` out; the reason goes to the fetch index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from drmcrawl.extract.document import Document, node_types
from drmcrawl.extract.urlkinds import non_article_reason


class LearnedShapes(Protocol):
    """What the classifier needs of a site's learned article URL shapes
    (`drmcrawl.sites.urlshapes.UrlShapes`, a layer above: not imported here)."""

    def verdict(self, url: str) -> str | None: ...


KINDS = ("article", "home", "section", "tag", "author", "search", "static", "video", "liveblog",
         "gallery", "podcast", "feed")
MIN_ARTICLE_WORDS = 150

ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "OpinionNewsArticle",
    "AnalysisNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "AskPublicNewsArticle",
    "SatiricalArticle", "ScholarlyArticle", "TechArticle", "Report", "SocialMediaPosting",
})
# Page-level types that make the page itself something else, strongest first. LiveBlogPosting
# is a BlogPosting in schema.org, but a live blog is a stream, not an article.
_LISTING_TYPES = {"SearchResultsPage": "search", "ProfilePage": "author", "CollectionPage": "section"}
_MEDIA_TYPES = {"VideoObject": "video", "VideoGallery": "video", "ImageGallery": "gallery",
                "MediaGallery": "gallery", "PodcastEpisode": "podcast", "PodcastSeries": "podcast",
                "AudioObject": "podcast"}
_STATIC_TYPES = {"AboutPage": "static", "ContactPage": "static", "FAQPage": "static"}
_PAGE_TYPES = frozenset({"WebPage", "WebSite", "ItemPage", "Organization", "NewsMediaOrganization",
                         "BreadcrumbList", "Person", "ImageObject", "SiteNavigationElement", "WPHeader",
                         "WPFooter", "WPSideBar", "SearchAction", "Place", "LocalBusiness", "Corporation"})
# URL rule reasons (drmcrawl.extract.urlkinds) as page kinds.
_URL_KINDS = {"home": "home", "tag": "tag", "category": "section", "pagination": "section",
              "date_archive": "section", "comments": "section", "author": "author", "search": "search",
              "feed": "feed", "static": "static", "account": "static", "technical": "static",
              "media": "static", "invalid": "static"}
_ROOTS = frozenset({"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/home/"})
_FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf", "rdf", "urlset", "sitemapindex"})
_TEASER_PARENTS = frozenset({"article", "h2", "h3", "h4"})
MIN_TEASERS = 3  # a page linking to this many articles is a listing
_SLUG = re.compile(r"/[^/?#]*-[^/?#]*-[^/?#]+/?(?:[?#]|$)")  # a last segment of 3+ hyphenated words
_WORD = re.compile(r"\w+")

KindAndReason = tuple[str, str]


@dataclass(frozen=True)
class _Evidence:
    doc: Document
    url: str
    shapes: LearnedShapes | None
    headline: str | None
    published: object
    words: int
    content_type: str


def classify_page(doc: Document, *, article_urls: Iterable = (), skip_urls: Iterable = (),
                  shapes: LearnedShapes | None = None, headline: str | None = None, published: object = None,
                  words: int | None = None, content_type: str = "") -> KindAndReason:
    """(kind, reason) of the page `doc`. `article_urls` / `skip_urls` are the site
    declaration's regexes (strings or compiled); `shapes` the site's learned UrlShapes;
    `headline`, `published`, `words` what extraction found (read from the page when None)."""
    rule = _by_rules(doc.url, article_urls, skip_urls)
    if rule:
        return rule
    facts = _Evidence(doc, doc.url, shapes, headline if headline is not None else _headline(doc),
                      published if published is not None else _published(doc),
                      words if words is not None else _word_count(doc), (content_type or "").lower())
    for step in (_by_feed, _by_root, _by_jsonld, _by_og_type, _by_url, _by_content):
        found = step(facts)
        if found:
            return found
    raise AssertionError("_by_content always decides")


# -- (a) declared rules --------------------------------------------------------------
def _by_rules(url: str, article_urls: Iterable, skip_urls: Iterable) -> KindAndReason | None:
    for pattern in skip_urls:
        if re.search(pattern, url):
            return _url_kind(url, "section"), f"skip_urls: {_source(pattern)}"
    for pattern in article_urls:
        if re.search(pattern, url):
            return "article", f"article_urls: {_source(pattern)}"
    return None


def _source(pattern) -> str:
    return getattr(pattern, "pattern", pattern)


def _by_feed(e: _Evidence) -> KindAndReason | None:
    """Feeds and sitemaps: machine listings, by their media type or root element."""
    media_type = e.content_type.split(";")[0].strip()
    if any(t in media_type for t in ("rss", "atom", "rdf")) or media_type.endswith("/xml"):
        return "feed", f"content-type {media_type}"
    body = e.doc.tree.find("body")
    first = body[0].tag if body is not None and len(body) and isinstance(body[0].tag, str) else ""
    return ("feed", f"<{first}> document") if first.lower() in _FEED_ROOTS else None


def _by_root(e: _Evidence) -> KindAndReason | None:
    parts = urlsplit(e.url)
    return ("home", "url: site root") if parts.path.lower() in _ROOTS and not parts.query else None


# -- (b) structured data -------------------------------------------------------------
def jsonld_types(doc: Document) -> set[str]:
    """Every `@type` named by the page's JSON-LD nodes (`@graph` members, type arrays,
    `schema:`/`https://schema.org/` prefixes dropped)."""
    return {t.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for node in doc.jsonld_nodes for t in _types(node)}


def _types(node: dict) -> list[str]:
    """document.node_types, safe for a junk `@type` (a number, an object): pages are untrusted."""
    types = node.get("@type")
    return node_types(node) if isinstance(types, (str, list)) else []


def _by_jsonld(e: _Evidence) -> KindAndReason | None:
    types = jsonld_types(e.doc)
    if not types:
        return None
    if "LiveBlogPosting" in types:
        return "liveblog", "json-ld LiveBlogPosting"
    for name, kind in _LISTING_TYPES.items():
        if name in types:
            return _url_kind(e.url, kind), f"json-ld {name}"
    if found := sorted(types & ARTICLE_TYPES):
        return "article", f"json-ld {found[0]}"
    for name, kind in (_MEDIA_TYPES | _STATIC_TYPES).items():
        if name in types:
            return kind, f"json-ld {name}"
    if types <= _PAGE_TYPES and _og_type(e.doc) != "article":
        # Only the site's and page's own nodes: a page, not an article (an og:type
        # "article" disagreeing is left to the next evidence).
        named = "/".join(sorted(types & {"WebPage", "WebSite"})) or "WebPage"
        return _navigation_kind(e), f"json-ld {named} only"
    return None


# -- (c) Open Graph ------------------------------------------------------------------
def _og_type(doc: Document) -> str:
    found = doc.meta_first("og:type")
    return found[1].strip().lower() if found else ""


def _by_og_type(e: _Evidence) -> KindAndReason | None:
    og = _og_type(e.doc)
    if og == "article":
        reason = non_article_reason(e.url)
        if reason in _URL_KINDS:  # WordPress SEO plugins tag static pages "article" too
            return _URL_KINDS[reason], f"og:type article, but url is {reason}"
        return "article", "og:type article"
    if og.startswith("video"):
        return "video", f"og:type {og}"
    if og.startswith("music") or "podcast" in og:
        return "podcast", f"og:type {og}"
    if og == "profile":
        return "author", "og:type profile"
    return None


# -- (d) the URL ---------------------------------------------------------------------
def _by_url(e: _Evidence) -> KindAndReason | None:
    reason = non_article_reason(e.url)
    if reason in _URL_KINDS:
        return _URL_KINDS[reason], f"url: {reason}"
    verdict = e.shapes.verdict(e.url) if e.shapes is not None else None
    if verdict == "article" and e.words >= MIN_ARTICLE_WORDS // 3:
        return "article", "url shape of the site's articles"
    if verdict == "navigation" and not _article_content(e):
        return _navigation_kind(e), "url shape unlike the site's articles"
    return None


# -- (e) the content -----------------------------------------------------------------
def _article_content(e: _Evidence) -> bool:
    return bool(e.headline) and bool(e.published) and e.words >= MIN_ARTICLE_WORDS


def _by_content(e: _Evidence) -> KindAndReason:
    if _article_content(e):
        return "article", f"content: headline, date, {e.words} words"
    missing = [name for name, ok in (("headline", e.headline), ("date", e.published),
                                     (f"body ({e.words} words)", e.words >= MIN_ARTICLE_WORDS)) if not ok]
    return _navigation_kind(e), "content: no " + ", no ".join(missing)


def _navigation_kind(e: _Evidence) -> str:
    """Not an article: the kind its URL names, else a section when it links to a few
    articles (teasers), else a static page."""
    return _url_kind(e.url, "section" if _teasers(e) >= MIN_TEASERS else "static")


def _teasers(e: _Evidence) -> int:
    """Distinct links to articles: links in an <article> or a headline (where listings
    put their teasers), and links the site's learned shapes call articles (when known)
    or to a slug (when not)."""
    found = set()
    for anchor in e.doc.tree.iter("a"):
        href = anchor.get("href")
        if not href or href.startswith("#"):
            continue
        if any(el.tag in _TEASER_PARENTS for el in anchor.iterancestors()):
            found.add(href)
        elif e.shapes is not None and e.shapes.verdict(e.doc.absolute(href)) == "article":
            found.add(href)
        elif e.shapes is None and _SLUG.search(href):
            found.add(href)
        if len(found) >= MIN_TEASERS:
            break
    return len(found)


def _url_kind(url: str, default: str) -> str:
    """The kind the URL's fixed rules name (a CollectionPage at /tag/x/ is a tag page)."""
    return _URL_KINDS.get(non_article_reason(url) or "", default)


# -- facts read from the page when extraction gave none ------------------------------------
def _headline(doc: Document) -> str | None:
    h1 = next(doc.tree.iter("h1"), None)
    return h1.text_content().strip() or None if h1 is not None else None


def _published(doc: Document) -> str | None:
    found = doc.meta_first("article:published_time", "datepublished", "date", "dc.date")
    if found:
        return found[1]
    node = doc.jsonld_article
    if node and isinstance(node.get("datePublished"), str):
        return node["datePublished"]
    return next((t.get("datetime") for t in doc.tree.iter("time") if t.get("datetime")), None)


def _word_count(doc: Document) -> int:
    """Words in the page's paragraphs: body text, not menus (a rough count, enough to
    tell an article body from a listing's teasers when extraction gave none)."""
    return sum(len(_WORD.findall(p.text_content())) for p in doc.tree.iter("p"))
