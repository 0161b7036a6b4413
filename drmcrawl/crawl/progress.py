"""Progress a person can read: per site, articles found / to fetch this run / stored /
failed, pages per second and the time left from the plan.

Off a terminal (or with -q) it is the session's periodic log line (`progress_line`); on
a terminal a live `rich` table (`LiveProgress`) refreshed twice a second by a Twisted
LoopingCall that only reads the sessions' plain counters: nothing in the crawl's path
waits for it. Every number comes from the crawl session (`counts`, `plan`)."""

from __future__ import annotations

from dataclasses import dataclass

from drmcrawl.storage.repository import utcnow

REFRESH_SECONDS = 0.5


@dataclass(frozen=True)
class SiteProgress:
    site: str
    found: int  # distinct article URLs discovery found
    to_fetch: int  # article pages this run asks for (the plan's requests)
    stored: int  # new + updated + unchanged
    failed: int
    done: int  # article requests answered (stored, failed, not an article, removed)
    pages: int  # pages fetched (articles and navigation)
    seconds: float  # since the run started

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        """From the plan: the requests not answered yet at the rate answers came so far."""
        left = max(self.to_fetch - self.done, 0)
        if left == 0:
            return 0.0
        if not self.done or self.seconds <= 0:
            return None
        return left * self.seconds / self.done


def snapshot(session, now=None) -> SiteProgress:
    """The progress of one `CrawlSession`, read from its counters and plan."""
    counts = session.counts
    stored = counts["articles_new"] + counts["articles_updated"] + counts["articles_unchanged"]
    done = (stored + counts["articles_failed"] + counts["articles_removed"] + counts["still_removed"]
            + counts["duplicates_dropped"] + counts["dropped/invalid_article"] + sum(session.non_articles.values()))
    started = getattr(session, "started_at", None)
    seconds = ((now or utcnow()) - started).total_seconds() if started is not None else 0.0
    return SiteProgress(session.site.name, len(session.plan.discovered), len(session.plan.requested), stored,
                        counts["articles_failed"], done, session.pages_fetched(), seconds)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def progress_line(p: SiteProgress) -> str:
    """The log line off a terminal, one per site."""
    return (f"progress: {p.site}: articles found {p.found}, to fetch {p.to_fetch}, stored {p.stored}, "
            f"failed {p.failed}; {p.pages} pages, {p.pages_per_second:.1f} pages/s; "
            f"time left {duration(p.seconds_left)}")


def progress_table(rows: list[SiteProgress]):
    """The live display: a rich Table, one row per site."""
    from rich import box
    from rich.table import Table

    table = Table(title="drmcrawl: articles per site", title_justify="left", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False, collapse_padding=True)
    table.add_column("site", no_wrap=True, overflow="ellipsis", max_width=28)
    for name in ("found", "to fetch", "stored", "failed", "pages/s", "time left"):
        table.add_column(name, justify="right", no_wrap=True)
    for p in rows:
        table.add_row(p.site, str(p.found), str(p.to_fetch), str(p.stored), str(p.failed),
                      f"{p.pages_per_second:.1f}", duration(p.seconds_left))
    return table


class LiveProgress:
    """A live table of the crawlers' sessions on the terminal (stderr), refreshed from a
    LoopingCall in the reactor while it runs. `start()` before the reactor starts,
    `stop()` after it stopped."""

    def __init__(self, crawlers, console=None, every: float = REFRESH_SECONDS):
        from rich.console import Console

        self.crawlers = list(crawlers)
        self.console = console or Console(stderr=True)
        self.every = every
        self._live = None
        self._loop = None

    def sessions(self) -> list:
        from drmcrawl.crawl.session import CrawlSession

        found = []
        for crawler in self.crawlers:
            try:
                session = CrawlSession.of(crawler)
            except RuntimeError:  # its spider is not created yet
                continue
            session.live_progress = True  # the log line would tear the display
            if session.is_open:
                found.append(session)
        return found

    def renderable(self):
        return progress_table([snapshot(s) for s in self.sessions()])

    def refresh(self) -> None:
        if self._live is not None:
            self._live.update(self.renderable(), refresh=True)

    def start(self) -> None:
        import logging
        import sys

        from rich.live import Live
        from twisted.internet import reactor
        from twisted.internet.task import LoopingCall

        before = sys.stderr
        self._live = Live(self.renderable(), console=self.console, auto_refresh=False, transient=False)
        self._live.start()
        # Log records go above the table (through rich's proxy of stderr) instead of tearing it.
        self._streams = [(handler, handler.setStream(sys.stderr)) for handler in logging.getLogger().handlers
                         if isinstance(handler, logging.StreamHandler) and handler.stream is before
                         and sys.stderr is not before]
        self._loop = LoopingCall(self.refresh)
        reactor.callWhenRunning(self._loop.start, self.every, now=True)

    def stop(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self._live is not None:
            self.refresh()  # the final numbers stay on the screen
            self._live.stop()
            self._live = None
        for handler, stream in getattr(self, "_streams", ()):
            handler.setStream(stream)
        self._streams = []
