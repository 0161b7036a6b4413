"""Article-like or navigation-like, from the URL alone.

Two kinds of evidence:
- fixed rules for what is never an article on any site (`/tag/`, `/author/`, `/page/2/`,
  `?s=`, `/feed/`, about/contact/privacy pages, media files): `non_article_reason`, from
  `drmcrawl.extract.urlkinds` (the page classifier uses them too);
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
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from drmcrawl.extract.urlkinds import date_segments, non_article_reason, path_segments, split_url

ARTICLE_SCORE = 0.7  # at or above: article-like
NAVIGATION_SCORE = 0.3  # at or below: navigation-like; between: no verdict
MIN_SAMPLES = 5  # fewer learned URLs: the generic score is used

_ID = re.compile(r"(^|[-_.])\d{4,}$|^[a-z]?\d{5,}$", re.I)
_EXTENSION = re.compile(r"\.(html?|php|aspx?|shtml|cms)$", re.I)


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


@lru_cache(maxsize=16384)  # asked of every link on every listing page, and links repeat
def shape_of(url: str) -> Shape:
    parts = split_url(url) or urlsplit("")
    segments = path_segments(parts.path)
    date = date_segments(segments)
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
