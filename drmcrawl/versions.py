"""What counts as a change of an article, and how two versions read side by side.

A version is the normalised content: title, authors, dates, tags, categories, body.
Whitespace and Unicode composition differences are not edits (templates reflow text);
anything else is."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata

VERSION_FIELDS = (
    "title", "authors", "published", "modified", "tags", "tag_slugs", "categories", "category_slugs", "body",
)
_SPACES = re.compile(r"[^\S\n]+")
# Where `_SPACES.sub(" ", ...)` would change anything: a space other than " " (tab, NBSP,
# thin space...) or two in a row. Extracted text seldom has either, and finding none is
# one scan, where the substitution rebuilt the text at every single space between words.
_SPACES_TO_MEND = re.compile(r"[^\S\n ]| {2}")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalise_text(value: str | None) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    # Skipped when it would change nothing but the text's two ends, which strip() below
    # does: spaces are single by then, so only a space next to a newline would be stripped.
    if _SPACES_TO_MEND.search(text) or " \n" in text or "\n " in text:
        # One pass over the whole text, not one per line: the runs never span a newline.
        text = "\n".join(line.strip() for line in _SPACES.sub(" ", text).split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def normalised(record: dict) -> dict:
    """The versioned part of a record, normalised."""
    out: dict = {}
    for name in VERSION_FIELDS:
        value = record.get(name)
        if isinstance(value, list):
            value = [normalise_text(v) if isinstance(v, str) else v for v in value]
        elif isinstance(value, str):
            value = normalise_text(value)
        out[name] = value
    return out


def content_digest(record: dict) -> str:
    payload = json.dumps(normalised(record), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def readable(record: dict) -> list[str]:
    """A version as lines a person can diff: one line per field, the body one line per
    paragraph."""
    content = normalised(record)
    lines = []
    for name in VERSION_FIELDS:
        if name == "body":
            continue
        value = content[name]
        shown = "; ".join("" if v is None else str(v) for v in value) if isinstance(value, list) else value
        lines.append(f"{name}: {shown if shown is not None else ''}")
    lines.append("body:")
    lines.extend(p for p in (content["body"] or "").split("\n") if p)
    return lines


def diff(old: dict, new: dict, old_label: str, new_label: str, context: int = 2) -> list[str]:
    """Unified diff of two records' readable forms ([] when the content is the same)."""
    return list(difflib.unified_diff(readable(old), readable(new), old_label, new_label, n=context, lineterm=""))
