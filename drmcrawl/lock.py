"""One crawl per database: an advisory lock file next to it.

`flock` is released by the kernel when the holder dies, so a crawl killed with -9 never
leaves a stale lock behind. The lock file says who holds it, for the error message. A
process may take the same lock twice (the CLI takes it before Scrapy starts, the crawl's
extension again); it is released when the last holder lets go."""

from __future__ import annotations

import fcntl
import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

_held: dict[Path, tuple[int, int]] = {}  # path -> (fd, holders) in this process


class CrawlLocked(RuntimeError):
    """Another crawl is writing this database."""


def lock_path(db_url: str) -> Path:
    """`<db file>.lock` for SQLite files; one per URL in data/ otherwise."""
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and db_url != "sqlite:///:memory:":
        return Path(db_url[len(prefix):] + ".lock")
    return Path("data") / f"drmcrawl-{hashlib.sha1(db_url.encode()).hexdigest()[:12]}.lock"


def acquire(path: Path) -> Path:
    """Take the lock or raise CrawlLocked naming the holder."""
    path = path.resolve()
    if path in _held:
        fd, holders = _held[path]
        _held[path] = (fd, holders + 1)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(fd)
        os.close(fd)
        raise CrawlLocked(
            f"another crawl is already writing to this database ({holder}); lock file {path}. "
            "Wait for it to finish, or stop it first."
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"pid {os.getpid()} since {datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC\n".encode())
    _held[path] = (fd, 1)
    return path


def release(path: Path) -> None:
    path = path.resolve()
    if path not in _held:
        return
    fd, holders = _held[path]
    if holders > 1:
        _held[path] = (fd, holders - 1)
        return
    del _held[path]
    os.close(fd)  # closing the descriptor drops the flock


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode(errors="replace").strip()
    except OSError:
        text = ""
    return text or "holder unknown"
