"""Links on a listing page (home, section, archive) of any site: articles to fetch,
sections to visit, and the listing's next pages.

Listings are the fallback where a site has no sitemap and the freshness source where it
has: the home page shows the latest articles first. The crawl walks them breadth first:
`depth` is how many section hops from the home page this listing is (its own next pages
keep its depth); sections are returned only while `depth < max_depth`, next pages only
up to page `max_pages`, so a calendar or an endless "load more" cannot hold the crawl.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from drmcrawl.extract.document import Document
from drmcrawl.sites.scope import Scope, browser_url
from drmcrawl.sites.urlshapes import ARTICLE_SCORE, NAVIGATION_SCORE, UrlShapes, generic_score, non_article_reason

MAX_DEPTH = 2
MAX_PAGES = 50

_NOT_LINKS = ("#", "javascript:", "mailto:", "tel:", "data:", "about:", "sms:", "whatsapp:")
_PAGE_PATH = re.compile(r"/page/(\d+)/?$", re.I)
_PAGE_QUERY = ("page", "paged", "pg")
# "Load more" / "older posts" controls that are real links (WordPress, Ghost, Drupal pagers).
_MORE = re.compile(r"load[-_ ]?more|show[-_ ]?more|more[-_ ]?(posts|stories|articles|news)|older[-_ ]?(posts|entries)"
                   r"|next[-_ ]?page|pager[-_]next|nav-previous|pagination[-_]next|next[-_ ]?posts", re.I)
_MENU = re.compile(r"menu|nav|header", re.I)  # where sites put their section links
_HEADLINES = frozenset({"h1", "h2", "h3", "h4"})


@dataclass(frozen=True)
class ListingLinks:
    articles: tuple[str, ...]
    sections: tuple[str, ...]
    pages: tuple[str, ...]  # this listing's next pages
    cut: Counter = field(default_factory=Counter)  # links dropped: offsite, bad_url, max_pages, max_depth


def page_number(url: str) -> int:
    """1 for a listing's first page, N for `/page/N/` or `?page=N` (`?paged=N`)."""
    parts = urlsplit(url)
    if match := _PAGE_PATH.search(parts.path):
        return int(match[1])
    for key, value in parse_qsl(parts.query):
        if key.lower() in _PAGE_QUERY and value.isdigit():
            return int(value)
    return 1


def listing_links(page: str | bytes | Document, url: str, *, in_scope: Callable[[str], bool] | None = None,
                  shapes: UrlShapes | None = None, depth: int = 0, max_depth: int = MAX_DEPTH,
                  max_pages: int = MAX_PAGES) -> ListingLinks:
    """Articles, sections and next pages linked from the listing page `page` at `url`.
    `in_scope` defaults to the page's own origin; `shapes` (the site's learned article
    URL shapes) makes article links exact, without it a generic URL score is used."""
    doc = page if isinstance(page, Document) else Document(page, url)
    in_scope = in_scope or Scope(url).in_scope
    cut: Counter = Counter()
    here = _without_fragment(url)
    articles, sections, pages = {}, {}, {}
    here_listing = (_listing_base(here), page_number(here))
    for anchor, target in _links(doc, cut, in_scope):
        if target == here:
            continue
        if _is_next_page(anchor, target, here_listing):
            pages[target] = None
        elif _is_article(anchor, target, shapes):
            articles[target] = None
        elif _is_more_link(anchor, target):  # after articles: "Show more" can open a story
            pages[target] = None
        elif _is_section(anchor, target):
            sections[target] = None
    return ListingLinks(tuple(articles), _capped_sections(sections, depth, max_depth, cut),
                        _capped_pages(pages, here, max_pages, cut), cut)


def _links(doc: Document, cut: Counter, in_scope: Callable[[str], bool]):
    """(element, absolute URL) of every link and `<link rel=next>`, in page order."""
    base = _base_url(doc)
    for element in doc.tree.iter("a", "link"):
        if element.tag == "link" and "next" not in (element.get("rel") or "").lower().split():
            continue
        href = (element.get("href") or "").strip()
        if not href or href.lower().startswith(_NOT_LINKS):
            continue
        target, refused = _resolved(href, base, in_scope)
        if refused:
            cut[refused] += 1
            continue
        yield element, target


@lru_cache(maxsize=8192)
def _resolved(href: str, base: str, in_scope: Callable[[str], bool]) -> tuple[str | None, str | None]:
    """(absolute URL, None) or (None, why not). Cached: every listing page of a site
    repeats its menus, and a teaser links its article from image, headline and "more"."""
    try:
        target = _without_fragment(browser_url(href, base))
    except ValueError:  # `http://[`: no browser follows it either
        return None, "bad_url"
    return (target, None) if in_scope(target) else (None, "offsite")


def _base_url(doc: Document) -> str:
    base = next((el.get("href") for el in doc.tree.iter("base") if el.get("href")), None)
    try:
        return browser_url(base, doc.url) if base else doc.url
    except ValueError:
        return doc.url


def _without_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


def _is_next_page(anchor, target: str, here: tuple[tuple[str, str], int]) -> bool:
    """`rel=next`, or a later numbered page of this same listing (`here`: its base and page)."""
    if "next" in (anchor.get("rel") or "").lower().split():
        return True
    return _listing_base(target) == here[0] and page_number(target) > here[1]


def _is_more_link(anchor, target: str) -> bool:
    """A "load more" / "older posts" control that is a real link (AJAX-only ones have
    `#` or `javascript:` and were dropped with the other non-links)."""
    label = " ".join([anchor.get("class") or "", anchor.get("id") or "", anchor.text_content()[:60]])
    return bool(_MORE.search(label)) and non_article_reason(target) in (None, "pagination", "category")


def _listing_base(url: str) -> tuple[str, str]:
    """A listing's URL without its page number: `/x/page/3/` and `/x/?page=3` are `/x/`."""
    parts = urlsplit(url)
    path = _PAGE_PATH.sub("/", parts.path).rstrip("/") or "/"
    query = "&".join(f"{k}={v}" for k, v in parse_qsl(parts.query) if k.lower() not in _PAGE_QUERY)
    return f"{parts.netloc}{path}", query


def _is_article(anchor, target: str, shapes: UrlShapes | None) -> bool:
    score = shapes.score(target) if shapes is not None else generic_score(target)
    if score >= ARTICLE_SCORE:
        return True
    # The URL alone is not enough: a link inside an <article> is a teaser unless its URL is
    # surely navigation; a headline link is one when its URL leans article-like (home
    # pages also title their section blocks with links to the sections).
    ancestors = {el.tag for el in anchor.iterancestors()}
    return (score > 0 and "article" in ancestors) or (score > NAVIGATION_SCORE and bool(ancestors & _HEADLINES))


def _is_section(anchor, target: str) -> bool:
    reason = non_article_reason(target)
    if reason == "category":
        return page_number(target) == 1
    if reason is not None:
        return False  # tag, author, static... pages are navigation not worth walking
    return any(_MENU.search(f"{el.tag} {el.get('class') or ''} {el.get('id') or ''}")
               for el in anchor.iterancestors())


def _capped_sections(sections: dict, depth: int, max_depth: int, cut: Counter) -> tuple[str, ...]:
    if depth >= max_depth:
        cut["max_depth"] += len(sections)
        return ()
    return tuple(sections)


def _capped_pages(pages: dict, here: str, max_pages: int, cut: Counter) -> tuple[str, ...]:
    kept = tuple(p for p in pages if page_number(p) <= max_pages and page_number(here) < max_pages)
    cut["max_pages"] += len(pages) - len(kept)
    return kept
