"""The article window: at most N article requests scheduled and not yet answered.

The sitemaps list every article in a crawl's first seconds. Queued as Scrapy requests
(about 1 KB each), a 20,000-article crawl's process grew with the site; what waits here
is a (url, found_in, lastmod) tuple. benchmarks/README.md has the measurements."""

from __future__ import annotations

from collections import deque

ARTICLE_WINDOW = 512  # keeps the 64 requests in flight on a local mirror fed


class ArticleWindow:
    def __init__(self, size: int = ARTICLE_WINDOW):
        self.size = max(1, size)
        self.waiting: deque[tuple[str, str, str | None]] = deque()
        self.unanswered = 0  # article requests made and not yet seen by a callback

    def admit(self, url: str, found_in: str, lastmod: str | None) -> bool:
        """True: request it now. False: it waits for an answer to make room."""
        if self.unanswered < self.size:
            return True
        self.waiting.append((url, found_in, lastmod))
        return False

    def requested(self) -> None:
        self.unanswered += 1

    def answered(self) -> None:
        self.unanswered -= 1

    def next_waiting(self):
        """What may be requested now, one by one, while there is room."""
        while self.waiting and self.unanswered < self.size:
            yield self.waiting.popleft()

    def reopen(self) -> None:
        """Nothing is in flight (the crawl is idle): a request dropped on the way, that
        never reached a callback, must not hold the window shut."""
        self.unanswered = 0

    def clear(self) -> None:
        self.waiting.clear()
