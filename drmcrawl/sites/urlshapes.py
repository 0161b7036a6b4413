"""Article-like or navigation-like, from the URL alone.

Two kinds of evidence:
- fixed rules for what is never an article on any site (`/tag/`, `/author/`, `/page/2/`,
  `?s=`, `/feed/`, about/contact/privacy pages, media files): `non_article_reason`;
- the URL shapes one site uses for its articles, learned during the run from the URLs its
  sitemaps and feeds list (`UrlShapes`): path depth, date segments, a numeric id, a
  hyphenated slug, an extension. A site uses one or two permalink structures, so an
  unknown URL of the same shape is very likely an article, and one of a shape never seen
  among hundreds of articles is very likely navigation.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, urlsplit

ARTICLE_SCORE = 0.7  # at or above: article-like
NAVIGATION_SCORE = 0.3  # at or below: navigation-like; between: no verdict
MIN_SAMPLES = 5  # fewer learned URLs: the generic score is used

_SEGMENT_REASONS = {
    "tag": "tag", "tags": "tag", "label": "tag", "keyword": "tag", "keywords": "tag",
    "category": "category", "categories": "category", "section": "category", "sections": "category",
    "topic": "category", "topics": "category",
    "author": "author", "authors": "author", "writer": "author", "writers": "author",
    "contributor": "author", "contributors": "author", "profile": "author", "people": "author",
    "search": "search",
    "feed": "feed", "rss": "feed", "atom": "feed", "feeds": "feed",
    "wp-admin": "account", "wp-login.php": "account", "login": "account", "register": "account",
    "signin": "account", "signup": "account", "account": "account", "my-account": "account",
    "cart": "account", "checkout": "account", "subscribe": "account",
    "wp-json": "technical", "wp-content": "technical", "wp-includes": "technical",
    "xmlrpc.php": "technical", "cdn-cgi": "technical", "trackback": "technical", "embed": "technical",
}
# Whole last segments of site pages about the outlet, not news.
_STATIC = frozenset(
    "about about-us aboutus who-we-are contact contact-us contactus privacy privacy-policy "
    "privacy-notice cookie-policy cookies terms terms-of-service terms-of-use "
    "terms-and-conditions tos disclaimer imprint impressum advertise advertising careers jobs "
    "faq faqs team our-team staff masthead newsletter newsletters donate support-us "
    "editorial-policy ethics corrections code-of-conduct sitemap".split()
)
_MEDIA = re.compile(
    r"\.(jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|pdf|mp3|m4a|ogg|wav|mp4|m4v|webm|mov|avi|"
    r"zip|gz|rar|7z|docx?|xlsx?|pptx?|odt|csv|css|js|json|woff2?|ttf|eot)$", re.I)
_FEED_FILE = re.compile(r"\.(rss|atom|rdf|xml)$", re.I)
_PAGE_QUERY = frozenset({"page", "paged", "pg", "start", "offset"})
_SEARCH_QUERY = frozenset({"s", "q", "query", "search", "keyword", "keywords"})
_YEAR = re.compile(r"(19|20)\d\d")
_MONTH_DAY = re.compile(r"\d{1,2}")
_ID = re.compile(r"(^|[-_.])\d{4,}$|^[a-z]?\d{5,}$", re.I)
_EXTENSION = re.compile(r"\.(html?|php|aspx?|shtml|cms)$", re.I)


def _segments(path: str) -> list[str]:
    return [s for s in path.lower().split("/") if s]


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:  # `http://[`
        return None


def non_article_reason(url: str) -> str | None:
    """Why `url` is never an article on any site ("home", "tag", "category", "author",
    "pagination", "search", "feed", "static", "media", "account", "technical",
    "date_archive", "comments", "invalid"), or None when nothing says so."""
    parts = _split(url)
    if parts is None:
        return "invalid"
    query = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    segments = _segments(parts.path)
    if not segments:  # the root with a query: `?s=x`, `?page=2`, `?p=123` (a WordPress shortlink)
        return _query_reason(query) or (None if query else "home")
    return (_segment_reason(segments) or _query_reason(query) or _last_segment_reason(segments))


def _segment_reason(segments: list[str]) -> str | None:
    for i, segment in enumerate(segments):
        if segment == "page" and i + 1 < len(segments) and segments[i + 1].isdigit():
            return "pagination"
        if segment.startswith("comment-page-"):
            return "comments"
        reason = _SEGMENT_REASONS.get(segment)
        # A section/tag word deep in a path can be a slug word (`/news/tag/`), but at the
        # start or followed by a name it is the archive itself.
        if reason and (i == 0 or reason in ("feed", "technical", "account") or i + 1 < len(segments)):
            return reason
    return None


def _query_reason(query: dict[str, str]) -> str | None:
    if _SEARCH_QUERY & set(query):
        return "search"
    if any(k in query and query[k].isdigit() for k in _PAGE_QUERY):
        return "pagination"
    if "replytocom" in query:
        return "comments"
    if "feed" in query:
        return "feed"
    return None


def _last_segment_reason(segments: list[str]) -> str | None:
    last = segments[-1]
    if _MEDIA.search(last):
        return "media"
    if _FEED_FILE.search(last):
        return "feed"
    if last.rsplit(".", 1)[0] in _STATIC and len(segments) <= 2:
        return "static"
    if _date_shape(segments) and len(_date_shape(segments)) == len(segments):
        return "date_archive"  # /2024/ or /2024/05/ or /2024/05/06/: nothing after the date
    return None


def _date_shape(segments: list[str]) -> list[str]:
    """The leading run of date segments anywhere in the path: `y`, `y/m`, `y/m/d`."""
    for start, segment in enumerate(segments):
        if _YEAR.fullmatch(segment):
            run = [segment]
            for nxt in segments[start + 1:start + 3]:
                if not (_MONTH_DAY.fullmatch(nxt) and 1 <= int(nxt) <= 31):
                    break
                run.append(nxt)
            return run
    return []


@dataclass(frozen=True)
class Shape:
    """What an article URL's form says, independent of its words."""

    depth: int  # path segments
    date: str  # "", "y", "ym" or "ymd"
    numeric_id: bool  # a number of 4+ digits as or at the end of a segment
    slug: bool  # a segment of 3+ hyphenated words
    extension: str  # ".html", ".php"... or ""
    first: str  # the first segment when it is a plain word (`news`, `article`), else ""

    @property
    def signature(self) -> tuple:
        return (self.depth, self.date, self.numeric_id, self.slug, self.extension)


