"""The probe's fetching (`drmcrawl sites add`) and its re-run on archived pages
(`drmcrawl sites check`). What is found is decided by the pure `drmcrawl.sites.probe`.

A probe is a handful of requests: synchronous, one at a time, `delay` seconds apart (or
robots.txt's Crawl-delay if longer), with the project's User-Agent, never to a URL
robots.txt disallows. Scrapy is not needed for that."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from drmcrawl.crawl.settings import USER_AGENT
from drmcrawl.crawl.workers import PageRules, classify_and_extract
from drmcrawl.extract import NotAnArticle
from drmcrawl.sites.auto import auto_site, maybe_article_url, site_name
from drmcrawl.sites.feeds import candidate_feed_urls, feed_urls_in_page, parse_feed
from drmcrawl.sites.listings import listing_links
from drmcrawl.sites.probe import SAMPLES, Probe, count_sitemap, fill_rates, filled, robots_rules, sample_urls
from drmcrawl.sites.scope import Scope
from drmcrawl.sites.sitemaps import candidate_sitemap_urls, sitemaps_from_robots

MAX_BYTES = 20_000_000
MAX_SITEMAPS = 12
MAX_FEEDS = 6
TIMEOUT = 20.0


@dataclass
class Answer:
    url: str
    status: int  # 0: no answer (network error)
    content_type: str
    body: bytes


class PoliteFetcher:
    """GETs one URL at a time, `delay` seconds apart, obeying robots.txt once it is read."""

    def __init__(self, delay: float = 1.0, timeout: float = TIMEOUT):
        self.delay = delay
        self.timeout = timeout
        self.rules = None  # a RobotFileParser once robots.txt is read
        self.requests = 0
        self._last = 0.0

    def allowed(self, url: str) -> bool:
        return self.rules is None or self.rules.can_fetch(USER_AGENT, url)

    def get(self, url: str) -> Answer | None:
        """The answer (any status), or None when robots.txt disallows `url`."""
        if not self.allowed(url):
            return None
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.requests += 1
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Answer(response.geturl(), response.status, response.headers.get("Content-Type", ""),
                              response.read(MAX_BYTES))
        except urllib.error.HTTPError as exc:
            return Answer(url, exc.code, exc.headers.get("Content-Type", "") if exc.headers else "", b"")
        except (urllib.error.URLError, OSError, ValueError):
            return Answer(url, 0, "", b"")
        finally:
            self._last = time.monotonic()


def probe_site(url: str, name: str | None = None, delay: float = 1.0, samples: int = SAMPLES) -> Probe:
    """Probe the site whose home page is `url` (see `drmcrawl.sites.probe`)."""
    site = auto_site(url, name)
    home_url = site.base_url + "/"
    probe = Probe(url=home_url, name=name or site_name(url))
    fetch = PoliteFetcher(delay)
    scope = Scope(site.base_url)

    robots = fetch.get(site.base_url + "/robots.txt")
    from_robots: list[str] = []
    if robots is not None and robots.status == 200:
        text = robots.body.decode("utf-8-sig", errors="replace")
        fetch.rules = robots_rules(text, robots.url)
        probe.robots = "found"
        probe.crawl_delay = fetch.rules.crawl_delay(USER_AGENT)
        if probe.crawl_delay:
            fetch.delay = max(fetch.delay, float(probe.crawl_delay))
        from_robots = sitemaps_from_robots(robots.body, robots.url)
    elif robots is not None and robots.status >= 500:
        probe.robots = "unreadable"
    probe.allowed = fetch.allowed(home_url)
    if not probe.allowed:
        return probe

    candidates: list[str] = []
    queue = candidate_sitemap_urls(home_url, from_robots)
    seen: set[str] = set()
    while queue and len(seen) < MAX_SITEMAPS:
        sitemap_url = queue.pop(0)
        if sitemap_url in seen or not scope.in_scope(sitemap_url):
            continue
        seen.add(sitemap_url)
        answer = fetch.get(sitemap_url)
        if answer is None or answer.status != 200:
            continue
        count, children = count_sitemap(answer.body, answer.url)
        probe.sitemaps.append(count)
        queue = children + queue
        if count.role in ("posts", "news"):
            from drmcrawl.sites.sitemaps import parse_sitemap

            candidates += [e.loc for e in parse_sitemap(answer.body, answer.url).entries]

    home = fetch.get(home_url)
    home_body = home.body if home is not None and home.status == 200 else b""
    announced = feed_urls_in_page(home_body, home_url) if home_body else []
    feed_links: list[str] = []
    for feed_url in candidate_feed_urls(home_url, announced)[:MAX_FEEDS + len(announced)]:
        if feed_url in probe.feeds or not scope.in_scope(feed_url):
            continue
        answer = fetch.get(feed_url)
        if answer is None or answer.status != 200:
            continue
        feed = parse_feed(answer.body, answer.url)
        if feed.entries and "comments" not in feed_url.lower():
            probe.feeds[feed_url] = len(feed.entries)
            feed_links += [e.link for e in feed.entries]
    listed = listing_links(home_body, home_url, in_scope=scope.in_scope).articles if home_body else ()

    pool = [u for u in [*feed_links, *candidates, *listed]
            if scope.in_scope(u) and maybe_article_url(u) and "#" not in u and fetch.allowed(u)]
    found = []
    # Samples spread over what the site lists, until `samples` of them are articles
    # (at most twice as many fetched: live blogs and galleries are listed too).
    ordered = sample_urls(pool, samples * 2)
    ordered = ordered[::2] + ordered[1::2]
    for sample in ordered:
        if len(found) >= samples:
            break
        answer = fetch.get(sample)
        if answer is None:
            probe.samples[sample] = "disallowed by robots.txt"
            continue
        if answer.status != 200:
            probe.samples[sample] = f"HTTP {answer.status}" if answer.status else "no answer"
            continue
        verdict, record = _classify(answer.body, answer.content_type, answer.url, probe.name)
        probe.samples[sample] = verdict
        if record is not None:
            found.append(record)
    probe.health = fill_rates(found)
    return probe


def _classify(body: bytes, content_type: str, url: str, name: str, profile: str | None = None):
    """("article", Filled) or (what the page is instead, None)."""
    try:
        kind, reason, article, _ = classify_and_extract(body, content_type, url, PageRules(name, profile))
    except NotAnArticle as exc:
        return f"not an article ({exc})", None
    if article is None:
        return f"{kind} ({reason})", None
    return "article", filled(article)


def check_archived(archive, warc_dir, name: str) -> tuple[int | None, Probe]:
    """The probe's extraction re-run on the article pages archived by `name`'s latest run
    (their WARC responses, found through the fetch index): (that run's id, the probe)."""
    from sqlalchemy import select

    from drmcrawl.storage.models import CrawlRun, Fetch
    from drmcrawl.warc.records import read_record

    with archive.session() as s:
        run_id = s.scalar(select(CrawlRun.id).where(CrawlRun.spider == name).order_by(CrawlRun.id.desc()).limit(1))
        rows = [] if run_id is None else s.execute(
            select(Fetch.final_url, Fetch.record_type, Fetch.refers_to, Fetch.warc_file, Fetch.warc_offset,
                   Fetch.content_type)
            .where(Fetch.run_id == run_id, Fetch.kind == "article", Fetch.status.in_((200, 304)),
                   Fetch.page_kind.is_(None) | (Fetch.page_kind == "article"))
            .order_by(Fetch.id)).all()
        payloads = []
        for url, record_type, refers_to, warc_file, offset, content_type in rows:
            if record_type != "response" and refers_to is not None:
                original = s.get(Fetch, refers_to)
                if original is None:
                    continue
                warc_file, offset = original.warc_file, original.warc_offset
            payloads.append((url, warc_file, offset, content_type or ""))
    base = urlsplit(payloads[0][0]) if payloads else None
    probe = Probe(url=f"{base.scheme}://{base.netloc}/" if base else "", name=name)
    found = []
    profile = _declared_profile(name)
    for url, warc_file, offset, content_type in payloads:
        try:
            archived = read_record(warc_dir / warc_file, offset)
        except (OSError, ValueError, StopIteration) as exc:
            probe.samples[url] = f"WARC record unreadable ({exc})"
            continue
        verdict, record = _classify(archived.body, content_type, url, name, profile)
        probe.samples[url] = verdict
        if record is not None:
            found.append(record)
    probe.health = fill_rates(found)
    return run_id, probe


def _declared_profile(name: str) -> str | None:
    from drmcrawl import sites

    try:
        return sites.get(name).profile
    except KeyError:
        return None
