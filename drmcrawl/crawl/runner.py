"""Run a spider in this process and report what the run did."""

from __future__ import annotations

import gc

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from drmcrawl.crawl.session import CrawlResult, CrawlSession

# Young-generation threshold of the collector while a crawl runs (CPython's default: 700).
# Measured on the 5,000-page benchmark mirror, time in collections of the crawl's process:
# 2.3 s by default, 1.2 s with the start-up heap frozen (`_collect_less`), 0.35 s with
# this threshold too, at the same peak RSS (181-182 MB): most allocations are freed by
# reference counting, and a larger threshold scans the pages in flight less often.
YOUNG_THRESHOLD = 10_000


def project_settings(**overrides) -> Settings:
    """The project's settings without needing scrapy.cfg in the working directory."""
    settings = Settings()
    settings.setmodule("drmcrawl.crawl.settings", priority="project")
    for name, value in overrides.items():
        if value is not None:
            settings.set(name, value, priority="cmdline")
    return settings


def _callers_log_level() -> None:
    """Creating the CrawlerProcess set Scrapy's logger to DEBUG (its DEFAULT_LOGGING). It
    inherits the caller's level again: at DEBUG each response and item built a log record
    only for the caller's handler to drop it: 1.8% of the crawl process's samples (py-spy)."""
    import logging

    logging.getLogger("scrapy").setLevel(logging.NOTSET)


def _collect_less() -> None:
    """Before the crawl starts: what exists now (modules, Scrapy's components, settings)
    lives until the process exits, and a reactor runs once per process, so this process
    is the crawl's. Freezing it keeps every full collection from scanning it again
    (CPython's advice for long-lived objects, `gc.freeze`), the last one at exit
    included: the process ended 0.35 s sooner after a 5,000-page crawl. No collection
    first: it found no garbage when tried here, and took 0.07 s."""
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def run_crawl(spider: str | None = None, base_url: str | None = None, db: str | None = None,
              max_articles: int | None = None, settings: dict | None = None) -> CrawlResult:
    """Raises StorageError (CrawlLocked included) before fetching anything when another
    crawl holds the database or it cannot be written."""
    from drmcrawl import sites
    from drmcrawl.crawl.lock import crawl_lock
    from drmcrawl.crawl.safety import prepare_archive
    from drmcrawl.storage import resolve_db_url

    spider = spider or sites.DEFAULT
    if spider not in sites.names():
        raise ValueError(f"unknown site {spider!r}; available: {', '.join(sites.names())}")
    with crawl_lock(resolve_db_url(db)):
        prepare_archive(db)
        return _run_locked(spider, base_url, db, max_articles, settings)


def _run_locked(spider: str, base_url: str | None, db: str | None, max_articles: int | None,
                settings: dict | None) -> CrawlResult:
    overrides = dict(settings or {})
    overrides["DRMCRAWL_DB"] = db
    # Logging belongs to the caller (the CLI), not to Scrapy.
    overrides["LOG_INSTALL_ROOT_HANDLER"] = False
    process = CrawlerProcess(project_settings(**overrides))
    _callers_log_level()
    kwargs = {"max_articles": max_articles}
    if base_url:
        kwargs["base_url"] = base_url
    crawler = process.create_crawler(spider)
    not_started = []  # why the crawl could not start (a component failed): said, not swallowed
    process.crawl(crawler, **kwargs).addErrback(not_started.append)
    _collect_less()
    process.start()
    error = f"the crawl could not start: {not_started[0].value!r}" if not_started else None
    try:
        result = CrawlSession.of(crawler).result()
    except RuntimeError:  # the spider was never created: nothing ran
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        return CrawlResult(None, "failed", reason, db, 0, 0, 0, 0, 0, 0, error=error)
    result.error = result.error or error
    return result
