"""Which known articles an incremental crawl asks for again. Pure functions.

A repeat crawl fetches an article when it is new, when the sitemap's `lastmod` is newer
than the one seen when it was last fetched, or when it is due under the revisit policy:
recent articles are re-checked often, old ones rarely (they do still get edited or taken
down). `--full` re-checks everything. A resumed run skips what the interrupted run checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from dateutil import parser as dateparser

from drmcrawl.model import Known

# "max age in days:re-check interval in days", youngest first; "*" = any older age.
DEFAULT_POLICY = "7:0.25,30:1,365:7,*:30"


@dataclass(frozen=True)
class Tier:
    max_age: timedelta | None  # None: any age
    every: timedelta


def parse_policy(text: str) -> list[Tier]:
    """"7:0.25,30:1,*:30" -> tiers. Raises ValueError with the offending part."""
    tiers = []
    for part in (p.strip() for p in str(text).split(",") if p.strip()):
        age, sep, every = part.partition(":")
        try:
            if not sep:
                raise ValueError
            max_age = None if age.strip() == "*" else timedelta(days=float(age))
            tiers.append(Tier(max_age, timedelta(days=float(every))))
        except ValueError:
            raise ValueError(
                f"bad revisit policy part {part!r}: expected AGE_DAYS:EVERY_DAYS or *:EVERY_DAYS") from None
    if not tiers:
        raise ValueError("empty revisit policy")
    return sorted(tiers, key=lambda t: t.max_age if t.max_age is not None else timedelta.max)


def parse_lastmod(value: str | datetime | None) -> datetime | None:
    """A sitemap lastmod (text, or a datetime already parsed) as naive UTC; None when
    absent or unreadable."""
    if not value:
        return None
    try:
        parsed = value if isinstance(value, datetime) else dateparser.isoparse(value.strip())
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def interval(known: Known, now: datetime, tiers: list[Tier]) -> timedelta:
    age = now - (known.published or known.first_seen)
    for tier in tiers:
        if tier.max_age is None or age <= tier.max_age:
            return tier.every
    return tiers[-1].every


def fetch_reason(known: Known | None, lastmod: datetime | None, now: datetime, tiers: list[Tier],
                 full: bool = False, checked_since: datetime | None = None) -> str | None:
    """Why to fetch this article now ("new", "lastmod", "full", "due"), or None to skip.
    `checked_since`: a resumed run's start of the interrupted run; what was checked
    after it is done."""
    if known is None:
        return "new"
    if checked_since is not None and known.last_checked is not None and known.last_checked >= checked_since:
        return None  # the interrupted run fetched it already, as of any lastmod listed now
    newer = lastmod is not None and (known.sitemap_lastmod is None or lastmod > known.sitemap_lastmod)
    if newer:
        return "lastmod"
    if full:
        return "full"
    if known.last_checked is None or now - known.last_checked >= interval(known, now, tiers):
        return "due"
    return None
