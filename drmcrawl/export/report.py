"""`drmcrawl report`: one self-contained HTML page about the archive (no scripts, no
network: CSS and inline SVG charts only), so it can be mailed or opened offline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from drmcrawl.storage.query import Filters, iter_records

BAR = "#2563eb"
FAILED = "#dc2626"
MUTED = "#64748b"
TOP = 15
RUNS = 20
NEWEST = 15


@dataclass
class ReportData:
    database: str
    articles: int
    months: list[tuple[str, int]]  # chronological, gaps filled with 0
    undated: int
    tags: list[tuple[str, int]]
    authors: list[tuple[str, int]]
    categories: list[tuple[str, int]]
    runs: list[dict]  # oldest first: id, status, started, fetched, failed, new, updated
    newest: list[dict] = field(default_factory=list)
    generated: str = ""


def collect(archive, top: int = TOP, runs: int = RUNS, newest: int = NEWEST) -> ReportData:
    stats = archive.stats()
    dated = [(m, n) for m, n in stats["by_month"] if m != "unknown"]
    names = [name for name, _slug, _n in stats["by_category"]]
    categories = [(f"{name} [{slug}]" if slug and names.count(name) > 1 else name, n)
                  for name, slug, n in stats["by_category"]]
    return ReportData(
        database=archive.location,
        articles=stats["articles"],
        months=fill_months(dated),
        undated=dict(stats["by_month"]).get("unknown", 0),
        tags=[(name, n) for name, _slug, n in stats["by_tag"][:top]],
        authors=[tuple(row) for row in stats["by_author"][:top]],
        categories=categories[:top],
        runs=[{"id": r.id, "status": r.status, "started": r.started_at.strftime("%Y-%m-%d %H:%M"),
               "fetched": r.counts["pages_fetched"], "failed": r.counts["articles_failed"],
               "new": r.counts["articles_new"], "updated": r.counts["articles_updated"]}
              for r in reversed(archive.runs(limit=runs))],
        newest=list(iter_records(archive, Filters(limit=newest))),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def fill_months(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """{"2024-03": 2, "2024-01": 1} -> Jan 1, Feb 0, Mar 2 (a gap is a fact worth seeing)."""
    if not counts:
        return []
    known = dict(counts)
    first, last = min(known), max(known)
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        months.append((key, known.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# -- SVG ---------------------------------------------------------------------------------
def column_chart(items: list[tuple[str, int]], label: str, height: int = 220) -> str:
    """Vertical bars (articles per month); at most ~24 x-axis labels however many months."""
    if not items:
        return _empty()
    peak = max(n for _, n in items) or 1
    width = max(480, min(960, 24 * len(items)))
    left, plot_h = 56, height - 60  # room left and below for the rotated month labels
    label_y = 12 + plot_h + 12
    step = (width - left - 8) / len(items)
    every = max(1, -(-len(items) // 24))
    parts = [_axis_label(left - 6, 12 + plot_h, "0"), _axis_label(left - 6, 16, str(peak))]
    for i, (name, n) in enumerate(items):
        x, h = left + i * step, plot_h * n / peak
        parts.append(f'<rect x="{x + 1:.1f}" y="{12 + plot_h - h:.1f}" width="{max(step - 2, 1):.1f}" '
                     f'height="{h:.1f}" fill="{BAR}"><title>{escape(name)}: {n}</title></rect>')
        if i % every == 0:
            # Rotated to end just under its bar: the label runs down-left into the margin.
            parts.append(f'<text x="{x + step / 2:.1f}" y="{label_y}" font-size="10" '
                         f'text-anchor="end" transform="rotate(-45 {x + step / 2:.1f} {label_y})">'
                         f'{escape(name)}</text>')
    return _svg(width, height, label, parts)


def bar_chart(items: list[tuple[str, int]], label: str, color: str = BAR) -> str:
    """Horizontal bars with the label on the left and the count on the right."""
    if not items:
        return _empty()
    peak = max(n for _, n in items) or 1
    row, label_w, bar_w = 22, 220, 360
    parts = []
    for i, (name, n) in enumerate(items):
        y = i * row
        w = bar_w * n / peak
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" font-size="12" text-anchor="end">'
                     f'{escape(_clip(name))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{color}">'
                     f'<title>{escape(name)}: {n}</title></rect>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" font-size="12">{n}</text>')
    return _svg(label_w + bar_w + 50, row * len(items) + 4, label, parts)


def runs_chart(runs: list[dict], height: int = 200) -> str:
    """Per crawl run: pages fetched and articles failed side by side."""
    if not runs:
        return _empty()
    peak = max(max(r["fetched"], r["failed"]) for r in runs) or 1
    left, plot_h = 36, height - 50
    group = max(28, min(60, 600 // len(runs)))
    width = left + group * len(runs) + 16
    parts = [_axis_label(left - 6, 12 + plot_h, "0"), _axis_label(left - 6, 16, str(peak))]
    for i, r in enumerate(runs):
        x = left + i * group
        for j, (key, color) in enumerate((("fetched", BAR), ("failed", FAILED))):
            h = plot_h * r[key] / peak
            parts.append(f'<rect x="{x + 3 + j * (group - 6) / 2:.1f}" y="{12 + plot_h - h:.1f}" '
                         f'width="{(group - 8) / 2:.1f}" height="{h:.1f}" fill="{color}">'
                         f'<title>run #{r["id"]} {key}: {r[key]}</title></rect>')
        parts.append(f'<text x="{x + group / 2:.1f}" y="{height - 22}" font-size="11" text-anchor="middle">'
                     f'#{r["id"]}</text>')
    return _svg(width, height, "pages fetched and articles failed per crawl run", parts)


def _svg(width: float, height: float, label: str, parts: list[str]) -> str:
    # No xmlns: inline SVG in HTML needs none, and the page then names no URL but its links.
    return (f'<svg role="img" aria-label="{escape(label)}" '
            f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">'
            + "".join(parts) + "</svg>")


def _axis_label(x: float, y: float, text: str) -> str:
    return f'<text x="{x}" y="{y}" font-size="10" text-anchor="end" fill="{MUTED}">{escape(text)}</text>'


def _clip(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _empty() -> str:
    return '<p class="empty">(no data)</p>'


# -- page ------------------------------------------------------------------------------
CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Nastaliq Urdu",sans-serif;
margin:2rem auto;max-width:1000px;padding:0 1rem;color:#0f172a;background:#fff}
h1{font-size:1.6rem;margin:0}h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid #e2e8f0}
.meta{color:#64748b}.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.card{border:1px solid #e2e8f0;border-radius:8px;padding:.6rem 1rem}.card b{display:block;font-size:1.4rem}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 2rem}@media(max-width:900px){.grid{grid-template-columns:1fr}}
svg{max-width:100%;height:auto}svg text{fill:#0f172a;font-family:inherit}td.date{white-space:nowrap}
table{border-collapse:collapse;width:100%}
td,th{text-align:start;padding:.3rem .5rem;border-bottom:1px solid #e2e8f0;vertical-align:top}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}
.empty{color:#64748b}a{color:#1d4ed8}
"""


