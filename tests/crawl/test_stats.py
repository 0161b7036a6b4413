"""drmcrawl/stats.py: Scrapy's stats collector without the hook on every attribute read."""

import sys

from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from drmcrawl.crawl.runner import project_settings
from drmcrawl.crawl.stats import QuickStatsCollector


def python_calls(action) -> list[str]:
    """The Python functions `action` runs, by name."""
    calls = []
    sys.setprofile(lambda frame, event, arg: calls.append(frame.f_code.co_name) if event == "call" else None)
    try:
        action()
    finally:
        sys.setprofile(None)
    return calls[1:]  # the first is `action` itself


def test_a_stats_call_runs_only_the_method_itself():
    quick = QuickStatsCollector(get_crawler())
    assert python_calls(lambda: quick.inc_value("pages")) == ["inc_value"]


def test_it_counts_like_scrapys_and_keeps_the_stats_after_the_crawl():
    crawler = get_crawler()
    stats = QuickStatsCollector(crawler)
    stats.inc_value("pages")
    stats.inc_value("pages", 2)
    stats.inc_value("bytes", 10, start=5)
    stats.set_value("status", "running")
    stats.max_value("peak", 3)
    stats.max_value("peak", 2)
    stats.min_value("low", 3)
    stats.min_value("low", 1)
    stats.inc_value("legacy", spider=None)  # the deprecated argument is still accepted
    assert stats.get_stats() == {"pages": 3, "bytes": 15, "status": "running", "peak": 3, "low": 1, "legacy": 1}
    assert stats.get_value("missing", 0) == 0


def test_the_crawl_uses_it():
    assert load_object(project_settings().get("STATS_CLASS")) is QuickStatsCollector
