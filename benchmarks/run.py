"""drmcrawl benchmark suite: every figure is a ratio against a baseline measured in the
same run (the machine may be shared and noisy), with absolute numbers, CPU time and peak
RSS. See README "Benchmarks".

    python benchmarks/run.py                  # the full default: 20,000 pages, 100,000 rows
    python benchmarks/run.py --pages 1000 --rows 10000 --only crawl,extract

Writes benchmarks/results/<name>.md and .json (name: --name, default "latest")."""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import mirror  # noqa: E402
from server import StaticServer  # noqa: E402

from drmcrawl import model as drmcrawl_model  # noqa: E402

RESULTS = HERE / "results"
WORK = [sys.executable, str(HERE / "work.py")]
PHASES = ("crawl", "extract", "reextract", "export", "search")
TARGETS = {"crawl": 0.6, "extract": 8.0, "export": 0.5}


# -- measuring a child process ---------------------------------------------------------
class Launcher:
    """benchmarks/launch.py, started while this process is small (see its docstring)."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, str(HERE / "launch.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, start_new_session=True)

    def run(self, cmd: list[str], stdout: Path, stderr: Path) -> dict:
        self.proc.stdin.write(json.dumps({"cmd": cmd, "stdout": str(stdout), "stderr": str(stderr)}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("benchmarks/launch.py stopped")
        return json.loads(line)

    def stop(self) -> None:
        """Ends the launcher and whatever it is running (never leave a crawl behind)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


_LAUNCHER: Launcher | None = None


def start_launcher() -> None:
    global _LAUNCHER
    if _LAUNCHER is None:
        _LAUNCHER = Launcher()
        atexit.register(_LAUNCHER.stop)


def measure(cmd: list[str], stdout: Path | None = None) -> dict:
    """Run `cmd`: its wall time, CPU (user+sys, of every process it started), its own peak
    RSS, its whole tree's peak memory (`tree_mb`, see launch.py), and its stdout (unless
    `stdout` names a file to write it to)."""
    start_launcher()
    with tempfile.TemporaryDirectory(prefix="drmbench-run-") as tmp:
        out, err = Path(stdout) if stdout else Path(tmp) / "out", Path(tmp) / "err"
        result = _LAUNCHER.run(cmd, out, err)
        if result.pop("status") != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {err.read_text(errors='replace')[-2000:]}")
        if stdout is None:
            result["stdout"] = out.read_text(errors="replace")
    return result


def work(*args: str) -> dict:
    result = measure(WORK + list(args))
    result.update(json.loads(result.pop("stdout").strip().splitlines()[-1]))
    return result


def machine() -> dict:
    mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cores": os.cpu_count(), "ram_gb": round(int(mem.split()[1]) / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(), "os": platform.platform()}


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


