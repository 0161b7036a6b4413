"""Spider `drm`: Digital Rights Monitor, as declared in `drmcrawl.sites.drm`.

    scrapy crawl drm -a base_url=http://127.0.0.1:8000 -a max_articles=10
"""

from __future__ import annotations

from drmcrawl import sites
from drmcrawl.crawl.spiders.site import SiteSpider


class DrmSpider(SiteSpider):
    name = "drm"
    site = sites.get("drm")
