"""The benchmark suite's own parts: the synthetic mirror is a crawlable DRM site whose
pages extract as distinct articles, and the fallback server serves it."""

from __future__ import annotations

import sys
import urllib.request
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import mirror  # noqa: E402
from conftest import collector_watch  # noqa: E402
from server import StaticServer  # noqa: E402

from drmcrawl.extract import extract  # noqa: E402
from drmcrawl.sites import jnews  # noqa: E402

PAGES = 45


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("mirror")
    stats = mirror.generate(root, PAGES)
    assert stats["articles"] == PAGES
    return root


def test_every_synthetic_page_is_its_own_article(site):
    files = mirror.article_files(site)
    assert len(files) == PAGES
    seen = set()
    for path, url in files[:25]:  # one full cycle through the fixture templates and more
        article = extract(path.read_text(encoding="utf-8"), url, profile="drm")
        assert article.canonical_url == url
        assert article.post_id >= mirror.FIRST_POST_ID and article.title and article.body
        seen.add(article.post_id)
    assert len(seen) == 25
    assert 80_000 < files[0][0].stat().st_size < 150_000  # JNews-sized pages


def test_archives_are_paginated_and_list_the_synthetic_articles(site):
    first = (site / "category" / "drm-exclusive" / "index.html").read_text(encoding="utf-8")
    links = jnews.listing_links(first, "https://digitalrightsmonitor.pk/category/drm-exclusive/")
    assert len(links.articles) >= mirror.PER_PAGE  # the listing, plus sidebar "latest" blocks
    assert any(u.endswith("/category/drm-exclusive/page/2/") for u in links.navigation)
    slugs = {path.parent.name for path, _ in mirror.article_files(site)}
    assert {u.rstrip("/").rsplit("/", 1)[1] for u in links.articles} <= slugs


def test_threaded_fallback_server_serves_the_mirror(site):
    with StaticServer(site, prefer_nginx=False) as server:
        assert server.kind == "python-threaded"
        index = urllib.request.urlopen(server.url + "/sitemap_index.xml").read().decode()
        assert "post-sitemap.xml" in index and "category-sitemap.xml" in index
        path, url = mirror.article_files(site)[3]
        page = urllib.request.urlopen(server.url + "/" + path.parent.name).read()
        assert page == path.read_bytes()


def test_cpu_seconds_counts_a_busy_process_and_its_children():
    """What the benchmarks charge a server or crawl with: a child burning 0.3 s of CPU
    under a parent that only waits shows at least most of it."""
    import subprocess
    import time

    from server import cpu_seconds

    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\ntime.sleep(5)"
    parent = subprocess.Popen([sys.executable, "-c",
                               f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}])"])
    try:
        time.sleep(2.5)
        assert cpu_seconds(parent.pid) >= 0.25
    finally:
        parent.kill()
        parent.wait()


GROWN_PARENT = r"""
import json, os, resource, subprocess, sys
sys.path.insert(0, sys.argv[1])
import run
run.start_launcher()  # before this process grows
ballast = bytearray(300 * 1024 * 1024)
ballast[::4096] = b"x" * len(ballast[::4096])  # touched: resident
small = [sys.executable, "-c", "pass"]
via_launcher = run.measure(small)["rss_mb"]
direct = subprocess.Popen(small)
_, _, usage = os.wait4(direct.pid, 0)
print(json.dumps({"launcher": via_launcher, "direct": usage.ru_maxrss / 1024,
                  "parent": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def test_workloads_report_their_own_peak_rss_not_the_grown_suites():
    """Linux hands a parent's peak RSS to every child forked later: measured straight from a
    grown run.py, a small workload reports run.py's peak. Through the launcher it does not."""
    import json
    import subprocess

    bench = Path(__file__).resolve().parents[2] / "benchmarks"
    out = subprocess.run([sys.executable, "-c", GROWN_PARENT, str(bench)], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    rss = json.loads(out.strip().splitlines()[-1])
    assert rss["direct"] > 300  # the artefact: the 300 MB ballast of its parent
    assert rss["launcher"] < rss["direct"] - 250


WATCH_BARE_COLLECTOR = collector_watch("bare_spider", "target.main(sys.argv[2])", prelude="sys.path.insert(0, sys.argv[1])")


def test_the_bare_spider_runs_with_the_crawls_collector_settings(site):
    """Like for like: the GC settings that make drmcrawl's crawl faster make the bare
    spider faster too (1.23x), so the baseline gets them as well."""
    import subprocess

    from drmcrawl.crawl.runner import YOUNG_THRESHOLD

    with StaticServer(site, prefer_nginx=False) as server:
        out = subprocess.run([sys.executable, "-c", WATCH_BARE_COLLECTOR, str(BENCHMARKS), server.url],
                             capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    frozen, young = map(int, out.stdout.split()[-2:])
    assert frozen > 50_000 and young == YOUNG_THRESHOLD


def test_the_crawl_figure_is_the_median_of_alternating_pairs():
    """Both crawlers really run against the served mirror, `repeat` times each; the figure
    is the median pair (the lower middle one of an even count), the range is kept."""
    import run

    try:
        result = run.crawl_pair(12, lambda _msg: None, repeat=2)
    finally:
        run._LAUNCHER.stop()
        run._LAUNCHER = None
    assert len(result["ratios"]) == 2 and all(r > 0 for r in result["ratios"])
    assert result["ratio"] == min(result["ratios"])
    drm, bare = result["drmcrawl"], result["bare"]
    assert drm["articles"] == 12 and drm["status"] == "finished"
    assert bare["articles"] == 12 and bare["pages"] >= 12
    assert result["ratio"] == drm["pages_per_s"] / bare["pages_per_s"]
    line = run.table({"crawl": [result]}).splitlines()[2]
    assert "median of 2 pairs" in line and f"{result['ratio']:.2f}x" in line


LEAVES_A_WORKER = r"""
import multiprocessing, os, sys, time

def work(ready):
    ballast = bytearray(200 * 1024 * 1024)
    ballast[::4096] = b"x" * len(ballast[::4096])  # touched: resident
    end = time.process_time() + 0.6
    while time.process_time() < end:  # CPU the parent never waits for
        pass
    ready.put(1)
    time.sleep(2.5)  # still resident after its parent is gone, across two memory samples

if __name__ == "__main__":
    ctx = multiprocessing.get_context("forkserver")  # as the crawl's extraction pool
    ready = ctx.Queue()
    ctx.Process(target=work, args=(ready,), daemon=True).start()
    ready.get()
    os._exit(0)  # no join: the worker is left behind, like a crawl's forkserver worker
"""


def test_workloads_count_the_cpu_and_memory_of_processes_they_leave_behind(tmp_path):
    """A crawl's extraction worker is a forkserver's child the crawl never waits for: wait4
    on the crawl alone misses its CPU and memory. The launcher reaps it and counts both."""
    import run

    script = tmp_path / "leaves_a_worker.py"
    script.write_text(LEAVES_A_WORKER)
    try:
        result = run.measure([sys.executable, str(script)])
    finally:
        run._LAUNCHER.stop()
        run._LAUNCHER = None
    assert result["cpu_s"] >= 0.6  # the worker's busy loop
    assert result["rss_mb"] < 100  # the started process itself stays small
    assert result["tree_mb"] >= 200  # the worker's touched ballast
