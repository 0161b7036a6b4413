"""The plan of one crawl: which article URLs to request and with which validators.

Built from what the archive knows (`Known`, per url_key) and the revisit policy
(`drmcrawl.crawl.revisit`). Known articles that are due are requested up front, even if
discovery no longer lists them (that is how a deleted article is noticed); discovered URLs
are requested when new or when the sitemap's lastmod is newer than the stored one. A known
article discovered without a newer lastmod and not due is skipped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from drmcrawl.crawl.revisit import DEFAULT_POLICY, fetch_reason, parse_lastmod, parse_policy
from drmcrawl.model import Known
from drmcrawl.urls import url_key


@dataclass
class Plan:
    known: dict[str, Known]
    now: datetime
    policy: str = DEFAULT_POLICY
    full: bool = False
    checked_since: datetime | None = None  # resuming: what the interrupted run checked is done
    requested: set[str] = field(default_factory=set)
    discovered: set[str] = field(default_factory=set)
    lastmods: dict[str, datetime] = field(default_factory=dict)
    # url key -> the lastmod a new article was stored with (the archive has it already)
    stored_lastmods: dict[str, datetime] = field(default_factory=dict)
    requested_by_reason: Counter = field(default_factory=Counter)  # why each request was made

    def __post_init__(self) -> None:
        self.tiers = parse_policy(self.policy)

    def claim_due(self) -> list[str]:
        """Known articles to re-check whatever discovery finds (now requested), as the path
        (and query) they were last fetched from: the same URL gets the same validators and
        its archived payload is found for a revisit record."""
        reasons = {key: self._reason(known, None) for key, known in self.known.items()}
        keys = [key for key, reason in reasons.items() if reason is not None]
        self.requested.update(keys)
        self.requested_by_reason.update(reasons[key] for key in keys)
        return [_path(self.known[key].url) for key in keys]

    def claim_vanished(self, listed: set[str]) -> list[str]:
        """Archived articles (not marked removed) that a complete listing of the site no
        longer names and this run has not requested: re-checked now, whatever their tier,
        since a takedown is what the site's readers track. `listed`: url keys."""
        keys = [key for key, known in self.known.items()
                if not known.removed and key not in listed and key not in self.requested]
        self.requested.update(keys)
        self.requested_by_reason["vanished"] += len(keys)
        return [_path(self.known[key].url) for key in keys]

    def decide(self, url: str, lastmod: str | datetime | None = None) -> str | None:
        """Why to request `url` now ("new", "lastmod", "full", "due"), or None (skip, or
        already requested in this run)."""
        key = url_key(url)
        self.discovered.add(key)
        when = parse_lastmod(lastmod)
        if when is not None:
            self.lastmods[key] = max(when, self.lastmods.get(key, when))
        if key in self.requested:
            return None
        reason = self._reason(self.known.get(key), when)
        if reason is not None:
            self.requested.add(key)
            self.requested_by_reason[reason] += 1
        return reason

    def validators(self, url: str) -> dict[str, str]:
        """Conditional GET headers for a known article (none for a new one)."""
        known = self.known.get(url_key(url))
        headers = {}
        if known is not None and not known.removed:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        return headers

    def stored_new(self, key: str) -> datetime | None:
        """A new article was stored under `key`: the lastmod to store with it, if any."""
        lastmod = self.lastmods.get(key)
        if lastmod is not None:
            self.stored_lastmods[key] = lastmod
        return lastmod

    def lastmods_to_remember(self) -> dict[str, datetime]:
        """Lastmods seen this run that the archive does not hold yet: setting them again
        for every new article at the end of a 20,000-article crawl took 1.5 s."""
        return {key: lastmod for key, lastmod in self.lastmods.items() if self.stored_lastmods.get(key) != lastmod}

    @property
    def skipped(self) -> int:
        return len(self.discovered - self.requested)

    def _reason(self, known: Known | None, lastmod: datetime | None) -> str | None:
        return fetch_reason(known, lastmod, self.now, self.tiers, self.full, self.checked_since)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def load_plan(archive, settings, site: str, checked_since: datetime | None = None) -> Plan:
    """The plan from what `archive` knows of `site` and Scrapy-style `settings`."""
    from drmcrawl.storage.repository import utcnow

    return Plan(archive.known_articles(site), utcnow(), settings.get("DRMCRAWL_REVISIT") or DEFAULT_POLICY,
                settings.getbool("DRMCRAWL_FULL"), checked_since)
