"""Scrapy settings for drmcrawl. Polite by default: these are the values used against
the live site; `drmcrawl crawl` relaxes the delay only for loopback mirrors."""

from scrapy.settings import default_settings as _scrapy_defaults

from drmcrawl import HOMEPAGE, __version__

BOT_NAME = "drmcrawl"
SPIDER_MODULES = ["drmcrawl.crawl.spiders"]
NEWSPIDER_MODULE = "drmcrawl.crawl.spiders"

USER_AGENT = f"drmcrawl/{__version__} (+{HOMEPAGE})"
ROBOTSTXT_OBEY = True

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2
CONCURRENT_ITEMS = 10  # 100 wastes CPU on task churn; 10 was faster (benchmarks/README.md)

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_AFTER_MAX = 300  # seconds; a longer Retry-After fails the URL (a later run retries it)
# Without Retry-After: wait 1 s, 2 s, 4 s... (at most 30 s) before each retry.
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 30.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "drmcrawl.crawl.middlewares.retry.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "drmcrawl.crawl.middlewares.offsite.StrictOffsiteMiddleware": 650,
    "drmcrawl.crawl.middlewares.siteauth.SiteCredentialsMiddleware": 310,  # after HttpAuthMiddleware (300)
    # Scrapy's, minus decoding every page to look for a refresh it cannot hold, and both
    # without Referer handling (none is sent; see middlewares/redirects.py).
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "drmcrawl.crawl.middlewares.redirects.QuickMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "drmcrawl.crawl.middlewares.redirects.NoRefererRedirectMiddleware": 600,
    # Politeness shared by the workers of one crawl (crawl --frontier); robots.txt's requests too.
    "drmcrawl.crawl.middlewares.hostrate.SharedHostRateMiddleware": 940,
    # Next to the downloader: archives each exchange before decompression, redirects, retries.
    "drmcrawl.crawl.middlewares.warc.WarcArchiveMiddleware": 950,
}
# Scrapy's defaults plus Accept-Encoding: only the codings every WARC tool decodes (warcio,
# pywb), so archived payloads, stored compressed as sent, stay readable. Without this Scrapy
# would also offer br and zstd when their libraries happen to be installed.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}
# No cookie jar: every page is fetched as a first visit, so the archive holds what any reader
# gets (no session state carried from page to page), and no cookie set by the site goes back
# to it. It also spares the jar's work on every request and response.
COOKIES_ENABLED = False
# Failed article fetches reach the spider's errback so they are recorded, not lost.
HTTPERROR_ALLOWED_CODES: list[int] = []

EXTENSIONS = {
    "drmcrawl.crawl.lock.CrawlLockExtension": 0,  # one crawl per database, `scrapy crawl` included
    "drmcrawl.crawl.crawldelay.CrawlDelay": 0,  # robots.txt Crawl-delay (Scrapy parses it, does not apply it)
}
ROBOTSTXT_CRAWL_DELAY_MAX = 60.0  # seconds; a longer Crawl-delay is capped (and logged)

ITEM_PIPELINES = {
    "drmcrawl.crawl.pipelines.ValidatePipeline": 100,
    "drmcrawl.crawl.pipelines.StorePipeline": 500,
}

STATS_CLASS = "drmcrawl.crawl.stats.QuickStatsCollector"  # Scrapy's, minus a hook on every stats call

TELNETCONSOLE_ENABLED = False
# Scrapy's remote control (2.19) serves code execution over HTTP while a crawl runs: an
# archiver has no use for it.
REMOTE_CONTROL_ENABLED = False
# Scrapy imports every component its lists name, switched off or not, to normalise the
# setting: the remote control's module brings aiohttp (0.2 s of every crawl's start),
# the cookies middleware's tldextract (0.05 s). Both are off here (REMOTE_CONTROL_ENABLED,
# COOKIES_ENABLED), so they leave the lists; setting either to True does nothing.
EXTENSIONS_BASE = {name: order for name, order in _scrapy_defaults.EXTENSIONS_BASE.items()
                   if name != "scrapy.extensions.remote_control.RemoteControl"}
DOWNLOADER_MIDDLEWARES_BASE = {name: order for name, order in _scrapy_defaults.DOWNLOADER_MIDDLEWARES_BASE.items()
                               if name != "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"}
# Per-request spider middlewares the crawl does not use: depth (no DEPTH_LIMIT), Referer
# headers (archived requests are the crawler's own, not a browser's), the meta-copy
# lint. In a py-spy profile of the sitemap phase, DepthMiddleware and RefererMiddleware
# held 82 of 170 main-thread samples (they run for each of the 5,000 requests yielded).
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    # It drops requests over URLLENGTH_LIMIT unrecorded; the scope check (downloader side,
    # crawl/middlewares/offsite.py) refuses them too, and the request's errback records it.
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
# uvloop runs the asyncio loop under Twisted's reactor in C: 5-6% less wall time and CPU per
# crawl of the 5,000-page benchmark mirror (median of 4 alternating runs each). Where it has
# no build (Windows), the standard loop.
try:
    import uvloop  # noqa: F401

    ASYNCIO_EVENT_LOOP = "uvloop.Loop"
except ImportError:  # pragma: no cover
    ASYNCIO_EVENT_LOOP = None
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# Archive location: a path or SQLAlchemy URL; None = $DRMCRAWL_DB or data/drmcrawl.sqlite.
DRMCRAWL_DB = None

# The raw archive: WARC files in this folder (None = warc/ next to the SQLite file),
# a new file when one reaches this size.
DRMCRAWL_WARC_DIR = None
DRMCRAWL_WARC_MAX_SIZE = 1024**3
# A crawl's writes are one transaction committed this often (seconds) or every N writes,
# whichever comes first: readers during a crawl see its work this fresh, a kill loses it.
DRMCRAWL_COMMIT_SECONDS = 1.0
DRMCRAWL_COMMIT_WRITES = 500
# Extraction worker processes: "auto" = CPU cores - 1 (at most 2), 0 = in the crawl's process.
DRMCRAWL_EXTRACT_WORKERS = "auto"
DRMCRAWL_WARC_GZIP_LEVEL = 2  # 1-3: ISA-L (fast), 0 and 4-9: zlib (9: warcio's own); see warc/records.py
# Incremental crawls: revisit policy "AGE_DAYS:EVERY_DAYS,...,*:EVERY_DAYS" (None = the
# default in drmcrawl.crawl.revisit); DRMCRAWL_FULL re-checks every known article.
DRMCRAWL_REVISIT = None
DRMCRAWL_FULL = False
# Resume an interrupted run: skip what it already checked.
DRMCRAWL_RESUME = True
# One crawl over several workers (crawl/frontier.py): the Redis URL, the run's name shared by
# its workers, the key prefix, seconds between a worker's signs of life.
DRMCRAWL_FRONTIER = None
DRMCRAWL_RUN_NAME = None
DRMCRAWL_FRONTIER_PREFIX = "drmcrawl"
DRMCRAWL_FRONTIER_HEARTBEAT = 2.0
DRMCRAWL_HOST_DELAY = 0.0  # a shared crawl's DOWNLOAD_DELAY, kept across its workers (middlewares/hostrate.py)
# What started the run, stored with it (the CLI sets manual/cron/systemd).
DRMCRAWL_TRIGGER = "scrapy"
