"""Run a spider in this process and report what the run did."""

from __future__ import annotations

import gc

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from drmcrawl.crawl.session import CrawlResult, CrawlSession
from drmcrawl.sites import Site

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
    """Crawl one declared site (by name; default drm), or a mirror of it at `base_url`.
    Raises StorageError (CrawlLocked included) before fetching anything when another
    crawl holds the database or it cannot be written."""
    from drmcrawl import sites

    spider = spider or sites.DEFAULT
    if spider not in sites.names():
        raise ValueError(f"unknown site {spider!r}; available: {', '.join(sites.names())}")
    return run_sites([(sites.get(spider), base_url)], db, max_articles, settings)[0]


def run_sites(targets: list[tuple[Site, str | None]], db: str | None = None, max_articles: int | None = None,
              settings: dict | None = None) -> list[CrawlResult]:
    """Crawl several sites at once, one crawler each in this process (each host with its
    own politeness), into one database; one result per site, in order. `targets`: (site
    declaration, mirror URL or None). A site that fails does not stop the others."""
    from drmcrawl.crawl.lock import crawl_lock
    from drmcrawl.crawl.safety import prepare_archive
    from drmcrawl.storage import resolve_db_url

    frontier = (settings or {}).get("DRMCRAWL_FRONTIER")
    # SQLite has one writer, and each crawl holds a long write transaction: one worker per
    # SQLite file (the lock says so to a second one), any number on PostgreSQL.
    shared = bool(frontier) and not resolve_db_url(db).startswith("sqlite")
    with crawl_lock(resolve_db_url(db), shared=shared):
        if frontier:
            _claim_database(frontier, resolve_db_url(db), settings)
        prepare_archive(db)
        return _run_locked(targets, db, max_articles, settings)


def _claim_database(frontier: str, db_url: str, settings: dict) -> None:
    """A shared crawl's workers run together; another run on the same database is refused
    (Redis cannot be reached: FrontierError, before anything is fetched)."""
    from drmcrawl.crawl.frontier import claim_database
    from drmcrawl.crawl.lock import CrawlLocked

    run_name = settings.get("DRMCRAWL_RUN_NAME") or "default"
    holder = claim_database(frontier, settings.get("DRMCRAWL_FRONTIER_PREFIX") or "drmcrawl", run_name, db_url)
    if holder is not None:
        raise CrawlLocked(f"another shared crawl (run {holder!r}) is writing to this database; "
                          f"join it with --run-name {holder}, or wait for it to finish")


def _run_locked(targets, db: str | None, max_articles: int | None, settings: dict | None) -> list[CrawlResult]:
    from drmcrawl.crawl.spiders.news import NewsSpider

    overrides = dict(settings or {})
    overrides["DRMCRAWL_DB"] = db
    # Logging belongs to the caller (the CLI), not to Scrapy.
    overrides["LOG_INSTALL_ROOT_HANDLER"] = False
    process = CrawlerProcess(project_settings(**overrides))
    _callers_log_level()
    crawlers, not_started = [], {}  # why a crawl could not start (a component failed): said, not swallowed
    for site, base_url in targets:
        kwargs = {"max_articles": max_articles}
        if site.discovery == "auto":
            crawler = process.create_crawler(NewsSpider)
            kwargs["site"] = site
        else:
            crawler = process.create_crawler(site.name)
        if base_url:
            kwargs["base_url"] = base_url
        process.crawl(crawler, **kwargs).addErrback(lambda failure, c=crawler: not_started.setdefault(c, failure))
        crawlers.append(crawler)
    _collect_less()
    display = None
    if overrides.get("DRMCRAWL_PROGRESS") == "live":  # a terminal: the live per-site display
        from drmcrawl.crawl.progress import LiveProgress

        display = LiveProgress(crawlers)
        display.start()
    try:
        process.start()
    finally:
        if display is not None:
            display.stop()
    return [_result(crawler, db, not_started.get(crawler)) for crawler in crawlers]


def _result(crawler, db: str | None, not_started=None) -> CrawlResult:
    error = f"the crawl could not start: {not_started.value!r}" if not_started is not None else None
    try:
        result = CrawlSession.of(crawler).result()
    except RuntimeError:  # the spider was never created: nothing ran
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        return CrawlResult(None, "failed", reason, db, 0, 0, 0, 0, 0, 0, error=error)
    result.error = result.error or error
    return result