def shape_of(url: str) -> Shape:
    parts = _split(url) or urlsplit("")
    segments = _segments(parts.path)
    date = _date_shape(segments)
    last = segments[-1] if segments else ""
    extension = m.group(0).lower() if (m := _EXTENSION.search(last)) else ""
    words = [_EXTENSION.sub("", s) for s in segments]
    numeric = any(_ID.search(w) for w in words if w not in date) or any(
        k.lower() in ("id", "p", "story", "article") and v.isdigit()
        for k, v in parse_qsl(parts.query))
    first = segments[0] if segments and re.fullmatch(r"[a-z]+", segments[0]) else ""
    return Shape(
        depth=len(segments),
        date="ymd"[:len(date)],
        numeric_id=numeric,
        slug=any(w.count("-") >= 2 and re.search(r"[^\W\d_]", w) for w in words),
        extension=extension,
        first=first,
    )


def generic_score(url: str) -> float:
    """Article-likeness of a URL on a site whose shapes are not known yet."""
    if non_article_reason(url):
        return 0.0
    shape = shape_of(url)
    score = 0.2
    if shape.slug:
        score += 0.5
    if shape.date:
        score += 0.25 if len(shape.date) >= 2 else 0.1
    if shape.numeric_id:
        score += 0.3
    if shape.extension in (".html", ".htm", ".shtml", ".cms"):
        score += 0.1
    return min(score, 1.0)


_WEIGHTS = {"depth": 0.3, "date": 0.2, "numeric_id": 0.15, "slug": 0.2, "extension": 0.1, "first": 0.05}


class UrlShapes:
    """Article URL shapes of one site, learned from its sitemaps' and feeds' entries."""

    def __init__(self, min_samples: int = MIN_SAMPLES):
        self.min_samples = min_samples
        self.samples = 0
        self._signatures: Counter = Counter()
        self._features: dict[str, Counter] = {name: Counter() for name in _WEIGHTS}

    def learn(self, url: str) -> None:
        """Add an article URL (one a sitemap or feed listed). Listed navigation pages
        (a sitemap of categories) must not be taught: use `non_article_reason` first."""
        if non_article_reason(url):
            return
        shape = shape_of(url)
        self.samples += 1
        self._signatures[shape.signature] += 1
        for name, counter in self._features.items():
            counter[getattr(shape, name)] += 1

    def learn_many(self, urls) -> None:
        for url in urls:
            self.learn(url)

    def score(self, url: str) -> float:
        """0 (navigation) .. 1 (article). Mostly how common the URL's exact shape is among
        the site's articles (relative to its most common one: a site with two permalink
        structures has both at 1), partly how many single features match."""
        if non_article_reason(url):
            return 0.0
        if self.samples < self.min_samples:
            return generic_score(url)
        shape = shape_of(url)
        signature = self._signatures[shape.signature] / max(self._signatures.values())
        features = sum(weight * self._features[name][getattr(shape, name)] / self.samples
                       for name, weight in _WEIGHTS.items())
        return round(0.6 * signature + 0.4 * features, 3)

    def verdict(self, url: str) -> str | None:
        """"article", "navigation" or None (no verdict)."""
        score = self.score(url)
        if score >= ARTICLE_SCORE:
            return "article"
        if score <= NAVIGATION_SCORE:
            return "navigation"
        return None
