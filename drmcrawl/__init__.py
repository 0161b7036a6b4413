"""drmcrawl: crawl and archive news article pages (first site: Digital Rights Monitor)."""

__version__ = "0.1.0"
HOMEPAGE = "https://github.com/drmcrawl/drmcrawl"
