"""Text for human-readable output: what the archive stores is the pages' own text, and a
page can carry terminal control sequences (ESC, BEL, OSC titles and hyperlinks, C1
controls). Table output never passes them to the terminal; json, jsonl and csv keep the
stored text exactly (JSON escapes controls itself). And writing to standard output: a
failed write is an error, never a silent partial output."""

from __future__ import annotations

import os
import re
import sys

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


def to_stdout(action):
    """Run `action` (which writes to standard output) and flush: a failed or short write
    (a full disk) is `Error: cannot write standard output: ...`, exit 1. A reader that
    closed the pipe (`drmcrawl list | head`) took what it wanted: a quiet stop, as for any
    Unix filter.
    What could not be written is then dropped (stdout pointed at /dev/null), so Python's
    own flush at exit cannot fail again with a traceback and another exit code."""
    import click

    from drmcrawl.cli.common import run

    def guarded():
        try:
            result = action()
            sys.stdout.flush()
            return result
        except BrokenPipeError:
            _discard_stdout()
            raise SystemExit(0) from None
        except OSError as exc:
            _discard_stdout()
            message = str(exc) if str(exc).startswith("cannot write") else exc.strerror or str(exc)
            if not message.startswith("cannot write"):
                message = f"cannot write standard output: {message}"
            raise click.ClickException(message) from exc

    return run(guarded)


def writes_stdout(command):
    """A command whose whole output goes to stdout (stats, history, runs): `to_stdout`
    around its body."""
    import functools

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        return to_stdout(lambda: command(*args, **kwargs))

    return wrapper


def _discard_stdout() -> None:
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (a test runner's buffer)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
