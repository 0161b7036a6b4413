"""Date parsing: timezone-aware results, naive values placed in the site's zone."""

from __future__ import annotations

import re
import warnings
from datetime import datetime, tzinfo

from dateutil import parser, tz

# Visible JNews dates may read "<published> - Updated on <modified>".
_UPDATED_ON = re.compile(r"\s*[-–—]?\s*updated\s+on\s*", re.I)
# Human dates must name a year: fuzzy parsing fills anything missing from *today*.
_HAS_YEAR = re.compile(r"\b\d{4}\b")
# Zone abbreviations printed in human dates ("12:30 CEST"), as UTC offsets in seconds.
# Only unambiguous ones: "IST" (India, Ireland, Israel) and "CST" (US, China) are left
# out, so such dates stay naive and take the site's zone, if any.
_ZONE_NAMES = {
    "UTC": 0, "GMT": 0, "WET": 0, "WEST": 3600, "BST": 3600, "CET": 3600, "CEST": 7200,
    "MEZ": 3600, "MESZ": 7200, "EET": 7200, "EEST": 10800, "MSK": 10800, "PKT": 18000,
    "JST": 32400, "KST": 32400, "AEST": 36000, "AEDT": 39600, "EST": -18000, "EDT": -14400,
    "MST": -25200, "MDT": -21600, "PST": -28800, "PDT": -25200,
}
# Without an (English) month name, fuzzy parsing needs day, month and year as numbers:
# "6. Mai 2024" would otherwise come back as June 1st.
_MONTH_NAME = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?![a-z])", re.I)
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?")
# 06.05.2024 is day first everywhere, and so is 06-05-2024 (US dates use slashes).
_DOTTED = re.compile(r"\b\d{1,2}([.-])\d{1,2}\1\d{2,4}\b")
_EARLIEST_YEAR = 1990
_LATEST_YEAR = 2100


def site_zone(name: str | None) -> tzinfo | None:
    """A zone by IANA name; dateutil falls back to its bundled database when the
    system has none (minimal containers)."""
    return tz.gettz(name) if name else None


def parse_date(value: object, zone: tzinfo | None = None) -> datetime | None:
    """Parse an ISO 8601 / RFC 822 / human date. Naive results get `zone`, and stay
    naive when no zone is known. Absurd years are rejected as None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = parser.isoparse(text)
    except (ValueError, OverflowError):
        if not _HAS_YEAR.search(text):
            return None
        if not _MONTH_NAME.search(text) and len(re.findall(r"\d+", _CLOCK.sub(" ", text))) < 3:
            return None
        try:
            with warnings.catch_warnings():  # an unknown zone name leaves the value naive
                warnings.simplefilter("ignore", parser.UnknownTimezoneWarning)
                parsed = parser.parse(text, fuzzy=True, tzinfos=_ZONE_NAMES,
                                      dayfirst=bool(_DOTTED.search(text)))
        except (ValueError, OverflowError, parser.ParserError):
            return None
    if not _EARLIEST_YEAR <= parsed.year <= _LATEST_YEAR:
        return None
    if parsed.tzinfo is None and zone is not None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def split_visible_date(text: str) -> tuple[str, str | None]:
    """("Jan 1, 2024 - Updated on Feb 2, 2024") -> ("Jan 1, 2024", "Feb 2, 2024")."""
    parts = _UPDATED_ON.split(text.strip(), maxsplit=1)
    if len(parts) == 2:
        return parts[0], parts[1]
    return text.strip(), None


def in_zone(value: datetime | None, zone: tzinfo | None) -> datetime | None:
    """Express an aware time in the site's zone (same instant), so the date part is the
    calendar day the site showed its readers."""
    if value is None or zone is None or value.tzinfo is None:
        return value
    return value.astimezone(zone)


# -- dates as pages print them ---------------------------------------------------------
# Month names (and their usual abbreviations) of the languages news pages are most often
# written in; a printed date names its month in the page's language.
_MONTHS: dict[str, int] = {}
for _number, _spellings in enumerate((
    "january jan januar janvier enero ene gennaio gen janeiro januari jänner jän",
    "february feb februar février fevrier febrero febbraio fevereiro februari",
    "march mar märz maerz mrz mars marzo março marco maart",
    "april apr avril abril aprile",
    "may mai mayo maggio maio mei",
    "june jun juni juin junio giugno junho",
    "july jul juli juillet julio luglio julho",
    "august aug août aout agosto augustus ago",
    "september sep sept septembre septiembre settembre setembro set",
    "october oct oktober octobre octubre ottobre outubro okt out",
    "november nov novembre noviembre novembro",
    "december dec dezember décembre decembre diciembre dicembre dezembro dic dez",
), start=1):
    for _name in _spellings.split():
        _MONTHS.setdefault(_name, _number)
_DAY_MONTH_YEAR = re.compile(
    r"(?<![\d.])(\d{1,2})(?:\.|er|st|nd|rd|th|º)?\s+(?:de\s+)?([^\W\d_]{3,10})\.?,?\s+(?:de\s+)?((?:19|20)\d\d)(?!\d)")
_MONTH_DAY_YEAR = re.compile(r"\b([^\W\d_]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)(?!\d)")
_NUMERIC_DATE = re.compile(r"(?<![\d./-])(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?![\d./-])")


def printed_day(text: str, month_first: bool = False) -> tuple[int, int, int] | None:
    """(year, month, day) of the first date printed in `text`: "19. Oktober 2019",
    "3 de mayo de 2022", "Mar 12, 2020", "12.01.2022", "2022-01-12", "20/1/2026"
    (month first only when `month_first`: US pages). None when there is none."""
    found = []
    for match in _DAY_MONTH_YEAR.finditer(text):
        month = _MONTHS.get(match.group(2).casefold())
        if month:
            found.append((match.start(), (int(match.group(3)), month, int(match.group(1)))))
            break
    for match in _MONTH_DAY_YEAR.finditer(text):
        month = _MONTHS.get(match.group(1).casefold())
        if month:
            found.append((match.start(), (int(match.group(3)), month, int(match.group(2)))))
            break
    for match in _NUMERIC_DATE.finditer(text):
        first, sep, second, last = match.group(1), match.group(2), int(match.group(3)), match.group(4)
        if len(first) == 4 and sep == "-":
            day = (int(first), second, int(last))
        elif len(first) <= 2 and len(last) in (2, 4):
            a, year = int(first), int(last) + (2000 if len(last) == 2 else 0)
            us = sep == "/" and month_first and a <= 12 or second > 12
            day = (year, a, second) if us else (year, second, a)
        else:
            continue
        found.append((match.start(), day))
        break
    for _, (year, month, day) in sorted(found):
        if _EARLIEST_YEAR <= year <= _LATEST_YEAR and 1 <= month <= 12 and 1 <= day <= 31:
            try:
                datetime(year, month, day)
            except ValueError:
                continue
            return year, month, day
    return None
