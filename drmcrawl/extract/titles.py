"""Which of the titles a page gives itself is the headline.

JSON-LD `headline` is trusted first (it measured better than h1 or og:title). It gives
way to og:title in two cases, on signals that do not depend on the site:
- some CMSs fill it with a separate SEO headline: og:title wins when the three titles
  meant for people (og:title, twitter:title, the browser's <title>) all say the same
  thing and the URL slug, made from the headline the editor published, matches that
  text better than the JSON-LD one;
- JSON-LD serialisers rewrite punctuation ("Kicker - Headline" for "Kicker: Headline",
  quotes): with the same words in both, the form <title> repeats wins."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

from drmcrawl.extract.document import Document

SEPARATORS = (" - ", " – ", " — ", " | ", " :: ", " · ")
_WORD = re.compile(r"[^\W_]+")
_EXTENSION = re.compile(r"\.[a-z]{2,5}$", re.I)
# URL slugs spell umlauts out ("gruenen"), or drop their dots ("grunen"): both are tried.
_TYPOGRAPHY = str.maketrans({**dict.fromkeys("‘’‚‛‹›", "'"), **dict.fromkeys("“”„‟«»", '"'),
                             **dict.fromkeys("–—", "-")})
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def agreed_title(doc: Document, headline: str | None) -> str | None:
    """og:title, when it should replace the JSON-LD `headline` (see the module doc)."""
    og = _meta(doc, "og:title")
    twitter = _meta(doc, "twitter:title")
    element = doc.tree.find(".//title")
    page = " ".join(element.text_content().split()) if element is not None else ""
    if not (og and page and headline) or _form(og) == _form(headline):
        return None
    if _words(og) == _words(headline):  # punctuation differs
        return og if _repeats(page, og) and not _repeats(page, headline) else None
    return og if _seo_headline(headline, og, twitter, page, doc.url) else None


def _seo_headline(headline: str, og: str, twitter: str, page: str, url: str) -> bool:
    """og:title, twitter:title and <title> agree on another headline, and the URL slug
    sides with them."""
    if not twitter or _words(og) != _words(twitter) or not same_title(page, og):
        return False
    if same_title(og, headline) or same_title(headline, og):
        return False
    slug = slug_words(url)
    return slug_match(og, slug) > slug_match(headline, slug)


def same_title(longer: str, shorter: str) -> bool:
    """The same words, or `shorter` followed by a separator and more (a site name)."""
    return _words(longer) == _words(shorter) or _repeats(longer, shorter)


def _repeats(page: str, text: str) -> bool:
    """`page` is `text` as written, alone or followed by a separator and more."""
    page, text = _fold(page), _fold(text)
    return page == text or any(page.startswith(text + sep) for sep in SEPARATORS)


def slug_words(url: str) -> list[str]:
    """Words of the path segment with the most hyphens ("49-euro-ticket-pendler-...")."""
    segments = [s for s in unquote(urlsplit(url).path).split("/") if "-" in s]
    if not segments:
        return []
    segment = _EXTENSION.sub("", max(segments, key=lambda s: s.count("-")))
    return _WORD.findall(_strip_accents(segment.casefold()))


def slug_match(text: str, slug: list[str]) -> float:
    """Share of the slug's words found in `text`."""
    if not slug:
        return 0.0
    best = 0.0
    for spelled in (_fold(text), _fold(text).translate(_GERMAN)):
        words = set(_WORD.findall(_strip_accents(spelled)))
        best = max(best, sum(w in words for w in slug) / len(slug))
    return best


def _meta(doc: Document, key: str) -> str:
    return " ".join((doc.meta.get(key) or [""])[0].split())


def _words(text: str) -> list[str]:
    return _WORD.findall(_fold(text))


def _form(text: str) -> str:
    """How a headline is written, less what is only typography: quote and dash styles,
    a closing full stop."""
    return _fold(text).translate(_TYPOGRAPHY).removesuffix(".")


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
