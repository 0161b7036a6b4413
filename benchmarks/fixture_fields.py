"""Field by field: the generic extractor (no site profile) on every article page of the
hand-written fixture sites (tests/fixtures/sites/), against their hand-reviewed expected
records.

    python benchmarks/fixture_fields.py              # a table: share of articles exact per field
    python benchmarks/fixture_fields.py -v           # and every mismatch, got vs want
    python benchmarks/fixture_fields.py --json       # the table as JSON

Exact means equal to the expected value (dates as the same ISO string, offset included);
body is also scored as token F1 (the issue's bar: >= 0.97 on every article)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

SITES_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sites"
sys.path.insert(0, str(SITES_DIR))
from serve import site_info  # noqa: E402
from sitegen import file_for  # noqa: E402

SITES = ("newspaper", "newspaper_v2", "drupal", "arc", "urdu")
FIELDS = ("title", "authors", "published", "modified", "tags", "categories", "language", "access", "body")


def expected(site: str) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((SITES_DIR / site / "expected").glob("*.json")) if not p.name.startswith("_")}


def page(site: str, url: str) -> bytes:
    info = site_info(site)
    rel = file_for(url[len(info["origin"]):])
    for root in (site, info.get("fallback")):
        if root and (SITES_DIR / root / rel).is_file():
            return (SITES_DIR / root / rel).read_bytes()
    raise FileNotFoundError(url)


def body_f1(got: str | None, want: str | None) -> float:
    a, b = (Counter(re.findall(r"\w+", (t or "").casefold())) for t in (got, want))
    overlap = sum((a & b).values())
    if not a and not b:
        return 1.0
    if not overlap:
        return 0.0
    p, r = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * p * r / (p + r)


def compare(site: str) -> tuple[dict, list[tuple[str, str, object, object]]]:
    """Per field, the share of articles exact; the mismatches as (slug, field, got, want)."""
    from drmcrawl.extract import NotAnArticle, extract

    exact: dict[str, list[bool]] = {f: [] for f in FIELDS}
    f1s, misses = [], []
    for slug, want in expected(site).items():
        try:
            got = extract(page(site, want["url"]), want["url"]).to_record()
        except NotAnArticle as exc:
            got = {"error": str(exc)}
        for field in FIELDS:
            ok = got.get(field) == want[field]
            exact[field].append(ok)
            if not ok:
                misses.append((slug, field, got.get(field), want[field]))
        f1s.append(body_f1(got.get("body"), want["body"]))
    n = len(f1s)
    return ({"site": site, "n": n, **{f: sum(v) / n for f, v in exact.items()},
             "body_f1_min": min(f1s), "body_f1_ok": sum(f >= 0.97 for f in f1s) / n}, misses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every mismatch")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("sites", nargs="*", default=SITES)
    args = parser.parse_args()
    results = [compare(site) for site in args.sites]
    if args.json:
        print(json.dumps([r for r, _ in results], indent=1))
        return
    print(f"{'site':13} {'n':>3} " + " ".join(f"{f[:7]:>7}" for f in FIELDS) + "  F1min  F1>=.97")
    for r, _ in results:
        print(f"{r['site']:13} {r['n']:3} " + " ".join(f"{r[f]:7.2f}" for f in FIELDS)
              + f"  {r['body_f1_min']:5.2f}  {r['body_f1_ok']:7.2f}")
    if args.verbose:
        for r, misses in results:
            for slug, field, got, want in misses:
                if field == "body":
                    got, want = _body_diff(got or "", want or "")
                print(f"{r['site']}/{slug} {field}:\n    got  {got!r}\n    want {want!r}")


def _body_diff(got: str, want: str) -> tuple[list[str], list[str]]:
    """The paragraphs only one side has."""
    a, b = got.split("\n\n"), want.split("\n\n")
    return [p[:120] for p in a if p not in b], [p[:120] for p in b if p not in a]


if __name__ == "__main__":
    main()
