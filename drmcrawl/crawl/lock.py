"""One crawl per database: an advisory lock file next to it.

`flock` is released by the kernel when the holder dies, so a crawl killed with -9 never
leaves a stale lock behind. The lock file says who holds it, for the error message. A
process may take the same lock twice (the CLI takes it before Scrapy starts, the crawl's
extension again); it is released when the last holder lets go.

The workers of one shared crawl (`crawl --frontier`) take it shared: they run together,
a plain crawl on the same machine still waits for them (and they for it). Which run the
workers belong to is checked in Redis (crawl/frontier.py `claim_database`), so two
different shared runs exclude each other on any machine."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from drmcrawl.storage import StorageError

_held: dict[Path, tuple[int, int]] = {}  # path -> (fd, holders) in this process


class CrawlLocked(StorageError):
    """Another crawl is writing this database (a StorageError: the CLI shows `Error: ...`)."""


def lock_path(db_url: str) -> Path:
    """`<db file>.lock` for SQLite files (also `sqlite:///file:PATH?mode=ro&uri=true`);
    one per URL in data/ otherwise."""
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        if url.query.get("uri") == "true" and database.startswith("file:"):
            database = database[len("file:"):]
        return Path(database + ".lock")
    return Path("data") / f"drmcrawl-{hashlib.sha1(db_url.encode()).hexdigest()[:12]}.lock"


@contextmanager
def crawl_lock(db_url: str, shared: bool = False) -> Iterator[Path]:
    """Hold the database's crawl lock for the duration of a `with` block."""
    path = acquire(lock_path(db_url), shared)
    try:
        yield path
    finally:
        release(path)


class CrawlLockExtension:
    """Takes the lock for `scrapy crawl` too (the CLI already holds it: taken twice, fine).
    Raising here stops the crawl before any request or database write."""

    def __init__(self, crawler):
        from scrapy import signals

        from drmcrawl.storage import resolve_db_url

        db = resolve_db_url(crawler.settings.get("DRMCRAWL_DB"))
        self.path = acquire(lock_path(db),
                            shared=bool(crawler.settings.get("DRMCRAWL_FRONTIER")) and not db.startswith("sqlite"))
        crawler.signals.connect(self.engine_stopped, signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def engine_stopped(self) -> None:
        release(self.path)


def acquire(path: Path, shared: bool = False) -> Path:
    """Take the lock (shared: with other holders taking it shared) or raise CrawlLocked
    naming the holder."""
    path = path.resolve()
    if path in _held:
        fd, holders = _held[path]
        _held[path] = (fd, holders + 1)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(fd)
        os.close(fd)
        raise CrawlLocked(
            f"another crawl is already writing to this database ({holder}); lock file {path}. "
            "Wait for it to finish, or stop it first."
        ) from None
    if shared:  # the other holders' line stays; this one is added
        os.lseek(fd, 0, os.SEEK_END)
    else:
        os.ftruncate(fd, 0)
    since = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC"
    os.write(fd, f"{'worker ' if shared else ''}pid {os.getpid()} since {since}\n".encode())
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
