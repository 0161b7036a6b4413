"""Author strings as pages write them -> person names.

"By Jane Doe and John Roe, Reuters" -> ["Jane Doe", "John Roe"]; "Doe, Jane" -> ["Jane Doe"];
reading times, dates, e-mails, URLs and the site's own name are not people."""

from __future__ import annotations

import re

# "By" in the languages of the news we meet; matched only at the start of a name.
_BY = re.compile(
    r"^\s*(?:written\s+by|reported\s+by|posted\s+by|(?:eingestellt|erstellt|geschrieben|verfasst)\s+von|"
    r"(?:eine?\s+)?(?:kolumne|kommentar|gastbeitrag|analyse)\s+von|publié\s+par|escrito\s+por|scritto\s+da|"
    r"by|von|vom|par|por|door|av|di|da|de|"
    r"af|przez|от|автор[:\s]|tekst[:\s]|text[:\s]|author[:\s]|autor(?:in)?[:\s]|"
    r"redakteur(?:in)?[:\s]|بقلم|كتب|تحریر)(?:\s+|\s*[:\-–]\s*)", re.I)
_JOINERS = re.compile(
    r"\s*(?:,|;|\||/|&|\band\b|\bund\b|\bog\b|\bet\b|\by\b|\be\b|\bi\b|\bja\b|\bva\b|\bdan\b|"
    r"\bmit\b|\bwith\b|\bو\b|\bاور\b)\s*", re.I)  # Arabic, Urdu "and" as words, not letters
_EMAIL = re.compile(r"\S+@\S+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_DIGITS = re.compile(r"\d")
_ROLE_TAIL = re.compile(
    r"\s*[-–—(]\s*(?:staff|senior|chief|editor|correspondent|reporter|writer|contributor|"
    r"photographer|redakt|korrespond|autor|journalist).*$", re.I)
_PARENTHESIS = re.compile(r"(?<=\S)\s*\([^)]*\)?\s*$")  # "Jane Doe (Reuters)", "Jane Doe (34)"
_DOMAIN = re.compile(r"\.[a-z]{2,3}$", re.I)  # "Site.de" is the site, not a writer
_MAX_WORDS = 5
# Legal forms and site roles: the company or the web team, not a writer.
_ORGANISATION = re.compile(
    r"\b(?:GmbH|AG|KG|KGaA|Inc|Ltd|LLC|LLP|plc|S\.?A|S\.?L|S\.?p\.?A|B\.?V|N\.?V|Corp|"
    r"developers?|webmaster|administrator)\b\.?", re.I)
# "Kommentar von", "Analysis by": a label whose name is elsewhere.
_ENDS_WITH_BY = re.compile(r"\s(?:by|von|vom|par|por|door|av|af|di|da|de)$", re.I)


def clean_authors(values: list[str], site_names: tuple[str, ...] = (), keep_single: bool = False) -> list[str]:
    """Person names from raw author strings, deduplicated, page order kept. The site's
    own name, and one-word entries (desks, agencies), are dropped when a person of more
    than one word is named, unless `keep_single` (entries the page lists one by one as
    persons, like JSON-LD Person nodes: "AP" there is a credited author)."""
    names: list[str] = []
    for value in values:
        names.extend(split_names(value))
    sites = {_key(s) for s in site_names if s}
    people = [n for n in names if _key(n) not in sites]
    if not keep_single and any(" " in n for n in people):
        people = [n for n in people if " " in n or not n.isascii() and len(n) > 3]
    # Only the publisher is named: that is the author the page gives.
    return _dedupe(people or names)


_NAME_WORD = re.compile(r"^(?:[^\W\d_][\w'’.-]*|\w\.)$")
_PARTICLES = frozenset("de da di del der van von den bin ibn al el la le du dos das ter ten y".split())


def looks_like_names(names: list[str]) -> bool:
    """Every name is one to five words, each capitalised (or a particle such as "van"):
    what a byline holds, unlike "capital" or "3 Min"."""
    for name in names:
        words = name.split()
        if not 1 <= len(words) <= 5:
            return False
        for word in words:
            if not _NAME_WORD.match(word) or not (word[0].isupper() or word in _PARTICLES
                                                  or not word[0].isalpha() or not word.isascii()):
                return False
    return True


def split_names(value: str) -> list[str]:
    if not isinstance(value, str):
        return []
    text = _URL.sub(" ", _EMAIL.sub(" ", value))
    text = " ".join(text.split()).strip(" ,;|·•-–—:")
    text = _BY.sub("", text)
    swapped = _last_first(text)
    if swapped:
        return [swapped]
    parts = _JOINERS.split(text)
    return [n for n in (_one_name(p) for p in parts) if n]


def _last_first(text: str) -> str | None:
    """Library style "Doe, Jane" (one comma, one or two words each side, no joiners)."""
    if text.count(",") != 1:
        return None
    last, first = (p.strip() for p in text.split(","))
    if not (1 <= len(last.split()) <= 2 and len(first.split()) == 1):
        return None
    if not (last[:1].isupper() and first[:1].isupper()) or _DIGITS.search(text):
        return None
    # "Jane Doe, Reuters" has the agency second; a surname list has the given name second,
    # which is one short word. Agencies are usually all caps or known words; keep it simple:
    if first.isupper() and len(first) > 1:
        return None
    return f"{first} {last}" if len(last.split()) == 1 and len(first) > 1 and _looks_given(first) else None


def _looks_given(word: str) -> bool:
    return word[:1].isupper() and word[1:].islower()


_ABBREVIATED_END = re.compile(r"(?:\s[A-Z]|\bJr|\bSr)$")


def _one_name(part: str) -> str | None:
    if _BY.fullmatch(part + " "):
        return None  # the word "By" alone, its name elsewhere
    part = _ROLE_TAIL.sub("", _PARENTHESIS.sub("", _BY.sub("", part)))
    trimmed = part.strip(" .,:;-–—()[]\"'“”")
    # The full stop of a closing initial or "Jr." is part of the name as the site writes it.
    if trimmed and part.lstrip(" ,:;-–—()[]\"'“”").startswith(trimmed + ".") and _ABBREVIATED_END.search(trimmed):
        trimmed += "."
    part = trimmed
    if not part or _DIGITS.search(part) or len(part) < 2:
        return None
    if len(part.split()) > _MAX_WORDS or _DOMAIN.search(part) or _ENDS_WITH_BY.search(part):
        return None
    return part


def looks_like_organisation(name: str) -> bool:
    return bool(_ORGANISATION.search(name))


def _key(name: str) -> str:
    return re.sub(r"\W+", "", name.casefold())


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for n in names:
        if _key(n) not in seen:
            seen.add(_key(n))
            out.append(n)
    return out
