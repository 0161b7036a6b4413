"""Side-by-side extraction benchmark: drmcrawl vs trafilatura on the development split.

Runs ../shared/eval/evaluate.py (the shared, stdlib-only harness) once per extractor and
dataset, in this process's Python, and prints one markdown table (quality per field and
pages/s), also written to benchmarks/results/extraction.md. Extractors: drmcrawl (generic
layers), drmcrawl with site templates learned from the dataset's other pages of the same
host (what a crawler has in its archive; the learning is timed in the first call), and
trafilatura 2.3.1 with its defaults.

Then the DRM profile path against trafilatura on the fixture mirror's article pages
(tests/fixtures/site, the pages with a golden result): same pages, same process, best of
`--repeats` rounds each.

    pip install -e '.[bench]'
    python benchmarks/extraction.py [--eval-root ../shared/eval] [--limit N] [--repeats N]

trafilatura is optional: when it is not installed its rows say so instead of failing."""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = REPO.parent / "shared" / "eval"
OUT = REPO / "benchmarks" / "results" / "extraction.md"
FIXTURES = REPO / "tests" / "fixtures"
EXTRACTORS = {
    "drmcrawl": "drmcrawl.extract.evalshim:run",
    "drmcrawl + site templates": "drmcrawl.extract.evalshim:run_templated",
    "trafilatura 2.3.1": "drmcrawl.extract.evalshim:trafilatura_run",
}
DATASETS = ("zyte", "fundus")
COLUMNS = ("body F1", "body P", "body R", "title EM", "authors F1", "published day", "tags F1",
           "pages/s", "crashes")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-root", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--limit", type=int, help="only the first N pages of each dataset")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--repeats", type=int, default=5, help="rounds of the DRM speed comparison")
    args = ap.parse_args(argv)
    harness = args.eval_root / "evaluate.py"
    if not harness.exists():
        print(f"error: {harness} not found (use --eval-root)", file=sys.stderr)
        return 2
    rows = []
    for dataset in DATASETS:
        for name, target in EXTRACTORS.items():
            if name.startswith("trafilatura") and not _trafilatura_available():
                rows.append((name, dataset, None, "trafilatura not installed (pip install trafilatura==2.3.1)"))
                continue
            rows.append((name, dataset, _run(harness, args.eval_root / dataset, target, args.limit), None))
    table = _table(rows) + "\n\n" + _drm_speed_table(args.repeats)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = "python benchmarks/extraction.py" + (f" --limit {args.limit}" if args.limit else "")
    text = f"# Extraction benchmark (development split)\n\n{stamp}, `{command}`\n\n{table}\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(table)
    print(f"\nwritten to {args.out}")
    return 0


def _trafilatura_available() -> bool:
    if importlib.util.find_spec("trafilatura") is None:
        return False
    try:  # trafilatura needs lxml's html cleaner, a separate package since lxml 5.2
        import trafilatura  # noqa: F401
    except ImportError:
        return False
    return True


def _run(harness: Path, dataset: Path, target: str, limit: int | None) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = [sys.executable, str(harness), "--dataset", str(dataset), "--extractor", target,
               "--json-out", out.name, "--quiet", "--n-bootstrap", "200"]
        if limit:
            cmd += ["--limit", str(limit)]
        env = {**os.environ, "DRMCRAWL_EVAL_DATASET": str(dataset)}  # read by run_templated
        subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL, env=env)
        return json.loads(Path(out.name).read_text(encoding="utf-8"))


def _table(rows) -> str:
    lines = ["| extractor | dataset | pages | " + " | ".join(COLUMNS) + " |",
             "|---|---|---|" + "---|" * len(COLUMNS)]
    for name, dataset, res, note in rows:
        if res is None:
            lines.append(f"| {name} | {dataset} | – | {note} |" + " |" * (len(COLUMNS) - 1))
            continue
        m = res["metrics"]
        cells = [
            _num(m["body"], "f1"), _num(m["body"], "precision"), _num(m["body"], "recall"),
            _num(m["title"], "title_exact"), _num(m["authors"], "authors_f1"),
            _num(m["published"], "published_same_day"), _num(m["tags"], "tags_f1"),
            f"{res['pages_per_s']:.1f}" if res.get("pages_per_s") else "n/a",
            str(res["crashes"] + res["timeouts"]),
        ]
        lines.append(f"| {name} | {dataset} | {res['pages']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _drm_speed_table(repeats: int) -> str:
    """DRM profile path vs trafilatura on the fixture article pages, side by side."""
    from drmcrawl.extract import extract

    pages = [((FIXTURES / "site" / p.stem / "index.html").read_bytes().decode("utf-8"),
              f"https://digitalrightsmonitor.pk/{p.stem}/")
             for p in sorted((FIXTURES / "expected").glob("*.json"))]
    header = ("| extractor | fixture pages | pages/s | ms/page | ratio |\n"
              "|---|---|---|---|---|")
    ours = _best_rate(lambda html, url: extract(html, url), pages, repeats)
    lines = [header, f"| drmcrawl, DRM profile path | {len(pages)} | {ours:.0f} | {1000 / ours:.2f} | – |"]
    if _trafilatura_available():
        import trafilatura

        def theirs_call(html: str, url: str) -> None:
            trafilatura.bare_extraction(html, url=url, with_metadata=True)

        theirs = _best_rate(theirs_call, pages, repeats)
        lines[1] = lines[1].replace("| – |", f"| {ours / theirs:.1f}x |")
        lines.append(f"| trafilatura 2.3.1 | {len(pages)} | {theirs:.0f} | {1000 / theirs:.2f} | 1.0x |")
    else:
        lines.append("| trafilatura 2.3.1 | – | not installed | | |")
    return "\n".join(lines)


def _best_rate(call, pages: list[tuple[str, str]], repeats: int) -> float:
    """Pages per second of the fastest round (machine load only ever slows a round)."""
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        for html, url in pages:
            call(html, url)
        best = min(best, time.perf_counter() - start)
    return len(pages) / best


def _num(section: dict, key: str) -> str:
    return f"{section[key]:.3f}" if section.get("n") and section.get(key) is not None else "n/a"


if __name__ == "__main__":
    sys.exit(main())
