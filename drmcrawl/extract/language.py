"""The language of an article's text, to check what the page declares (`<html lang>`,
`og:locale`, JSON-LD `inLanguage`): templates declare the site's language on every page,
so a page in another language often declares the wrong one.

Scripts decide most languages outright; Arabic script is told apart by the letters only
Urdu or Persian use; Latin-script languages by their most frequent function words. None
when the text is too short or no language clearly leads (the declaration then stands)."""

from __future__ import annotations

import re
from collections import Counter

MIN_WORDS = 20
_WORD = re.compile(r"[^\W\d_]+")

# Unicode ranges of scripts that name one language here.
_SCRIPTS = (
    ((0x0400, 0x04FF), "ru"), ((0x0370, 0x03FF), "el"), ((0x0590, 0x05FF), "he"), ((0x0900, 0x097F), "hi"),
    ((0x0980, 0x09FF), "bn"), ((0x0A00, 0x0A7F), "pa"), ((0x0B80, 0x0BFF), "ta"), ((0x0E00, 0x0E7F), "th"),
    ((0x3040, 0x30FF), "ja"), ((0xAC00, 0xD7AF), "ko"), ((0x4E00, 0x9FFF), "zh"),
)
_ARABIC = ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
_URDU_LETTERS = set("ٹڈڑںےۓھ")  # not in Arabic or Persian text
_PERSIAN_LETTERS = set("پچژگ")  # Persian and Urdu, not Arabic
_UKRAINIAN_LETTERS = set("ієїґ")

_FUNCTION_WORDS = {
    "en": "the of and to in is that for it with as was on are by this be from at or have an not",
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch",
    "fr": "le la les de des et en un une est du que qui dans pour pas sur au par avec il",
    "es": "el la de que y en los del se las por un una para con no es al lo como",
    "it": "il di che la e per un una in del della non sono le gli da con si al",
    "pt": "o a de que e do da em um para com não uma os no se na por mais as dos",
    "nl": "de het een en van in is dat op te voor niet met zijn er aan ook als",
    "sv": "och att det som en på är av för med till den har de inte om ett",
    "pl": "i w na z nie się do że to jest jak o po co ale przez od",
    "tr": "ve bir bu da de için ile olarak çok daha gibi olan en ama kadar",
    "id": "yang dan di itu dengan untuk tidak ini dari dalam akan pada juga",
}
_WORDS_OF = {lang: frozenset(words.split()) for lang, words in _FUNCTION_WORDS.items()}


def text_language(text: str | None) -> str | None:
    """ISO 639-1 code of `text`'s language, or None when unsure."""
    if not text:
        return None
    letters = [ch for ch in text[:20_000] if ch.isalpha()]
    if len(letters) < MIN_WORDS * 3:
        return None
    scripts = Counter(_script(ch) for ch in letters)
    script, count = scripts.most_common(1)[0]
    if count < 0.6 * len(letters):
        return None
    if script == "arabic":
        return _arabic_script_language(letters)
    if script == "ru":
        return "uk" if any(ch in _UKRAINIAN_LETTERS for ch in letters) else "ru"
    if script != "latin":
        return script
    return _latin_language(text)


def _script(ch: str) -> str:
    code = ord(ch)
    if code < 0x0250:
        return "latin"
    if any(low <= code <= high for low, high in _ARABIC):
        return "arabic"
    for (low, high), language in _SCRIPTS:
        if low <= code <= high:
            return language
    return "other"


def _arabic_script_language(letters: list[str]) -> str:
    urdu = sum(ch in _URDU_LETTERS for ch in letters)
    if urdu >= 0.01 * len(letters):
        return "ur"
    return "fa" if sum(ch in _PERSIAN_LETTERS for ch in letters) >= 0.005 * len(letters) else "ar"


def _latin_language(text: str) -> str | None:
    words = [w.lower() for w in _WORD.findall(text[:20_000])]
    if len(words) < MIN_WORDS:
        return None
    hits = Counter({lang: sum(w in vocabulary for w in words) for lang, vocabulary in _WORDS_OF.items()})
    (best, first), (_, second) = hits.most_common(2)
    if first < 0.08 * len(words) or first < 2 * second:
        return None
    return best
