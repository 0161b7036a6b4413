"""Export and search at N articles (default 100,000) on PostgreSQL against SQLite.

    python benchmarks/postgres.py [--rows 100000] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each backend gets a fresh archive (a SQLite file; a new PostgreSQL database, dropped at the
end), filled through `Archive.add_articles` (benchmarks/work.py fill) with synthetic copies
of the mirror's articles, then: `drmcrawl export --format csv` and `--format jsonl` (wall,
CPU of every process, peak RSS of the command) and 200 searches of the export/search phase's
words (p50/p95, best 20). Writes results/postgres-<date>.md and .json."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import mirror  # noqa: E402
from run import RESULTS, load, machine, measure, work  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _database(server: str, name: str, action: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        sql = f'CREATE DATABASE "{name}"' if action == "create" else f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        connection.execute(text(sql))
    engine.dispose()


def one_backend(name: str, db: str, rows: int, site: Path, tmp: Path, log) -> dict:
    fill = work("fill", "--db", db, "--site", str(site), "--count", str(rows))
    log(f"{name}: filled {fill['articles']} articles in {fill['seconds']:.0f} s (load {load()})")
    out = {"backend": name, "fill": fill}
    for fmt in ("csv", "jsonl"):
        target = tmp / f"{name}.{fmt}"
        result = measure([sys.executable, "-m", "drmcrawl", "export", "--format", fmt, "-o", str(target), "--db", db])
        result.pop("stdout", None)
        result["bytes"] = target.stat().st_size
        target.unlink()
        out[f"export_{fmt}"] = result
        log(f"{name}: export {fmt} {result['wall_s']:.1f} s, CPU {result['cpu_s']:.1f} s, "
            f"RSS {result['rss_mb']:.0f} MB")
    search = work("search", "--db", db)
    out["search"] = search
    log(f"{name}: search p50 {search['p50_ms']:.1f} ms, p95 {search['p95_ms']:.1f} ms")
    return out


def table(results: list[dict], rows: int) -> str:
    lines = ["| backend | articles | fill (add_articles) | export CSV | export JSONL | CPU CSV / JSONL | "
             "peak RSS CSV | search p50 / p95 (best 20) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        f, c, j, s = r["fill"], r["export_csv"], r["export_jsonl"], r["search"]
        lines.append(
            f"| {r['backend']} | {f['articles']:,} | {f['seconds']:.0f} s ({f['added'] / f['seconds']:,.0f}/s) | "
            f"{c['wall_s']:.1f} s | {j['wall_s']:.1f} s | {c['cpu_s']:.1f} / {j['cpu_s']:.1f} s | "
            f"{c['rss_mb']:.0f} MB | "
            f"{s['p50_ms']:.1f} / {s['p95_ms']:.1f} ms |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--postgres", default=os.environ.get("DRMCRAWL_TEST_POSTGRES") or DEFAULT_POSTGRES,
                    help="a server URL; a database of its own is created there and dropped")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(f"{datetime.now(timezone.utc):%H:%M:%S} {msg}", flush=True)

    site = mirror.ensure_site(1000, log, in_child=True)
    started = datetime.now(timezone.utc)
    results = []
    name = f"drmcrawl_bench_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="drmbench-pg-") as tmp:
        results.append(one_backend("SQLite", str(Path(tmp) / "archive.sqlite"), args.rows, site, Path(tmp), log))
        _database(args.postgres, name, "create")
        try:
            from sqlalchemy.engine import make_url

            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            results.append(one_backend("PostgreSQL", url, args.rows, site, Path(tmp), log))
        finally:
            _database(args.postgres, name, "drop")
    text = (f"Run {started:%Y-%m-%d %H:%M} UTC, `python benchmarks/postgres.py --rows {args.rows}`, "
            f"load at the end {load()}\n\n" + table(results, args.rows) + "\n")
    stem = f"postgres-{started:%Y-%m-%d-%H%M}-{args.rows}"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stem}.md").write_text(text, encoding="utf-8")
    (RESULTS / f"{stem}.json").write_text(json.dumps({"machine": machine(), "results": results}, indent=1))
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
