"""Benchmark workloads, each run by run.py in its own process (so CPU time and peak RSS
are the workload's own). Every command prints one JSON object.

    python benchmarks/work.py extract --engine drm|trafilatura|lxml --site DIR [--limit N]
    python benchmarks/work.py fill --db FILE --site DIR --count N
    python benchmarks/work.py search --db FILE [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mirror  # noqa: E402


def _engine(name: str):
    if name == "drm":
        from drmcrawl.extract import extract
        return lambda html, url: extract(html, url, profile="drm")
    if name == "trafilatura":
        import trafilatura
        return lambda html, url: trafilatura.extract(html, url=url, with_metadata=True)
    if name == "lxml":
        import lxml.html
        return lambda html, url: lxml.html.document_fromstring(html)
    raise SystemExit(f"unknown engine {name}")


def extract(args) -> dict:
    run = _engine(args.engine)
    files = mirror.article_files(args.site, args.limit)
    run(files[0][0].read_text(encoding="utf-8"), files[0][1])  # imports and caches warm
    wall, cpu = time.perf_counter(), time.process_time()
    for path, url in files:
        run(path.read_text(encoding="utf-8"), url)
    return {"pages": len(files), "seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def _templates(site: Path) -> list:
    """The extracted fixture articles (one per template) that synthetic rows copy."""
    from drmcrawl.extract import extract as drm_extract
    files = mirror.article_files(site, 40)
    seen, out = set(), []
    for path, url in files:
        article = drm_extract(path.read_text(encoding="utf-8"), url, profile="drm")
        if article.title not in seen:
            seen.add(article.title)
            out.append(article)
    return out


def fill(args) -> dict:
    """Grow the archive to `count` articles through the repository API: the bulk path
    `Archive.add_articles` in chunks of 1000 when the repository has it, else
    `save_article` one by one (one transaction per chunk when it offers `batch()`)."""
    from drmcrawl.storage import Archive
    templates = _templates(args.site)
    archive = Archive(args.db)
    start = archive.count_articles()
    bulk = getattr(archive, "add_articles", None)
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(start, args.count, 1000):
        articles = _synthetic(templates, range(n, min(n + 1000, args.count)))
        if bulk:
            bulk(articles)
        else:
            with getattr(archive, "batch", contextlib.nullcontext)():
                for article in articles:
                    archive.save_article(article)
    seconds, cpu = time.perf_counter() - wall, time.process_time() - cpu
    total = archive.count_articles()
    archive.close()
    return {"articles": total, "added": total - start, "seconds": seconds, "fill_cpu": cpu,
            "path": "add_articles" if bulk else "save_article"}


def _synthetic(templates, numbers):
    for i in numbers:
        t = templates[i % len(templates)]
        slug = f"bench-article-{i}"
        yield dataclasses.replace(
            t, url=f"http://127.0.0.1/{slug}", canonical_url=f"https://digitalrightsmonitor.pk/{slug}",
            post_id=2_000_000 + i, title=f"{t.title} ({i})")


QUERY_WORDS = ("pakistan", "internet", "court", "data protection", "tiktok", "vpn", "peca amendment",
               "election integrity", "cybercrime", "harassment", "high court petition", "telecom regulator")


def search(args) -> dict:
    from drmcrawl.storage import Archive
    from drmcrawl.storage.query import Filters
    from drmcrawl.storage.query import search as fts_search
    archive = Archive(args.db)
    rng = random.Random(7)
    queries = [rng.choice(QUERY_WORDS) for _ in range(args.runs)]
    fts_search(archive, "pakistan", Filters(limit=args.limit))  # warm the page cache
    times, hits = [], 0
    for q in queries:
        t = time.perf_counter()
        hits += len(fts_search(archive, q, Filters(limit=args.limit)))
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    archive.close()
    return {"queries": len(times), "limit": args.limit, "hits": hits,
            "p50_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))],
            "max_ms": times[-1]}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("extract")
    p.add_argument("--engine", required=True)
    p.add_argument("--site", type=Path, required=True)
    p.add_argument("--limit", type=int)
    p = sub.add_parser("fill")
    p.add_argument("--db", required=True)
    p.add_argument("--site", type=Path, required=True)
    p.add_argument("--count", type=int, required=True)
    p = sub.add_parser("search")
    p.add_argument("--db", required=True)
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--limit", type=int, default=20)
    args = ap.parse_args(argv)
    result = {"extract": extract, "fill": fill, "search": search}[args.cmd](args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
