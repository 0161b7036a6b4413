"""The generic news spider against the DRM spider, and many sites in one run (issue 22).

    python benchmarks/generic.py                      # 2,000-article mirror, 3 alternating pairs, 20 sites
    python benchmarks/generic.py --pages 5000 --repeat 3 --sites 20

1. The DRM benchmark mirror (benchmarks/mirror.py) crawled as a site the crawler knows
   nothing of (`drmcrawl crawl --sites FILE`: a declaration naming only its URL and the
   live hosts its pages link to, which a mirror rebases) against `drmcrawl crawl drm
   --base-url`: pages/s of each in alternating pairs; the figure is the median pair's ratio
   (target >= 0.8x).
2. `--sites N` mirrors of pages/N articles each, on N loopback ports, crawled in one run,
   against one generic crawl of the pages-article mirror: the same number of pages as one
   site. Pages/s of each.

Results: benchmarks/results/generic.md and .json."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mirror  # noqa: E402
from run import _read_all, load, machine, measure  # noqa: E402
from server import StaticServer  # noqa: E402

LIVE_HOSTS = '["digitalrightsmonitor.pk", "www.digitalrightsmonitor.pk"]'


def declarations(path: Path, servers: list[StaticServer]) -> Path:
    path.write_text("".join(f'[[site]]\nname = "mirror{n}"\nurl = "{server.url}/"\nhosts = {LIVE_HOSTS}\n\n'
                            for n, server in enumerate(servers)), encoding="utf-8")
    return path


def crawl(cmd: list[str], db: Path) -> dict:
    result = measure([sys.executable, "-m", "drmcrawl", "crawl", *cmd, "--db", str(db)])
    with sqlite3.connect(db) as con:
        pages = con.execute("select sum(pages_fetched) from crawl_runs").fetchone()[0] or 0
        articles = con.execute("select count(*) from articles").fetchone()[0]
    return {"wall_s": result["wall_s"], "cpu_s": result["cpu_s"], "pages": pages, "articles": articles,
            "pages_per_s": pages / result["wall_s"], "tree_mb": result.get("tree_mb")}


def generic_against_drm(pages: int, repeat: int, log) -> dict:
    root = mirror.ensure_site(pages, log, in_child=True)
    _read_all(root)
    pairs = []
    with StaticServer(root) as server, tempfile.TemporaryDirectory(prefix="drmbench-generic-") as tmp:
        log(f"generic vs drm, {pages} articles: {server.kind} at {server.url} (load {load()})")
        sites = declarations(Path(tmp) / "sites.toml", [server])
        for n in range(repeat):
            drm = crawl(["drm", "--base-url", server.url], Path(tmp) / f"drm{n}.sqlite")
            generic = crawl(["--sites", str(sites)], Path(tmp) / f"generic{n}.sqlite")
            pairs.append({"drm": drm, "generic": generic, "ratio": generic["pages_per_s"] / drm["pages_per_s"]})
            log(f"  pair {n + 1}/{repeat}: drm {drm['pages_per_s']:.0f} p/s ({drm['articles']} articles), "
                f"generic {generic['pages_per_s']:.0f} p/s ({generic['articles']} articles): {pairs[-1]['ratio']:.2f}x")
    median = sorted(pairs, key=lambda p: p["ratio"])[(len(pairs) - 1) // 2]
    return {"pages": pages, "median": median, "ratios": [p["ratio"] for p in pairs]}


def many_sites(pages: int, count: int, log) -> dict:
    small = mirror.ensure_site(max(1, pages // count), log, in_child=True)
    whole = mirror.ensure_site(pages, log, in_child=True)
    _read_all(small)
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="drmbench-many-") as tmp:
        servers = [stack.enter_context(StaticServer(small)) for _ in range(count)]
        log(f"{count} sites of {pages // count} articles on ports {servers[0].port}..{servers[-1].port}")
        many = crawl(["--sites", str(declarations(Path(tmp) / "many.toml", servers))], Path(tmp) / "many.sqlite")
        one_server = stack.enter_context(StaticServer(whole))
        one = crawl(["--sites", str(declarations(Path(tmp) / "one.toml", [one_server]))], Path(tmp) / "one.sqlite")
    log(f"  {count} sites: {many['pages_per_s']:.0f} p/s ({many['articles']} articles); "
        f"one site: {one['pages_per_s']:.0f} p/s ({one['articles']} articles)")
    return {"sites": count, "many": many, "one": one, "ratio": many["pages_per_s"] / one["pages_per_s"]}


def _cpu_ms(crawl_result: dict) -> float:
    return crawl_result["cpu_s"] / crawl_result["pages"] * 1000


def table(res: dict) -> str:
    g, m = res["generic"], res["many"]
    d, gen = g["median"]["drm"], g["median"]["generic"]
    ratios = ", ".join(f"{r:.2f}x" for r in g["ratios"])
    return "\n".join([
        "| figure | drmcrawl | baseline | ratio |",
        "|---|---|---|---|",
        f"| generic spider on the DRM mirror, {g['pages']:,} articles | {gen['pages_per_s']:.0f} pages/s, "
        f"{gen['articles']:,} articles | DRM spider {d['pages_per_s']:.0f} pages/s, {d['articles']:,} articles | "
        f"{g['median']['ratio']:.2f}x (target >= 0.8x: {'met' if g['median']['ratio'] >= 0.8 else 'NOT met'}); "
        f"pairs {ratios} |",
        f"| CPU per page (all processes), median pair | {_cpu_ms(gen):.2f} ms | DRM spider {_cpu_ms(d):.2f} ms | "
        f"{_cpu_ms(d) / _cpu_ms(gen):.2f}x (less load-sensitive than pages/s) |",
        f"| {m['sites']} sites in one run, {m['many']['articles']:,} articles | {m['many']['pages_per_s']:.0f} pages/s "
        f"| one site of the same pages: {m['one']['pages_per_s']:.0f} pages/s | {m['ratio']:.2f}x |",
    ])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sites", type=int, default=20)
    args = ap.parse_args(argv)
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    res = {"machine": machine(), "generic": generic_against_drm(args.pages, args.repeat, log),
           "many": many_sites(args.pages, args.sites, log)}
    out = HERE / "results" / "generic"
    out.with_suffix(".json").write_text(json.dumps(res, indent=2, default=str))
    command = f"python benchmarks/generic.py --pages {args.pages} --repeat {args.repeat} --sites {args.sites}"
    text = f"`{command}`\n\n{table(res)}\n"
    out.with_suffix(".md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
