"""DOM heuristics: the on-page headline (before structured data, see `fill_headline`),
and the last layer for pages without a profile or structured data."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from itertools import islice

from lxml.cssselect import CSSSelector

from drmcrawl.extract.article_body import fill_body
from drmcrawl.extract.bylines import add_coauthors, fill_authors, headline_element, replaceable
from drmcrawl.extract.dates import in_zone, parse_date, printed_day
from drmcrawl.extract.document import Document
from drmcrawl.extract.fallback import DATE_SOURCE, fallback_date
from drmcrawl.extract.markup import in_chrome, in_link, names
from drmcrawl.extract.structured import MODIFIED_KEYS, PUBLISHED_KEYS, site_names
from drmcrawl.extract.tags import rel_tags, tag_list
from drmcrawl.extract.template import SiteTemplate
from drmcrawl.extract.titles import SEPARATORS as TITLE_SEPARATORS
from drmcrawl.model import Article, Term, confidence_of

_H1 = CSSSelector("h1")
_TIME = CSSSelector("time[datetime], [itemprop~='datePublished'][datetime], "
                    "[itemprop~='datePublished'][content]")
_WORD = re.compile(r"\w+")
_DOTTED_DATE = re.compile(r"(?<![\d.])(0?[1-9]|[12]\d|3[01])\.(0?[1-9]|1[0-2])\.((?:19|20)?\d\d)(?![\d.])")
_ISO_DATE = re.compile(r"(?<![\d-])((?:19|20)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?![\d])")
_SLASH_DATE = re.compile(r"(?<![\d/])([0-3]?\d)/([0-3]?\d)/((?:19|20)\d\d)(?![\d/])")
_CLOCK = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")
_DATE_WINDOW = 40
# A date line of its own: close under the headline, short.
_DATE_LINE_WINDOW, _DATE_LINE_CHARS = 15, 40
_ISO_DAY = re.compile(r"((?:19|20)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
_HIDDEN = re.compile(r"hidden|sr-only|screen-reader", re.I)
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:/|-|$)")


def fill_headline(doc: Document, article: Article) -> None:
    """The on-page headline beats og:title / <title>, which carry site suffixes and SEO
    variants (JSON-LD `headline` is filled before this and measured better than h1). An
    h1 is trusted when it shares most words with one of those titles (a logo h1 does not);
    the best-matching h1 wins."""
    if not article.wants("title"):
        return
    titles = _structured_titles(doc)
    if not titles:
        return
    best, best_score = None, 0.5
    for h1 in _H1(doc.tree):
        text = " ".join(h1.text_content().split())
        if len(text) < 8 or in_chrome(h1):
            continue
        words = set(_WORD.findall(text.casefold()))
        score = max(len(words & t) / len(words | t) for t in titles)
        if score > best_score:
            best, best_score = text, score
    article.set("title", best, "dom.h1")


def _structured_titles(doc: Document) -> list[set[str]]:
    node = doc.jsonld_article or {}
    values = [node.get("headline")] + [v for k in ("og:title", "twitter:title") for v in doc.meta.get(k, [])]
    title = doc.tree.find(".//title")
    if title is not None:
        values.append(title.text_content())
    return [set(_WORD.findall(v.casefold())) for v in values if isinstance(v, str) and v.strip()]


def fill_from_dom(doc: Document, article: Article, zone: tzinfo | None,
                  template: SiteTemplate | None = None, profiled: bool = False) -> None:
    tree = doc.tree
    if article.wants("title"):
        headings = [" ".join(h.text_content().split()) for h in _H1(tree) if not in_chrome(h)]
        article.set("title", next((h for h in headings if h), None), "dom.h1")
    if article.wants("title"):
        article.set("title", _subheading_title(doc), "dom.h2")
        article.set("title", page_title(doc), "dom.title")
    # Each heuristic walks the tree: run it only for fields still open (the profile
    # path must stay fast).
    if "authors" not in article.settled:
        sites = site_names(doc)
        if not article.authors or replaceable(article, sites):
            fill_authors(doc, article, sites)
        else:
            add_coauthors(doc, article, sites)
    if not article.published:
        # A <time> in a teaser for another story dates that story.
        for el in (el for el in _TIME(tree) if not _in_teaser(el)):
            value = el.get("datetime") or el.get("content")
            if article.set("published", parse_date(value, zone), "dom.time"):
                break
    if article.wants("tags"):
        article.set("tags", [Term(t) for t in rel_tags(doc)], "dom.rel_tag")
        article.set("tags", [Term(t) for t in tag_list(doc)], "dom.tag_list")
    if doc.html_lang:
        article.set("language", doc.html_lang, "dom.html_lang")
    if article.wants("canonical_url"):
        article.set("canonical_url", doc.link_href("canonical"), "dom.link_canonical")
    fill_body(doc, article, template)
    if not article.published:
        article.set("published", _visible_date(doc, article.title, zone), "dom.visible_date")
    if not profiled and "published" not in article.settled:
        # A site profile knows which date its template prints (JNews may print the
        # modified one), so it is not second-guessed.
        _prefer_displayed_day(doc, article, zone)
    if not article.published:
        article.set("published", _url_date(doc.url, zone), "url.date")
    _prefer_url_day(doc, article, zone)
    if not article.published:
        _fill_fallback_date(doc, article, zone)


_TEASER = re.compile(r"related|recommend|teaser|more-?stories|read-?more", re.I)


def _in_teaser(el) -> bool:
    """Inside a block named like a teaser list that does not hold the page's headline
    (some templates name the whole page section "recommended")."""
    return any(_TEASER.search(names(a)) and next(a.iter("h1"), None) is None for a in el.iterancestors())


def _subheading_title(doc: Document) -> str | None:
    """Pages without an h1 often set the headline as an h2/h3: the one that shares most
    of its words with the browser <title> (navigation headings do not)."""
    titles = _structured_titles(doc)
    best, best_score = None, 0.5
    for heading in doc.tree.iter("h2", "h3"):
        text = " ".join(heading.text_content().split())
        if len(text) < 4 or in_chrome(heading):
            continue
        words = set(_WORD.findall(text.casefold()))
        score = max((len(words & t) / len(words | t) for t in titles), default=0.0)
        if score > best_score:
            best, best_score = text, score
    return best


def page_title(doc: Document) -> str | None:
    """The browser <title> as a last resort: its longest part, as site names are usually
    the shorter part after a separator."""
    element = doc.tree.find(".//title")
    if element is None:
        return None
    text = " ".join(element.text_content().split())
    parts = [text]
    for sep in TITLE_SEPARATORS:
        parts = [piece.strip() for part in parts for piece in part.split(sep)]
    parts = [p for p in parts if p]
    return max(parts, key=lambda p: len(_WORD.findall(p)), default=None)


def _visible_date(doc: Document, title: str | None, zone: tzinfo | None):
    """A numeric date printed in a short line right after the headline: day.month.year
    ("Do 25.04.24 | 14:07 Uhr"), year-month-day ("2026-01-08 | 12:42"), or day/month/year
    ("20/1/2026 18:30"; month first only on en-US pages, as US papers print it)."""
    month_first = (doc.html_lang or "").lower().replace("_", "-") == "en-us"
    for el in _after_headline(doc, title):
        own = (el.text or "").strip()
        if not own or len(own) > 80 or el.tag in ("script", "style"):
            continue
        found = _numeric_date(own, month_first)
        if found is None:
            continue
        (year, month, day), rest = found
        clock = _CLOCK.search(rest)
        hour, minute = (int(clock.group(1)), int(clock.group(2))) if clock else (0, 0)
        try:
            return datetime(year, month, day, hour, minute, tzinfo=zone)
        except ValueError:
            continue
    return None


def _numeric_date(text: str, month_first: bool) -> tuple[tuple[int, int, int], str] | None:
    """(year, month, day) and the text after the date, or None."""
    match = _DOTTED_DATE.search(text)
    if match:
        day, month, year = (int(g) for g in match.group(1, 2, 3))
        return (year + (2000 if year < 100 else 0), month, day), text[match.end():]
    match = _ISO_DATE.search(text)
    if match:
        year, month, day = (int(g) for g in match.group(1, 2, 3))
        return (year, month, day), text[match.end():]
    match = _SLASH_DATE.search(text)
    if match:
        first, second, year = (int(g) for g in match.group(1, 2, 3))
        day, month = (second, first) if month_first and first <= 12 or second > 12 else (first, second)
        return (year, month, day), text[match.end():]
    return None


def _after_headline(doc: Document, title: str | None) -> list:
    """The headline and the elements after it in page order, `_DATE_WINDOW` in all,
    without those inside links (teaser cards): where a story's date line sits. Walked
    from the headline, not from the top of the page."""
    headline = headline_element(doc, title)
    if headline is None:
        return []
    window = list(islice(_from(headline), _DATE_WINDOW))
    return [el for el in window if not in_link(el)]


def _from(el):
    """`el`, its descendants, then every element after it, in document order."""
    yield el
    yield from (d for d in el.iterdescendants() if isinstance(d.tag, str))
    while el is not None:
        for following in el.itersiblings():
            if isinstance(following.tag, str):
                yield following
                yield from (d for d in following.iterdescendants() if isinstance(d.tag, str))
        el = el.getparent()


def displayed_day(doc: Document, title: str | None) -> tuple[tuple[int, int, int], bool] | None:
    """The day the page shows its readers by the headline: the first `<time>` or short
    line holding a date in the elements just after the h1 (the date line under a
    headline, "Updated Mar 12, 2020", "19. Oktober 2019"), and whether it is a date line
    of its own right under the headline (not a date inside a sentence further down)."""
    month_first = (doc.html_lang or "").lower().replace("_", "-") == "en-us"
    for at, el in enumerate(_after_headline(doc, title)):
        if el.tag in ("script", "style") or not isinstance(el.tag, str):
            continue
        if _HIDDEN.search(names(el)):
            continue  # microformat copies of the dates, for machines ("updated hidden")
        if el.tag == "time":
            # The day its text prints is the readers' day; the machine-readable stamp may
            # be in UTC, a day later for a late-evening story.
            shown = printed_day(" ".join(el.text_content().split())[:100], month_first)
            stamp = _ISO_DAY.match((el.get("datetime") or "").strip())
            if shown or stamp:
                day = shown or (int(stamp.group(1)), int(stamp.group(2)), int(stamp.group(3)))
                return day, at <= _DATE_LINE_WINDOW
        for own in (el.text, el.tail):
            own = (own or "").strip()
            if own and len(own) <= 100:
                found = printed_day(own, month_first)
                if found:
                    return found, at <= _DATE_LINE_WINDOW and len(own) <= _DATE_LINE_CHARS
    return None


def _prefer_displayed_day(doc: Document, article: Article, zone: tzinfo | None) -> None:
    """Structured data may carry several dates for the article (created, published,
    modified; JSON-LD and meta disagreeing, or one in UTC and one in the site's zone).
    The one whose day the page prints by the headline is the date it gives its readers:
    it wins over a structured date of another day. A printed day no structured date
    confirms dates an undated page only when it is a date line right under the headline
    (further down it may be a footnote's or an event's)."""
    found = displayed_day(doc, article.title)
    if found is None:
        return
    shown, date_line = found
    if article.published and in_zone(article.published, zone).timetuple()[:3] == shown:
        return
    for source, value in _structured_dates(doc, article, zone):
        if in_zone(value, zone).timetuple()[:3] == shown:
            article.published = value
            article.sources["published"] = f"dom.displayed_date ({source})"
            article.confidence["published"] = confidence_of("dom.displayed_date")
            return
    if date_line and not article.published:
        article.set("published", datetime(*shown, tzinfo=zone), "dom.displayed_date")


def _structured_dates(doc: Document, article: Article, zone: tzinfo | None):
    """Every date structured data gives the article, with its label, in order of trust."""
    node = doc.jsonld_article or {}
    for key in ("datePublished", "dateCreated", "dateModified"):
        value = parse_date(node.get(key) if isinstance(node.get(key), str) else None, zone)
        if value is not None:
            yield "jsonld." + key, value
    for key in (*PUBLISHED_KEYS, *MODIFIED_KEYS):
        for raw in doc.meta.get(key, ())[:1]:
            value = parse_date(raw, zone)
            if value is not None:
                yield "meta." + key, value
    if article.modified is not None:
        yield article.sources.get("modified", "modified"), article.modified


def _prefer_url_day(doc: Document, article: Article, zone: tzinfo | None) -> None:
    """A found date one day off the date in the URL was written for another time zone
    (UTC for a late-evening story); the URL's date is the day the site published it."""
    if not article.published or "published" in article.settled:
        return
    from_url = _url_date(doc.url, zone)
    if from_url is None or abs((article.published.date() - from_url.date()).days) != 1:
        return
    article.published = from_url
    article.sources["published"] = "url.date"
    article.confidence["published"] = confidence_of("url.date")


def _fill_fallback_date(doc: Document, article: Article, zone: tzinfo | None) -> None:
    """htmldate's day, unless it is only the day the page's metadata says it was updated:
    a page that gives only that date does not say when it was first published, unless
    it prints that day for its readers."""
    found = parse_date(fallback_date(doc.tree, doc.url), zone)
    if found is None:
        return
    if article.modified and article.modified.date() == found.date() and not _prints_day(doc, found):
        return
    article.set("published", found, DATE_SOURCE)


def _prints_day(doc: Document, when: datetime) -> bool:
    """Whether a short text of the page's body prints the day of `when`."""
    body = doc.tree.find("body")
    day = when.timetuple()[:3]
    month_first = (doc.html_lang or "").lower().replace("_", "-") == "en-us"
    for el in body.iter() if body is not None else ():
        if el.tag in ("script", "style") or not isinstance(el.tag, str):
            continue
        for own in (el.text, el.tail):
            if own and str(day[0]) in own and len(own) <= 100 and printed_day(own, month_first) == day:
                return True
    return False


def _url_date(url: str, zone: tzinfo | None):
    """Last resort: /2024/05/06/ in the URL (a day, no time of day)."""
    match = _URL_DATE.search(url or "")
    return parse_date("-".join(match.groups()), zone) if match else None
