"""Micro-benchmarks of two crawl costs behind the crawl figure, each a ratio or a CPU time
measured in this process (the numbers the README's performance notes quote).

    python benchmarks/micro.py store [--pages 600]   # save_article CPU per new article
    python benchmarks/micro.py ipc [--jobs 3000]     # crawl-process CPU per worker job, 100 KB body
    python benchmarks/micro.py gzip [--pages 300]    # CPU and size of a page's gzip member per level
    python benchmarks/micro.py archive [--pages 300] # archive_links CPU per archive page, vs CSS selectors

`store` saves extracted mirror articles into a fresh archive the way a crawl does (held
transaction, a commit every 100), once as is and once with the search index's triggers
dropped, so the index's share shows. `ipc` runs no-op jobs through `Extractor.run`, 16 in
flight like a crawl, and reports this process's CPU (all its threads) per job.
`gzip` compresses mirror article pages with `warc.compressor` at levels 1-9 (ISA-L for
1-3, zlib above), with the size relative to zlib 9. `archive` reads the links of mirror
archive pages with `jnews.listing_links` and with the way it did before (the whole
page parsed, both link lists by CSS selector), checks they agree and reports each's CPU."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mirror  # noqa: E402

FTS_TRIGGERS = ("article_tags_fts_insert", "article_authors_fts_insert", "articles_fts_insert")


def _articles(pages: int):
    from drmcrawl.extract import extract
    files = mirror.article_files(mirror.ensure_site(1000), pages)
    return [extract(path.read_text(encoding="utf-8"), url, profile="drm") for path, url in files]


def _store_ms(articles, drop_triggers: tuple[str, ...] = ()) -> float:
    from drmcrawl.storage import Archive
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(f"{tmp}/a.sqlite")
        with archive.engine.begin() as conn:
            for name in drop_triggers:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        archive.hold()
        start = time.process_time()
        for i, article in enumerate(articles, 1):
            archive.save_article(article)
            if i % 100 == 0:
                archive.commit()
        archive.commit()
        cpu = time.process_time() - start
        archive.close()
    return 1000 * cpu / len(articles)


def store(args) -> dict:
    articles = _articles(args.pages)
    return {"articles": len(articles), "save_article_ms": _store_ms(articles),
            "without_search_index_ms": _store_ms(articles, FTS_TRIGGERS)}


def noop(body: bytes) -> int:
    return len(body)


def ipc(args) -> dict:
    from drmcrawl.crawl.workers import Extractor
    body = os.urandom(100_000)
    workers = Extractor(1)

    async def run_all() -> float:
        await workers.run("warm-up", noop, body)
        limit = asyncio.Semaphore(16)

        async def one() -> None:
            async with limit:
                await workers.run("job", noop, body)
        start = time.process_time()
        await asyncio.gather(*(one() for _ in range(args.jobs)))
        return time.process_time() - start
    try:
        cpu = asyncio.run(run_all())
    finally:
        workers.close()
    return {"jobs": args.jobs, "body_bytes": len(body), "crawl_process_cpu_ms_per_job": 1000 * cpu / args.jobs}


def gzip_levels(args) -> dict:
    from drmcrawl.warc.records import compressor
    bodies = [path.read_bytes() for path, _url in mirror.article_files(mirror.ensure_site(1000), args.pages)]
    out = {}
    for level in range(1, 10):
        start, size = time.process_time(), 0
        for body in bodies:
            member = compressor(level)
            size += len(member.compress(body)) + len(member.flush())
        out[level] = {"cpu_ms_per_page": 1000 * (time.process_time() - start) / len(bodies), "bytes": size}
    for row in out.values():
        row["size_vs_zlib_9"] = round(row["bytes"] / out[9]["bytes"], 3)
    return {"pages": len(bodies), "mean_page_bytes": sum(map(len, bodies)) // len(bodies), "levels": out}


def _selector_links(html: str, url: str):
    """`jnews.listing_links` as it was: the whole page, CSS selectors."""
    from lxml.cssselect import CSSSelector

    from drmcrawl.sites import Listing, jnews
    from drmcrawl.urls import absolute
    selectors = _selector_links.__dict__.setdefault("selectors", (
        CSSSelector("article.jeg_post .jeg_post_title a", translator="html"),
        CSSSelector(".jeg_navigation a.page_nav, .jeg_navigation a.page_number, link[rel=next]", translator="html")))
    tree = jnews.parse_html(html)
    posts, paging = (selector(tree) for selector in selectors)
    navigation = absolute(url, [p for p in jnews._hrefs(paging) if p != "#"])
    numbered = absolute(url, jnews._hrefs(el for el in paging if el.tag == "a"
                                                         and jnews._has_class(el, "page_number")))
    navigation += [u for u in jnews._listed_pages(url, numbered) if u not in navigation]
    return Listing(absolute(url, jnews._hrefs(posts)), navigation)


def archive(args) -> dict:
    from drmcrawl.sites.jnews import listing_links as archive_links
    root = mirror.ensure_site(1000)
    pages = [(path.read_text(encoding="utf-8"), "http://127.0.0.1:8000/" + str(path.parent.relative_to(root)) + "/")
             for path in sorted((root / "category").rglob("index.html"))[:args.pages]]
    out = {"pages": len(pages), "mean_page_chars": sum(len(html) for html, _ in pages) // len(pages)}
    for name, links in (("archive_links", archive_links), ("css_selectors_whole_page", _selector_links)):
        best = min(_cpu_ms(links, pages) for _ in range(3))
        out[f"{name}_ms"] = best
    out["agree"] = all(archive_links(html, url) == _selector_links(html, url) for html, url in pages)
    out["speedup"] = round(out["css_selectors_whole_page_ms"] / out["archive_links_ms"], 2)
    return out


def _cpu_ms(links, pages) -> float:
    start = time.process_time()
    for html, url in pages:
        links(html, url)
    return 1000 * (time.process_time() - start) / len(pages)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("store").add_argument("--pages", type=int, default=600)
    sub.add_parser("ipc").add_argument("--jobs", type=int, default=3000)
    sub.add_parser("gzip").add_argument("--pages", type=int, default=300)
    sub.add_parser("archive").add_argument("--pages", type=int, default=300)
    args = ap.parse_args(argv)
    print(json.dumps({"store": store, "ipc": ipc, "gzip": gzip_levels, "archive": archive}[args.cmd](args)))


if __name__ == "__main__":
    main()