def render(data: ReportData) -> str:
    newest_rows = "".join(
        f'<tr><td class="date">{escape((r["published"] or "")[:10])}</td>'
        f'<td dir="auto"><a href="{escape(r["canonical_url"] or r["url"])}">{escape(r["title"] or r["url"])}</a></td>'
        f'<td dir="auto">{escape(", ".join(r["authors"]))}</td><td dir="auto">{escape(", ".join(r["tags"]))}</td></tr>'
        for r in data.newest
    )
    runs_rows = "".join(
        f'<tr><td>#{r["id"]}</td><td>{escape(r["started"])}</td><td>{escape(r["status"])}</td>'
        f'<td>{r["fetched"]}</td><td>{r["failed"]}</td><td>{r["new"]}</td><td>{r["updated"]}</td></tr>'
        for r in reversed(data.runs)
    )
    undated = f"; {data.undated} without a date" if data.undated else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>drmcrawl report</title><style>{CSS}</style></head>
<body>
<h1>drmcrawl report</h1>
<p class="meta">{escape(data.database)} · generated {escape(data.generated)}</p>
<div class="cards">
<div class="card"><b>{data.articles}</b>articles</div>
<div class="card"><b>{len(data.tags)}</b>top tags shown</div>
<div class="card"><b>{len(data.runs)}</b>crawl runs shown</div>
</div>
<h2>Articles per month</h2>
<p class="meta">Months in the site's own calendar{escape(undated)}.</p>
{column_chart(data.months, "articles per month")}
<div class="grid">
<section><h2>Top tags</h2>{bar_chart(data.tags, "top tags")}</section>
<section><h2>Top authors</h2>{bar_chart(data.authors, "top authors")}</section>
</div>
<h2>Category mix</h2>
{bar_chart(data.categories, "articles per category")}
<h2>Crawl-run health</h2>
<p class="legend"><span style="background:{BAR}"></span>pages fetched
<span style="background:{FAILED}"></span>articles failed</p>
{runs_chart(data.runs)}
<table><thead><tr><th>run</th><th>started (UTC)</th><th>status</th><th>fetched</th><th>failed</th>
<th>new</th><th>updated</th></tr></thead><tbody>{runs_rows}</tbody></table>
<h2>Newest articles</h2>
<table><thead><tr><th>published</th><th>title</th><th>authors</th><th>tags</th></tr></thead>
<tbody>{newest_rows}</tbody></table>
</body></html>
"""


def build_report(archive) -> str:
    return render(collect(archive))


def write_report(path: Path, html: str, force: bool = False) -> None:
    """Write the page; an existing file is replaced only with force, and only once the
    page was written whole (`output.output_file`, as exports)."""
    from drmcrawl.export.output import output_file

    with output_file(path, force=force) as fh:
        fh.write(html)
