"""Side-by-side extraction benchmark: drmcrawl vs trafilatura on the development split.

Runs ../shared/eval/evaluate.py (the shared, stdlib-only harness) once per extractor and
dataset, in this process's Python, and prints one markdown table (quality per field and
pages/s), also written to benchmarks/results/extraction-quality.md. Extractors: drmcrawl (generic
layers), drmcrawl with site templates learned from the dataset's other pages of the same
host (what a crawler has in its archive; the learning is timed in the first call), and
trafilatura 2.3.1 with its defaults.

Then speed side by side, in this process: drmcrawl and trafilatura take turns on the same
pages (the three dev datasets with the generic layers, and the fixture mirror's DRM
article pages with the DRM profile), `--repeats` rounds, each keeping its fastest round, in CPU
time of this process (a shared machine's load does not skew the ratio). The harness'
pages/s column is wall time per extractor run, so it moves with the machine's load.

    pip install -e '.[bench]'
    python benchmarks/extraction.py [--eval-root ../shared/eval] [--limit N] [--repeats N] [--speed-only]

trafilatura is optional: when it is not installed its rows say so instead of failing."""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = REPO.parent / "shared" / "eval"
OUT = REPO / "benchmarks" / "results" / "extraction-quality.md"
FIXTURES = REPO / "tests" / "fixtures"
EXTRACTORS = {
    "drmcrawl": f"{REPO}/benchmarks/evalshim.py:run",
    "drmcrawl + site templates": f"{REPO}/benchmarks/evalshim.py:run_templated",
    "trafilatura 2.3.1": f"{REPO}/benchmarks/evalshim.py:trafilatura_run",
}
DATASETS = ("zyte", "fundus")
# Speed is also measured on the trafilatura corpus (its quality needs snippet scoring:
# run evaluate.py on it directly).
SPEED_DATASETS = ("zyte", "fundus", "trafilatura")
COLUMNS = ("body F1", "body P", "body R", "title EM", "authors F1", "published day", "tags F1",
           "pages/s", "crashes")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-root", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--limit", type=int, help="only the first N pages of each dataset")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--repeats", type=int, default=3, help="rounds of the side-by-side speed comparison")
    ap.add_argument("--speed-only", action="store_true", help="only the side-by-side speed table")
    args = ap.parse_args(argv)
    harness = args.eval_root / "evaluate.py"
    if not harness.exists():
        print(f"error: {harness} not found (use --eval-root)", file=sys.stderr)
        return 2
    if args.speed_only:
        print(_speed_table(args.eval_root, args.repeats, args.limit))
        return 0
    rows = []
    for dataset in DATASETS:
        for name, target in EXTRACTORS.items():
            if name.startswith("trafilatura") and not _trafilatura_available():
                rows.append((name, dataset, None, "trafilatura not installed (pip install trafilatura==2.3.1)"))
                continue
            rows.append((name, dataset, _run(harness, args.eval_root / dataset, target, args.limit), None))
    table = _table(rows) + "\n\nSpeed, side by side:\n\n" + _speed_table(args.eval_root, args.repeats, args.limit)
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


def _speed_table(eval_root: Path, repeats: int, limit: int | None) -> str:
    """Side-by-side speed: for each page set, rounds alternate between the extractors
    (load on a shared machine then hits both alike) and each keeps its fastest round."""
    import evalshim

    from drmcrawl.demo.server import BUNDLED_SITE
    from drmcrawl.extract import extract

    sets = [(f"{name} dev, generic layers", _dataset_pages(eval_root / name, limit), evalshim.run)
            for name in SPEED_DATASETS if (eval_root / name / "truth.jsonl").exists()]
    fixtures = [((BUNDLED_SITE / p.stem / "index.html").read_bytes().decode("utf-8"),
                 f"https://digitalrightsmonitor.pk/{p.stem}/")
                for p in sorted((FIXTURES / "expected").glob("*.json"))]
    sets.append(("DRM fixture pages, DRM profile path", fixtures, lambda html, url: extract(html, url)))
    lines = ["| pages | n | drmcrawl pages/CPU-s | trafilatura 2.3.1 pages/CPU-s | drmcrawl / trafilatura |",
             "|---|---|---|---|---|"]
    theirs_call = evalshim.trafilatura_run if _trafilatura_available() else None
    for label, pages, ours_call in sets:
        calls = [ours_call] + ([theirs_call] if theirs_call else [])
        rates = _best_rates(calls, pages, repeats)
        theirs = f"{rates[1]:.1f}" if theirs_call else "not installed"
        ratio = f"{rates[0] / rates[1]:.2f}x" if theirs_call else "–"
        lines.append(f"| {label} | {len(pages)} | {rates[0]:.1f} | {theirs} | {ratio} |")
    return "\n".join(lines)


def _dataset_pages(dataset: Path, limit: int | None) -> list[tuple[str, str]]:
    pages = []
    for line in (dataset / "truth.jsonl").read_text(encoding="utf-8").splitlines()[:limit]:
        row = json.loads(line)
        html = gzip.decompress((dataset / row["html"]).read_bytes()).decode("utf-8", errors="replace")
        pages.append((html, row["url"]))
    return pages


def _best_rates(calls, pages: list[tuple[str, str]], repeats: int) -> list[float]:
    """Pages per CPU second of each call's fastest round. CPU time of this process, not
    wall time: on a shared machine other processes' load does not count against it."""
    best = [float("inf")] * len(calls)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # trafilatura/htmldate warn about odd dates
        for _ in range(max(1, repeats)):
            for k, call in enumerate(calls):
                start = time.process_time()
                for html, url in pages:
                    call(html, url)
                best[k] = min(best[k], time.process_time() - start)
    return [len(pages) / b for b in best]


def _num(section: dict, key: str) -> str:
    return f"{section[key]:.3f}" if section.get("n") and section.get(key) is not None else "n/a"


if __name__ == "__main__":
    sys.exit(main())