# -- 1 + 6: crawl ----------------------------------------------------------------------
def crawl_pair(pages: int, log, keep: Path | None = None, repeat: int = 1) -> dict:
    """`repeat` alternating pairs (bare, drmcrawl, bare, ...): the figure is the median
    pair's ratio, with the range (the bare spider alone varied by a third between runs
    minutes apart). `keep`: a folder that receives the last crawl's database and WARC files
    (for reextract)."""
    root = mirror.ensure_site(pages, log, in_child=True)
    _read_all(root)
    runs = []
    with StaticServer(root) as server:
        log(f"crawl {pages}: serving {root.name} with {server.kind} at {server.url} (load {load()})")
        for n in range(repeat):
            runs.append(_one_pair(server, keep if n == repeat - 1 else None))
            log(f"  pair {n + 1}/{repeat}: ratio {runs[-1]['ratio']:.3f}")
    median = sorted(runs, key=lambda r: r["ratio"])[(len(runs) - 1) // 2]  # of an even count, the lower
    bare, drm = median["bare"], median["drmcrawl"]
    log(f"  bare scrapy {bare['pages']} pages {bare['pages_per_s']:.0f} p/s; drmcrawl {drm['pages']} pages "
        f"{drm['pages_per_s']:.0f} p/s, {drm['articles']} articles, {drm['rss_mb']:.0f} MB "
        f"({drm['tree_mb']:.0f} MB with its worker)")
    return {"pages": pages, "server": server.kind, "bare": bare, "drmcrawl": drm, "ratio": median["ratio"],
            "cpu_ratio": median["cpu_ratio"], "ratios": [r["ratio"] for r in runs],
            "peak_rss_mb": max(r["drmcrawl"]["rss_mb"] for r in runs),
            "peak_tree_mb": max(r["drmcrawl"]["tree_mb"] for r in runs)}


def _read_all(root: Path) -> None:
    """Read the mirror once, so that no crawler of the first pair reads it from disk."""
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                while fh.read(1 << 20):
                    pass


def _one_pair(server: StaticServer, keep: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="drmbench-crawl-") as tmp:
        cpu0 = server.cpu()
        bare = measure([sys.executable, str(HERE / "bare_spider.py"), server.url])
        bare.update(json.loads(bare.pop("stdout").strip().splitlines()[-1]))
        cpu1 = server.cpu()
        db = Path(tmp) / "crawl.sqlite"
        drm = measure([sys.executable, "-m", "drmcrawl", "crawl", "drm", "--base-url", server.url, "--db", str(db)])
        cpu2 = server.cpu()
        drm.update(_crawl_counts(db, drm.pop("stdout")))
        if keep is not None:
            shutil.copy(db, keep / db.name)
            shutil.copytree(Path(tmp) / "warc", keep / "warc")
    bare["server_cpu_s"], drm["server_cpu_s"] = cpu1 - cpu0, cpu2 - cpu1
    for r in (bare, drm):
        r["pages_per_s"] = r["pages"] / r["wall_s"]
        r["cpu_ms_per_page"] = 1000 * r["cpu_s"] / r["pages"]
    return {"bare": bare, "drmcrawl": drm, "ratio": drm["pages_per_s"] / bare["pages_per_s"],
            "cpu_ratio": bare["cpu_ms_per_page"] / drm["cpu_ms_per_page"]}


def _crawl_counts(db: Path, stdout: str) -> dict:
    import sqlite3
    with sqlite3.connect(db) as con:
        articles = con.execute("select count(*) from articles").fetchone()[0]
        fetched, status = con.execute("select pages_fetched, status from crawl_runs order by id desc").fetchone()
    return {"pages": fetched, "articles": articles, "status": status, "summary": stdout.strip()[-300:]}


# -- 2: extraction -----------------------------------------------------------------------
def extraction(pages: int, sample: int, log) -> dict:
    root = mirror.ensure_site(pages, log, in_child=True)
    out = {}
    for engine in ("lxml", "drm", "trafilatura"):
        r = work("extract", "--engine", engine, "--site", str(root), "--limit", str(sample))
        r["pages_per_s"] = r["pages"] / r["seconds"]
        r["cpu_ms_per_page"] = 1000 * r["cpu"] / r["pages"]
        out[engine] = r
        log(f"extract {engine}: {r['pages_per_s']:.0f} p/s, {r['cpu_ms_per_page']:.2f} ms CPU/page (load {load()})")
    out["ratio"] = out["trafilatura"]["cpu_ms_per_page"] / out["drm"]["cpu_ms_per_page"]
    out["lxml_ratio"] = out["trafilatura"]["cpu_ms_per_page"] / out["lxml"]["cpu_ms_per_page"]
    return out


# -- 3: reextract --------------------------------------------------------------------------
def reextract(archive: Path | None, baseline: dict | None, log) -> dict:
    """`drmcrawl reextract` over the archive the large crawl left (WARC only, no network),
    against trafilatura's CPU per page from the extraction phase."""
    db = archive / "crawl.sqlite" if archive else None
    if db is None or not db.exists():
        log("reextract: needs the crawl phase in the same run (its archive): skipped")
        return {"status": "not measured", "reason": "run it with the crawl phase"}
    r = measure([sys.executable, "-m", "drmcrawl", "reextract", "--db", str(db)])
    import sqlite3
    with sqlite3.connect(db) as con:
        r["pages"] = con.execute("select count(*) from articles").fetchone()[0]
    r["summary"] = r.pop("stdout").strip()[-300:]
    r["pages_per_s"] = r["pages"] / r["wall_s"]
    r["cpu_ms_per_page"] = 1000 * r["cpu_s"] / r["pages"]
    r["status"] = "measured"
    if baseline:
        r["ratio"] = baseline["trafilatura"]["cpu_ms_per_page"] / r["cpu_ms_per_page"]
    log(f"reextract: {r['pages']} articles, {r['pages_per_s']:.0f} p/s, {r['cpu_ms_per_page']:.2f} ms CPU/page")
    return r


# -- 4 + 5: export and search ---------------------------------------------------------------
# The floor for `drmcrawl export --format csv`: sqlite3 itself producing the same cells
# (compared after every run, `same_rows`): terms joined with "; " in page order, times as
# ISO 8601 in the article's own offset (microseconds only when set, naive UTC without an
# offset), `sources` re-dumped with sorted keys, cells that start like a spreadsheet
# formula prefixed with ', header = the record fields.
def _guard(cell: str) -> str:
    return (f"CASE WHEN substr({cell}, 1, 1) IN ('=', '+', '-', '@', char(9), char(13)) "
            f"THEN '''' || {cell} ELSE {cell} END")


def _terms(link: str, term: str, fk: str, column: str) -> str:
    joined = "group_concat(v, '; ')"
    return (f"(SELECT {_guard(joined)} FROM (SELECT coalesce(x.{column}, '') AS v FROM {link} l "
            f"JOIN {term} x ON x.id = l.{fk} WHERE l.article_id = a.id ORDER BY l.position))")


def _iso(name: str) -> str:
    utc, off = f"a.{name}_utc", f"a.{name}_offset"
    fraction = f"coalesce(nullif(substr({utc}, 20), '.000000'), '')"
    return (f"CASE WHEN {utc} IS NULL THEN NULL WHEN {off} IS NULL THEN replace(substr({utc}, 1, 19), ' ', 'T') "
            f"|| {fraction} ELSE strftime('%Y-%m-%dT%H:%M:%S', substr({utc}, 1, 19), {off} || ' minutes') "
            f"|| {fraction} || printf('%s%02d:%02d', CASE WHEN {off} < 0 THEN '-' ELSE '+' END, abs({off}) / 60, "
            f"abs({off}) % 60) END")


_SOURCES = ("CASE WHEN json_type(a.sources) = 'object' THEN '{' || coalesce((SELECT group_concat(json_quote(key) "
            "|| ': ' || json_quote(value), ', ') FROM (SELECT key, value FROM json_each(a.sources) ORDER BY key)), '') "
            "|| '}' END")
_EXPORT_COLUMNS = {
    "authors": _terms("article_authors", "authors", "author_id", "name"),
    "published": _iso("published"), "modified": _iso("modified"),
    "tags": _terms("article_tags", "tags", "tag_id", "name"),
    "tag_slugs": _terms("article_tags", "tags", "tag_id", "slug"),
    "categories": _terms("article_categories", "categories", "category_id", "name"),
    "category_slugs": _terms("article_categories", "categories", "category_id", "slug"),
    "sources": _SOURCES, "post_id": "a.post_id", "word_count": "a.word_count",
}
EXPORT_FIELDS = drmcrawl_model.EXPORT_FIELDS  # the exported columns, defined once
_EXPORT_COLUMNS.update({name: f"CASE WHEN a.{name} IS NULL THEN NULL ELSE replace(substr(a.{name}, 1, 19), ' ', 'T') "
                              "|| '+00:00' END" for name in ("first_seen", "last_seen", "removed_at")})
_EXPORT_COLUMNS["version"] = "a.version_count"
EXPORT_SQL = ("SELECT " + ",\n  ".join(f"{_EXPORT_COLUMNS.get(n, _guard('a.' + n))} AS {n}" for n in EXPORT_FIELDS)
              + "\nFROM articles a ORDER BY a.published_utc DESC NULLS LAST, a.id;")


def export_and_search(rows: int, small_rows: int, pages: int, log) -> dict:
    root = mirror.ensure_site(min(pages, 1000), log, in_child=True)
    sqlite3 = shutil.which("sqlite3")
    out: dict = {"export": [], "sqlite3": sqlite3}
    with tempfile.TemporaryDirectory(prefix="drmbench-export-") as tmp:
        db = Path(tmp) / "archive.sqlite"
        for count in (small_rows, rows):
            fill = work("fill", "--db", str(db), "--site", str(root), "--count", str(count))
            log(f"fill to {fill['articles']} articles via {fill['path']}: {fill['added'] / fill['seconds']:.0f} rows/s "
                f"(load {load()})")
            out.setdefault("fill", []).append(fill)
            out["export"].append(_export_pair(db, Path(tmp), count, sqlite3, log))
        search = work("search", "--db", str(db))
        search["articles"] = rows
        log(f"search at {rows}: p50 {search['p50_ms']:.1f} ms, p95 {search['p95_ms']:.1f} ms")
        out["search"] = search
        out["db_mb"] = db.stat().st_size / 1e6
    return out


def _export_pair(db: Path, tmp: Path, count: int, sqlite3: str | None, log) -> dict:
    csv_path = tmp / "export.csv"
    csv_path.unlink(missing_ok=True)
    drm = measure([sys.executable, "-m", "drmcrawl", "export", "--format", "csv", "-o", str(csv_path), "--db", str(db)])
    drm.pop("stdout")
    drm["bytes"] = csv_path.stat().st_size
    entry = {"rows": count, "drmcrawl": drm}
    if sqlite3:
        floor = _sqlite_floor(sqlite3, db, tmp / "floor.csv")
        floor["bytes"] = (tmp / "floor.csv").stat().st_size
        entry["sqlite3"] = floor
        entry["ratio"] = floor["wall_s"] / drm["wall_s"]
        entry["same_rows"] = _same_rows(csv_path, tmp / "floor.csv")
    log(f"export {count}: drmcrawl {drm['wall_s']:.1f} s {drm['rss_mb']:.0f} MB"
        + (f"; sqlite3 -csv {entry['sqlite3']['wall_s']:.1f} s, same rows: {entry['same_rows']}" if sqlite3
           else "; sqlite3 missing"))
    return entry


def _same_rows(ours: Path, floor: Path) -> bool | str:
    """True when both CSV files hold the same header and cells (their quoting differs:
    sqlite3 quotes every non-ASCII cell), else where they first differ (not raised: the
    timing stays in the report)."""
    import csv
    csv.field_size_limit(1 << 30)
    with open(ours, encoding="utf-8", newline="") as a, open(floor, encoding="utf-8", newline="") as b:
        mine, theirs = csv.reader(a), csv.reader(b)
        for n, (x, y) in enumerate(zip(mine, theirs, strict=False)):
            if x != y:
                column = next((i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), min(len(x), len(y)))
                return f"row {n} column {column} differs"
        if next(mine, None) is not None or next(theirs, None) is not None:
            return "row counts differ"
    return True


def _sqlite_floor(sqlite3: str, db: Path, out: Path) -> dict:
    return measure([sqlite3, "-csv", "-header", str(db), EXPORT_SQL], stdout=out)


# -- report -------------------------------------------------------------------------------
def _mark(ratio: float | None, target: float | None) -> str:
    if ratio is None:
        return ""
    if target is None:
        return f"{ratio:.2f}x"
    return f"{ratio:.2f}x (target >= {target}x: {'met' if ratio >= target else 'NOT met'})"


def table(res: dict) -> str:
    rows = ["| figure | drmcrawl | baseline | ratio | CPU | peak RSS |", "|---|---|---|---|---|---|"]
    for c in res.get("crawl", []):
        d, b = c["drmcrawl"], c["bare"]
        ratios = c.get("ratios", [c["ratio"]])
        spread = f", median of {len(ratios)} pairs ({min(ratios):.2f}x-{max(ratios):.2f}x)" if len(ratios) > 1 else ""
        rows.append(f"| crawl {c['pages']:,} articles ({d['pages']:,} responses, {c['server']}) | "
                    f"{d['pages_per_s']:.0f} pages/s, {d['wall_s']:.0f} s | bare Scrapy "
                    f"{b['pages_per_s']:.0f} pages/s ({b['pages']:,} responses) | "
                    f"{_mark(c['ratio'], TARGETS['crawl'])}{spread}; by CPU {c['cpu_ratio']:.2f}x | "
                    f"{d['cpu_ms_per_page']:.1f} vs {b['cpu_ms_per_page']:.1f} ms/page; server "
                    f"{d['server_cpu_s']:.1f} / {b['server_cpu_s']:.1f} s | "
                    f"{c['peak_rss_mb']:.0f} MB, {c['peak_tree_mb']:.0f} MB with its worker vs {b['rss_mb']:.0f} MB |")
    if "extract" in res:
        e = res["extract"]
        d, t, x = e["drm"], e["trafilatura"], e["lxml"]
        rows.append(f"| extraction, {d['pages']:,} pages | {d['pages_per_s']:.0f} pages/s | trafilatura 2.3.1 "
                    f"with metadata {t['pages_per_s']:.0f} pages/s | {_mark(e['ratio'], TARGETS['extract'])} | "
                    f"{d['cpu_ms_per_page']:.2f} vs {t['cpu_ms_per_page']:.2f} ms/page (lxml parse alone "
                    f"{x['cpu_ms_per_page']:.2f}, {e['lxml_ratio']:.1f}x) | "
                    f"{d['rss_mb']:.0f} vs {t['rss_mb']:.0f} MB |")
    if "reextract" in res:
        r = res["reextract"]
        if r["status"] != "measured":
            rows.append(f"| reextract of the archive | {r['status']}: {r['reason']} | | | | |")
        else:
            ratio = f"{r['ratio']:.2f}x CPU" if "ratio" in r else ""
            rows.append(f"| reextract of the archive ({r['pages']:,} articles, from WARC) | "
                        f"{r['pages_per_s']:.0f} pages/s, {r['wall_s']:.0f} s | trafilatura CPU per page, as above | "
                        f"{ratio} | {r['cpu_ms_per_page']:.2f} ms/page | {r['rss_mb']:.0f} MB |")
    if "export" in res:
        largest = max(e["rows"] for e in res["export"]["export"])
        for e in res["export"]["export"]:
            d, s = e["drmcrawl"], e.get("sqlite3")
            target = TARGETS["export"] if e["rows"] == largest else None  # set for the large export
            same = "same rows" if e.get("same_rows") is True else f"NOT the same rows: {e.get('same_rows')}"
            base = f"`sqlite3 -csv` {s['wall_s']:.2f} s ({same})" if s else "sqlite3 not installed"
            cpu = f"{d['cpu_s']:.1f} s" + (f" vs {s['cpu_s']:.1f} s" if s else "")
            rss = f"{d['rss_mb']:.0f} MB" + (f" vs {s['rss_mb']:.0f} MB" if s else "")
            rows.append(f"| CSV export {e['rows']:,} articles ({d['bytes'] / 1e6:.0f} MB) | {d['wall_s']:.2f} s, "
                        f"{e['rows'] / d['wall_s']:,.0f} rows/s | {base} | "
                        f"{_mark(e.get('ratio'), target)} | "
                        f"{cpu} | {rss} |")
        s = res["export"]["search"]
        rows.append(f"| FTS search at {s['articles']:,} articles (top {s['limit']}, {s['queries']} queries) | "
                    f"p50 {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms | | | {s['cpu_s']:.1f} s | "
                    f"{s['rss_mb']:.0f} MB |")
    crawls = res.get("crawl", [])
    if len(crawls) == 2:
        # The whole crawl's memory (its process and extraction worker) meets the limit.
        a, b = (c["peak_tree_mb"] for c in crawls)
        rows.append(f"| crawl memory, all its processes (PSS), {crawls[0]['pages']:,} vs {crawls[1]['pages']:,} "
                    "articles | "
                    f"{a:.0f} vs {b:.0f} MB | "
                    f"limit 300 MB | {b / a:.2f}x growth | | {'met' if b <= 300 else 'NOT met'} |")
    return "\n".join(rows)


def header(res: dict) -> str:
    m = res["machine"]
    return (f"Run {res['date']} on {m['cores']} cores, {m['ram_gb']} GB RAM ({m['cpu']}), Python {m['python']}; "
            f"load average at start {res['load_start']}, at end {res['load_end']}.")


def save(res: dict, name: str) -> str:
    """Write results/<name>.md and .json (after every phase: a long run that is
    interrupted keeps what it measured)."""
    res["load_end"] = load()
    RESULTS.mkdir(exist_ok=True)
    text = f"{header(res)}\n\n{table(res)}\n"
    (RESULTS / f"{name}.md").write_text(text)
    (RESULTS / f"{name}.json").write_text(json.dumps(res, indent=2) + "\n")
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=20_000, help="articles in the crawled mirror (default 20000)")
    ap.add_argument("--small-pages", type=int, help="the second, smaller crawl for memory growth (default pages/4)")
    ap.add_argument("--extract-pages", type=int, default=2000, help="pages for the extraction figure")
    ap.add_argument("--rows", type=int, default=100_000, help="articles for export and search (default 100000)")
    ap.add_argument("--repeat", type=int, default=3, help="alternating bare/drmcrawl pairs per crawl size (default 3)")
    ap.add_argument("--only", default=",".join(PHASES), help=f"comma-separated subset of {','.join(PHASES)}")
    ap.add_argument("--name", default="latest", help="results/<name>.md and .json")
    args = ap.parse_args(argv)
    start_launcher()  # now, while this process is small
    only = set(args.only.split(","))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    res: dict = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
                 "load_start": load(), "args": vars(args)}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # servers and temp dirs cleaned up
    archive_dir = Path(tempfile.mkdtemp(prefix="drmbench-archive-"))
    atexit.register(shutil.rmtree, archive_dir, True)
    if "crawl" in only:
        small = args.small_pages or max(args.pages // 4, 1)
        res["crawl"] = [crawl_pair(small, log, repeat=args.repeat)]
        save(res, args.name)
        res["crawl"].append(crawl_pair(args.pages, log, keep=archive_dir if "reextract" in only else None,
                                       repeat=args.repeat))
        save(res, args.name)
    if "extract" in only:
        res["extract"] = extraction(args.pages, min(args.extract_pages, args.pages), log)
        save(res, args.name)
    if "reextract" in only:
        res["reextract"] = reextract(archive_dir, res.get("extract"), log)
        save(res, args.name)
    if "export" in only or "search" in only:
        res["export"] = export_and_search(args.rows, max(args.rows // 10, 1), args.pages, log)
    print(save(res, args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
