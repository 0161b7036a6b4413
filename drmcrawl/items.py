"""What the spider yields besides `drmcrawl.extract.Article`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PageFailure:
    """A page that should have been an article but is not stored. Recorded with its
    reason (e.g. "http_404", "not_an_article", "extract_error", "TimeoutError")."""

    url: str
    reason: str
    detail: str | None = None
