"""A large synthetic mirror of DRM for the benchmarks, rendered by the real fixture
templates (tests/fixtures/make_site.py): N article pages (each a copy of one of the
fixture articles with its own slug, post ID and dates, ~85-100 KB like a JNews page),
paginated category archives, a home page, the feed and Yoast sitemaps (1000 URLs each).

The site is cached under benchmarks/.cache/site-<N>-<hash of the generator and templates>/
(git-ignored) and rebuilt only when the generator or the templates change."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAKE_SITE = REPO / "tests" / "fixtures" / "make_site.py"
CACHE = REPO / "benchmarks" / ".cache"
SITEMAP_SIZE = 1000  # Yoast's split
PER_PAGE = 20  # archive listing size (DRM shows ~20 posts per archive page)
FIRST_POST_ID = 1_000_000  # far above the fixture's IDs: no clash with a template
START = dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc)
DONE_MARK = "_complete.json"


def _load_templates():
    spec = importlib.util.spec_from_file_location("drm_make_site", MAKE_SITE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def site_dir(pages: int) -> Path:
    digest = hashlib.sha256(Path(__file__).read_bytes() + MAKE_SITE.read_bytes()).hexdigest()[:10]
    return CACHE / f"site-{pages}-{digest}"


def ensure_site(pages: int, log=print, in_child: bool = False) -> Path:
    """The cached site of `pages` articles, generated first if missing."""
    root = site_dir(pages)
    if (root / DONE_MARK).exists():
        return root
    if in_child:
        # Generating 20,000 pages grows this process by ~50 MB, and Linux hands a parent's
        # peak RSS down to every child it starts afterwards: the suite's RSS column would
        # then show this process, not the workload. So the suite generates in a child.
        log(f"generating a {pages}-article mirror in {root} (once; cached) ...")
        subprocess.run([sys.executable, __file__, str(pages)], check=True, stdout=subprocess.DEVNULL)
        return root
    if root.exists():
        shutil.rmtree(root)
    started = time.monotonic()
    log(f"generating a {pages}-article mirror in {root} (once; cached) ...")
    stats = generate(root, pages)
    stats["seconds"] = round(time.monotonic() - started, 1)
    (root / DONE_MARK).write_text(json.dumps(stats))
    log(f"generated {stats['files']} files, {stats['bytes'] / 1e6:.0f} MB in {stats['seconds']} s")
    return root


def synthetic_articles(ms, pages: int) -> list[dict]:
    """Copies of the fixture articles, cycling through them, each with its own identity.
    Dates advance two hours per article so every archive has a newest-first order."""
    templates = list(ms.ARTICLES)
    out = []
    for i in range(pages):
        base = templates[i % len(templates)]
        pub = START + dt.timedelta(hours=2 * i)
        out.append(dict(base, id=FIRST_POST_ID + i, slug=f"{base['slug'][:60].rstrip('-')}-{i}",
                        pub=pub, mod=pub + (base["mod"] - base["pub"]), sitemap_loc=None, template_of=base))
    return out


def generate(root: Path, pages: int) -> dict:
    ms = _load_templates()
    ms.SITE = root
    ms.PER_PAGE = PER_PAGE
    real = list(ms.ARTICLES)
    synthetic = synthetic_articles(ms, pages)
    # Article pages render with the 22 real articles as "latest posts" in the sidebars
    # (rendering against 20,000 would make every sidebar O(N)); prev/next come from the
    # template article.
    ms.neighbours = lambda a, _n=ms.neighbours: _n(a.get("template_of", a))
    for a in synthetic:
        ms.write(f"{a['slug']}/index.html", ms.article_page(a))
    # Navigation lists the synthetic articles only.
    ms.ARTICLES[:] = synthetic
    ms.BY_ID.update({a["id"]: a for a in synthetic})
    ms.home_page()
    ms.category_pages()
    ms.feed()
    _sitemaps(ms, synthetic)
    ms.robots()
    ms.not_found_page()
    del real
    files = [p for p in root.rglob("*") if p.is_file()]
    return {"articles": pages, "files": len(files), "bytes": sum(p.stat().st_size for p in files),
            "archive_pages": sum(1 for p in files if "/category/" in str(p))}


def _sitemaps(ms, articles: list[dict]) -> None:
    """Yoast layout: sitemap_index.xml -> post-sitemap.xml, post-sitemap2.xml... and
    category-sitemap.xml."""
    index = []
    for n, start in enumerate(range(0, len(articles), SITEMAP_SIZE), start=1):
        part = articles[start:start + SITEMAP_SIZE]
        name = "post-sitemap.xml" if n == 1 else f"post-sitemap{n}.xml"
        body = "".join(ms.sitemap_url(ms.permalink(a), a["mod"], ms.post_images(a)) for a in part)
        ms.write(name, ms.SITEMAP_HEAD + ms.URLSET + body + "</urlset>")
        index.append((name, max(a["mod"] for a in part)))
    cats = "".join(ms.sitemap_url(ms.cat_url(key), articles[-1]["mod"], []) for key in ms.CATEGORIES
                   if any(ms.in_category(key)(a) for a in articles[:200]))
    ms.write("category-sitemap.xml", ms.SITEMAP_HEAD + ms.URLSET + cats + "</urlset>")
    index.append(("category-sitemap.xml", articles[-1]["mod"]))
    entries = "".join(f"\t<sitemap>\n\t\t<loc>{ms.HOME}/{n}</loc>\n\t\t<lastmod>{ms.iso(m)}</lastmod>\n\t</sitemap>\n"
                      for n, m in index)
    ms.write("sitemap_index.xml", ms.SITEMAP_HEAD + '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
             + entries + "</sitemapindex>")


def article_files(root: Path, limit: int | None = None) -> list[tuple[Path, str]]:
    """(file, URL on the live site) of the article pages, in post order."""
    out = []
    for sitemap in sorted(root.glob("post-sitemap*.xml"), key=lambda p: (len(p.name), p.name)):
        for line in sitemap.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line.startswith("<loc>"):
                url = line[5:-6]
                out.append((root / url.split("/", 3)[3] / "index.html", url))
                if limit and len(out) >= limit:
                    return out
    return out


if __name__ == "__main__":
    print(ensure_site(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
    os._exit(0)
