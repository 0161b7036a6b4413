"""Writing a file the user named (-o, bundle files, the report) without ever losing what
was there: a regular file (or a missing one) is written to a temporary file in the same
folder and renamed over the target only once everything was written and flushed; on any
failure only the temporary file goes. A device, FIFO or anything else that is not a
regular file (`-o /dev/full`, a link to /proc/self/fd/1) is written in place and never
removed or replaced; `-` is standard output. A short or failed write is an OSError
naming the target, never a silent partial file."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

STDOUT = "-"


def is_stdout(path: str | os.PathLike) -> bool:
    return str(path) == STDOUT


def check_target(path: str | os.PathLike, force: bool = False) -> None:
    """Refuse early (before any work) what `output_file` would refuse: an existing regular
    file without force."""
    if not is_stdout(path) and not force and os.path.isfile(path):
        raise FileExistsError(f"{path} exists (use --force to overwrite)")


@contextmanager
def output_file(path: str | os.PathLike, force: bool = False, binary: bool = False) -> Iterator[IO]:
    """An open handle for writing `path` (text: UTF-8, newlines untranslated). A regular
    file that exists is replaced only with force."""
    name = str(path)
    if is_stdout(name):
        out = sys.stdout.buffer if binary else sys.stdout
        with _failures(STDOUT):
            yield out
            out.flush()
        return
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with _failures(name):
            with _open(name, "w", binary) as out:  # the device or pipe itself: nothing to replace
                yield out
        return
    if mode is not None and not force:
        raise FileExistsError(f"{name} exists (use --force to overwrite)")
    yield from _replace(Path(os.path.realpath(name)), name, mode, force, binary)


def _replace(target: Path, name: str, mode: int | None, force: bool, binary: bool) -> Iterator[IO]:
    with _failures(name):
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with _failures(name):
            with open(fd, "wb" if binary else "w", **({} if binary else _TEXT)) as out:
                yield out
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
            if force:
                os.replace(temporary, target)
            else:
                _link_new(temporary, target, name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _link_new(temporary: str, target: Path, name: str) -> None:
    """Put the finished file at `target` unless something appeared there meanwhile."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise FileExistsError(f"{name} exists (use --force to overwrite)") from None
    except OSError:  # a filesystem without hard links
        if os.path.lexists(target):
            raise FileExistsError(f"{name} exists (use --force to overwrite)") from None
        os.replace(temporary, target)
        return
    os.unlink(temporary)


_TEXT = {"encoding": "utf-8", "newline": ""}


def _open(name: str, mode: str, binary: bool) -> IO:
    return open(name, mode + "b") if binary else open(name, mode, **_TEXT)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def _failures(name: str) -> Iterator[None]:
    """An OSError while writing says which output failed and why, in one line."""
    try:
        yield
    except FileExistsError:
        raise
    except OSError as exc:
        target = "standard output" if name == STDOUT else name
        error = OSError(f"cannot write {target}: {exc.strerror or exc}")
        error.errno = exc.errno
        raise error from exc
