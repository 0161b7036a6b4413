"""What the spider yields about an archived article besides a fresh extraction."""

from __future__ import annotations

from dataclasses import dataclass

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
