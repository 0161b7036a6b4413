"""Commands over the archive: export, stats."""

from __future__ import annotations

import json
from pathlib import Path

import click

from drmcrawl.cli import main
from drmcrawl.cli.analysis import MAX_LIMIT, filter_options, plural
from drmcrawl.cli.common import (
    DB_HELP,
    open_archive,
    run,
    table,
)
from drmcrawl.cli.terminal import printable, to_stdout, writes_stdout


@main.command()
@click.option("--format", "formats", type=click.Choice(["csv", "jsonl", "parquet"]), multiple=True,
              help="csv (default), jsonl or parquet (needs the parquet extra). With --bundle, repeat it "
                   "for several files [bundle default: csv and jsonl].")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default or -: stdout).")
@click.option("--force", is_flag=True, help="Overwrite an existing -o file or bundle folder contents.")
@click.option("--excel", is_flag=True, help="Start the CSV with a UTF-8 BOM so Excel shows Urdu correctly.")
@click.option("--bundle", type=click.Path(file_okay=False), metavar="DIR",
              help="Write a dataset release folder: export files, manifest.json, DATA_DICTIONARY.md.")
@filter_options
@click.option("--db", help=DB_HELP)
def export(formats: tuple[str, ...], output: str | None, force: bool, excel: bool, bundle: str | None,
           filters, db: str | None) -> None:
    """Export articles, one row per article, newest first, with the shared filters.
    Columns and their order are the same in every format (see README, Fields).

    \b
    Examples:
        drmcrawl export --format csv --excel -o articles.csv
        drmcrawl export --format parquet --since 2024 -o articles-2024.parquet
        drmcrawl export --bundle release-2024 --format csv --format parquet
    """
    formats = _check_export_usage(formats, output, excel, bundle)
    archive = open_archive(db, must_exist=True, read_only=True)
    if bundle:
        _export_bundle(archive, Path(bundle), formats, filters, force, excel)
        return
    from drmcrawl.export.files import export_archive_csv, export_files
    from drmcrawl.export.output import is_stdout
    from drmcrawl.storage.query import iter_records

    target = output or "-"

    def write() -> int:
        if formats[0] == "csv":
            return export_archive_csv(archive, filters, target, excel=excel, force=force)
        return export_files(iter_records(archive, filters), {formats[0]: target}, force=force)

    if is_stdout(target):
        to_stdout(write)
        return
    count = run(write)
    click.echo(f"{plural(count, 'article')} written to {output}", err=True)


def _check_export_usage(formats, output, excel, bundle) -> list[str]:
    formats = list(dict.fromkeys(formats)) or (["csv", "jsonl"] if bundle else ["csv"])
    if bundle and output:
        raise click.UsageError("use either -o FILE or --bundle DIR, not both")
    if not bundle and len(formats) > 1:
        raise click.UsageError("one --format per file; several formats only with --bundle DIR")
    if not bundle and output in (None, "-") and formats == ["parquet"]:
        raise click.UsageError("Parquet is binary: give -o FILE")
    if excel and "csv" not in formats:
        raise click.UsageError("--excel applies to CSV only")
    return formats


def _export_bundle(archive, directory: Path, formats: list[str], filters, force: bool, excel: bool) -> None:
    from drmcrawl.export.files import write_bundle
    from drmcrawl.storage.query import snapshot

    def write():
        with snapshot(archive, filters) as (coverage, records):
            return write_bundle(directory, records, coverage, formats, filters.describe(), force=force, excel=excel)

    manifest = run(write)
    names = ", ".join(f["path"] for f in manifest["files"])
    click.echo(f"bundle {directory}: {manifest['articles']} articles; {names}, manifest.json", err=True)


@main.command()
@click.option("--db", help=DB_HELP)
@click.option("--top", type=click.IntRange(min=1, max=MAX_LIMIT), default=10, show_default=True, help="Rows per table.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@writes_stdout
def stats(db: str | None, top: int, as_json: bool) -> None:
    """Counts by category, tag, author and month, and the last crawl runs.

    \b
    Example:
        drmcrawl stats --db data/drmcrawl.sqlite
    """
    archive = open_archive(db, must_exist=True, read_only=True)
    data = run(archive.stats)
    runs = run(lambda: archive.runs(limit=5))
    if as_json:
        data["runs"] = [dict(id=r.id, status=r.status, started_at=r.started_at.isoformat(),
                             finished_at=r.finished_at.isoformat() if r.finished_at else None, **r.counts)
                        for r in runs]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"articles: {data['articles']}  ({printable(archive.location)})")
    table("category", [(printable(f"{n} [{s}]" if s else n), c) for n, s, c in data["by_category"][:top]])
    table("tag", [(printable(n), c) for n, _s, c in data["by_tag"][:top]])
    table("author", [(printable(n), c) for n, c in data["by_author"][:top]])
    table("month", data["by_month"][:top])
    click.echo("\nlast runs:")
    for r in runs:
        c = r.counts
        click.echo(f"  #{r.id} {r.started_at:%Y-%m-%d %H:%M} {printable(r.status):<11} new {c['articles_new']} "
                   f"updated {c['articles_updated']} unchanged {c['articles_unchanged']} "
                   f"failed {c['articles_failed']} pages {c['pages_fetched']}")
