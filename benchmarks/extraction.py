"""Side-by-side extraction benchmark: drmcrawl vs trafilatura on the development split.

Runs ../shared/eval/evaluate.py (the shared, stdlib-only harness) once per extractor and
dataset, in this process's Python, and prints one markdown table (quality per field and
pages/s), also written to benchmarks/results/extraction.md.

    python benchmarks/extraction.py [--eval-root ../shared/eval] [--limit N]

trafilatura is optional: when it is not installed its rows say so instead of failing."""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = REPO.parent / "shared" / "eval"
OUT = REPO / "benchmarks" / "results" / "extraction.md"
EXTRACTORS = {
    "drmcrawl": "drmcrawl.extract.evalshim:run",
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
    table = _table(rows)
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
        subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
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


def _num(section: dict, key: str) -> str:
    return f"{section[key]:.3f}" if section.get("n") and section.get(key) is not None else "n/a"


if __name__ == "__main__":
    sys.exit(main())
