"""One crawl over 1, 2 and 3 worker processes (`crawl --frontier ... --workers N`) into
PostgreSQL, against the ordinary one-process crawl into PostgreSQL and into SQLite.

    python benchmarks/workers.py [--pages 1500] [--postgres URL] [--redis URL] [--repeat 1]

Every crawl reads the benchmark mirror (benchmarks/mirror.py, served by benchmarks/server.py)
into a fresh archive (a SQLite file; a new PostgreSQL database, dropped afterwards), run by
benchmarks/launch.py: wall time, CPU of every drmcrawl process (the workers and their
extraction processes), peak summed PSS of them all. Beside it, the CPU the other parts
spent meanwhile: the HTTP server, Redis (its INFO counters) and PostgreSQL (every server
process on the machine: other work on the same server counts too). Each crawl is checked:
every article of the mirror stored once. Writes results/workers-<date>.md and .json."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import mirror  # noqa: E402
from postgres import DEFAULT_POSTGRES, _database  # noqa: E402
from run import RESULTS, _read_all, load, machine, measure, start_launcher  # noqa: E402
from server import StaticServer  # noqa: E402

DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def postgres_processes() -> dict[int, float]:
    """CPU seconds (utime + stime) of every PostgreSQL server process now running, by pid."""
    ticks, found = os.sysconf("SC_CLK_TCK"), {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1:text.rindex(")")].startswith("postgres"):
            fields = text[text.rindex(")") + 2:].split()
            found[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return found


class PostgresCPU(threading.Thread):
    """The CPU PostgreSQL spends while it runs: a connection's server process exits with
    the connection, so its time is sampled while it lives (every 0.1 s)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.before, self.last, self._done = postgres_processes(), {}, threading.Event()
        self.start()

    def run(self) -> None:
        while not self._done.wait(0.1):
            self.last.update(postgres_processes())

    def stop(self) -> float:
        self._done.set()
        self.join()
        self.last.update(postgres_processes())
        return sum(cpu - self.before.get(pid, 0.0) for pid, cpu in self.last.items())


def redis_cpu(client) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def check(db: str, pages: int) -> dict:
    from sqlalchemy import create_engine, text

    from drmcrawl.storage import resolve_db_url

    engine = create_engine(resolve_db_url(db))
    with engine.connect() as connection:
        articles, keys, posts = connection.execute(text(
            "select count(*), count(distinct url_key), count(distinct post_id) from articles")).one()
        run = connection.execute(text("select status, pages_fetched from crawl_runs order by id desc limit 1")).one()
    engine.dispose()
    return {"articles": articles, "once": articles == keys == posts == pages, "status": run[0], "pages": run[1]}


def one_crawl(label: str, db: str, workers: int | None, server: StaticServer, redis_url: str, redis, pages: int,
              tmp: Path, log) -> dict:
    prefix = f"drmbench_{uuid.uuid4().hex[:8]}"
    cmd = [sys.executable, "-m", "drmcrawl", "crawl", "drm", "--base-url", server.url, "--db", db,
           "--warc-dir", str(tmp / "warc")]
    if workers:
        cmd += ["--frontier", redis_url, "--workers", str(workers), "--run-name", "bench"]
    os.environ["DRMCRAWL_FRONTIER_PREFIX"] = prefix
    http0, redis0, postgres = server.cpu(), redis_cpu(redis), PostgresCPU()
    result = measure(cmd)
    http, pg, red = server.cpu() - http0, postgres.stop(), redis_cpu(redis) - redis0
    keys = list(redis.scan_iter(match=f"{prefix}:*"))
    if keys:
        redis.delete(*keys)
    result.pop("stdout", None)
    result.update(check(db, pages))
    n = result["pages"]
    result.update(label=label, workers=workers or 1, pages_per_s=n / result["wall_s"],
                  cpu_ms_per_page=1000 * result["cpu_s"] / n, http_ms_per_page=1000 * http / n,
                  postgres_ms_per_page=1000 * pg / n if "postgresql" in db else 0.0,
                  redis_ms_per_page=1000 * red / n if workers else 0.0,
                  mb_per_worker=result["tree_mb"] / (workers or 1))
    log(f"{label}: {n} pages in {result['wall_s']:.1f} s ({result['pages_per_s']:.0f} p/s), "
        f"drmcrawl CPU {result['cpu_ms_per_page']:.2f} ms/page, PostgreSQL {result['postgres_ms_per_page']:.2f}, "
        f"Redis {result['redis_ms_per_page']:.2f}, HTTP {result['http_ms_per_page']:.2f}; "
        f"{result['tree_mb']:.0f} MB in all; articles {result['articles']} once: {result['once']} (load {load()})")
    return result


