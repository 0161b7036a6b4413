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
SAMPLE_CHARS = 1500  # about 250 words: enough to tell a language; reading more costs time, not accuracy
_WORD = re.compile(r"[^\W\d_]+")

# Scripts that name one language here, as character classes (counted by the regex engine:
# a Python test per letter cost half a millisecond a page).
_SCRIPTS = tuple((re.compile(f"[{ranges}]"), language) for ranges, language in (
    ("\u0400-\u04ff", "ru"), ("\u0370-\u03ff", "el"), ("\u0590-\u05ff", "he"), ("\u0900-\u097f", "hi"),
    ("\u0980-\u09ff", "bn"), ("\u0a00-\u0a7f", "pa"), ("\u0b80-\u0bff", "ta"), ("\u0e00-\u0e7f", "th"),
    ("\u3040-\u30ff", "ja"), ("\uac00-\ud7af", "ko"), ("\u4e00-\u9fff", "zh"),
))
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_URDU_LETTERS = re.compile("[ٹڈڑںےۓھ]")  # not in Arabic or Persian text
_PERSIAN_LETTERS = re.compile("[پچژگ]")  # Persian and Urdu, not Arabic
_UKRAINIAN_LETTERS = re.compile("[ієїґ]")

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
    sample = text[:SAMPLE_CHARS]
    letters = sum(map(str.isalpha, sample))
    if letters < MIN_WORDS * 3:
        return None
    if len(_LATIN.findall(sample)) >= 0.6 * letters:
        return _latin_language(sample)
    arabic = len(_ARABIC.findall(sample))
    if arabic >= 0.6 * letters:
        if len(_URDU_LETTERS.findall(sample)) >= 0.01 * arabic:
            return "ur"
        return "fa" if len(_PERSIAN_LETTERS.findall(sample)) >= 0.005 * arabic else "ar"
    for script, language in _SCRIPTS:
        if len(script.findall(sample)) >= 0.6 * letters:
            return "uk" if language == "ru" and _UKRAINIAN_LETTERS.search(sample) else language
    return None


def _latin_language(text: str) -> str | None:
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return None
    counts = Counter(words)
    hits = Counter({lang: sum(counts[w] for w in vocabulary) for lang, vocabulary in _WORDS_OF.items()})
    (best, first), (_, second) = hits.most_common(2)
    if first < 0.08 * len(words) or first < 2 * second:
        return None
    return best
