"""Commands over the archive: export, stats."""

from __future__ import annotations

import json
import sys

import click

from drmcrawl.cli import main
from drmcrawl.cli.common import (
    DB_HELP,
    open_archive,
    run,
    table,
)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default stdout).")
@click.option("--db", help=DB_HELP)
def export(fmt: str, output: str | None, db: str | None) -> None:
    """Export every article, one row per article (UTF-8; lists joined with '; ').

    \b
    Example:
        drmcrawl export --format csv -o articles.csv
    """
    from drmcrawl.export import WRITERS

    archive = open_archive(db, must_exist=True)
    writer = WRITERS[fmt]
    if output:
        with open(output, "w", encoding="utf-8", newline="") as out:
            count = run(lambda: writer(archive.iter_records(), out))
        click.echo(f"{count} articles written to {output}", err=True)
    else:
        run(lambda: writer(archive.iter_records(), sys.stdout))


@main.command()
@click.option("--db", help=DB_HELP)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Rows per table.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats(db: str | None, top: int, as_json: bool) -> None:
    """Counts by category, tag, author and month, and the last crawl runs.

    \b
    Example:
        drmcrawl stats --db data/drmcrawl.sqlite
    """
    archive = open_archive(db, must_exist=True)
    data = run(archive.stats)
    runs = run(lambda: archive.runs(limit=5))
    if as_json:
        data["runs"] = [dict(id=r.id, status=r.status, started_at=r.started_at.isoformat(),
                             finished_at=r.finished_at.isoformat() if r.finished_at else None, **r.counts)
                        for r in runs]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"articles: {data['articles']}  ({archive.location})")
    table("category", [(f"{n} [{s}]" if s else n, c) for n, s, c in data["by_category"][:top]])
    table("tag", [(f"{n}", c) for n, _s, c in data["by_tag"][:top]])
    table("author", data["by_author"][:top])
    table("month", data["by_month"][:top])
    click.echo("\nlast runs:")
    for r in runs:
        c = r.counts
        click.echo(f"  #{r.id} {r.started_at:%Y-%m-%d %H:%M} {r.status:<11} new {c['articles_new']} "
                   f"updated {c['articles_updated']} unchanged {c['articles_unchanged']} "
                   f"failed {c['articles_failed']} pages {c['pages_fetched']}")
