"""What the spider yields besides an Article: failures, and what it learnt of an
archived article without a fresh extraction."""

from __future__ import annotations

from dataclasses import dataclass

from drmcrawl.model import Article


@dataclass
class PageFailure:
    """A page that should have been an article but is not stored. Recorded with its
    reason (e.g. "http_404", "not_an_article", "extract_error", "TimeoutError")."""

    url: str
    reason: str
    detail: str | None = None

REMOVED_STATUSES = frozenset({404, 410})


@dataclass
class NotModified:
    """The server answered 304 to a conditional GET: the archived version still holds."""

    url: str


@dataclass
class Gone:
    """404/410, or a redirect off the article (`status` is then the redirect's 3xx).
    Marks an archived article removed; for a URL never archived it is a failure."""

    url: str
    status: int
    reason: str  # the failure reason if nothing was archived: "http_404", "redirected_away"...
    detail: str | None = None


@dataclass
class Extracted:
    """An article extracted from the archived answer `fetch_id`; `digest` is its
    content digest (`drmcrawl.versions.content_digest`), computed where it was extracted."""

    article: Article
    fetch_id: int | None
    digest: str | None

    def __repr__(self) -> str:  # in logs (Scrapy's "Error processing ..."): which article, not its record
        return f"Extracted(url={self.article.url!r}, post_id={self.article.post_id!r}, fetch_id={self.fetch_id!r})"


@dataclass
class NonArticle:
    """An answer to an article request that is navigation (a section, tag, author, video,
    live blog... page): not stored as an article; its kind and the evidence go to the fetch."""

    url: str
    fetch_id: int | None
    kind: str
    reason: str