def table(results: list[dict]) -> str:
    lines = ["| crawl | pages/s | wall | drmcrawl CPU/page | PostgreSQL CPU/page | Redis CPU/page | "
             "HTTP server CPU/page | peak PSS per worker (all) | every article once |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['label']} | {r['pages_per_s']:.0f} | {r['wall_s']:.1f} s | {r['cpu_ms_per_page']:.2f} ms | "
                     f"{r['postgres_ms_per_page']:.2f} ms | {r['redis_ms_per_page']:.2f} ms | "
                     f"{r['http_ms_per_page']:.2f} ms | {r['mb_per_worker']:.0f} MB ({r['tree_mb']:.0f} MB) | "
                     f"{'yes' if r['once'] else 'NO'} ({r['articles']:,}, {r['status']}) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1500, help="articles in the mirror")
    ap.add_argument("--postgres", default=os.environ.get("DRMCRAWL_TEST_POSTGRES") or DEFAULT_POSTGRES)
    ap.add_argument("--redis", default=os.environ.get("DRMCRAWL_TEST_REDIS") or DEFAULT_REDIS)
    ap.add_argument("--repeat", type=int, default=1, help="rounds of every configuration, alternating")
    args = ap.parse_args(argv)
    import redis as redis_client
    from sqlalchemy.engine import make_url

    def log(msg: str) -> None:
        print(f"{datetime.now(timezone.utc):%H:%M:%S} {msg}", flush=True)

    start_launcher()  # while this process is small (benchmarks/launch.py)
    redis = redis_client.Redis.from_url(args.redis)
    root = mirror.ensure_site(args.pages, log, in_child=True)
    _read_all(root)
    started = datetime.now(timezone.utc)
    configs = [("SQLite, ordinary crawl", "sqlite", None), ("PostgreSQL, ordinary crawl", "pg", None),
               ("PostgreSQL, 1 worker", "pg", 1), ("PostgreSQL, 2 workers", "pg", 2),
               ("PostgreSQL, 3 workers", "pg", 3)]
    results = []
    with StaticServer(root) as server:
        log(f"mirror of {args.pages} articles served by {server.kind} at {server.url} (load {load()})")
        for _ in range(args.repeat):
            for label, backend, workers in configs:
                with tempfile.TemporaryDirectory(prefix="drmbench-workers-") as tmp:
                    if backend == "sqlite":
                        results.append(one_crawl(label, str(Path(tmp) / "crawl.sqlite"), workers, server,
                                                 args.redis, redis, args.pages, Path(tmp), log))
                        continue
                    name = f"drmcrawl_bench_{uuid.uuid4().hex[:8]}"
                    _database(args.postgres, name, "create")
                    try:
                        url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
                        results.append(one_crawl(label, url, workers, server, args.redis, redis, args.pages,
                                                 Path(tmp), log))
                    finally:
                        _database(args.postgres, name, "drop")
    text = (f"Run {started:%Y-%m-%d %H:%M} UTC on {machine()['cores']} cores, "
            f"`python benchmarks/workers.py --pages {args.pages} --repeat {args.repeat}`, "
            f"load at the end {load()}\n\n" + table(results) + "\n")
    stem = f"workers-{started:%Y-%m-%d-%H%M}-{args.pages}"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stem}.md").write_text(text, encoding="utf-8")
    (RESULTS / f"{stem}.json").write_text(json.dumps({"machine": machine(), "results": results}, indent=1))
    print(text)
    return 0 if all(r["once"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
