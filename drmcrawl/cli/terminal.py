"""Text for human-readable output: what the archive stores is the pages' own text, and a
page can carry terminal control sequences (ESC, BEL, OSC titles and hyperlinks, C1
controls). Table output never passes them to the terminal; json, jsonl and csv keep the
stored text exactly (JSON escapes controls itself)."""

from __future__ import annotations

import re

# Whole escape sequences first (so no `]0;title` remnant is printed), then any control left:
# OSC/DCS/APC/PM/SOS strings up to BEL or ST, CSI sequences, two-character ESC sequences,
# in their 7-bit (ESC x) and 8-bit (C1) forms.
_SEQUENCES = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n]")


def printable(text: object, lines: bool = False) -> str:
    """`text` without C0/C1 control characters and escape sequences. Tab and newline stay
    only with lines=True (multi-line blocks such as a diff); otherwise they become spaces,
    so one value stays on its table line. None is ''."""
    if text is None:
        return ""
    text = _CONTROLS.sub("", _SEQUENCES.sub("", str(text)))
    return text if lines else _LINE_BREAKS.sub(" ", text)
