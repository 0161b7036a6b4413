"""Commands for analysts: search, list, report; and the filter options that search, list
and export share."""

from __future__ import annotations

import csv
import functools
import json
import sys
from collections.abc import Iterable

import click

from drmcrawl.cli import main
from drmcrawl.cli.common import DB_HELP, open_archive, run
from drmcrawl.cli.terminal import printable, to_stdout
from drmcrawl.model import ARCHIVE_FIELDS

OUTPUT_FORMATS = ("table", "json", "jsonl", "csv")
LIST_COLUMNS = ("published", "title", "authors", "tags", "categories", "url", *ARCHIVE_FIELDS)
SEARCH_COLUMNS = ("rank", "score", "published", "title", "url", "snippet", *ARCHIVE_FIELDS)
STATUSES = ("live", "removed", "all")
MAX_LIMIT = 2**63 - 1  # SQLite's largest INTEGER: a larger --limit is a usage error, not an OverflowError
TITLE_WIDTH = 60

_FILTER_OPTIONS = (
    click.option("--since", metavar="DATE",
                 help="Published on or after: YYYY, YYYY-MM, YYYY-MM-DD (UTC) or an ISO 8601 time."),
    click.option("--until", metavar="DATE",
                 help="Published up to: a year, month or day counts whole; an ISO time means before it."),
    click.option("--tag", "tags", multiple=True, help="Tag name (any case) or slug; repeat for any of several."),
    click.option("--category", "categories", multiple=True, help="Category name (any case) or slug; repeatable."),
    click.option("--author", "authors", multiple=True, help="Author name (any case); repeatable."),
    click.option("--site", "sites", multiple=True, help="Site profile name, e.g. drm; repeatable."),
    click.option("--limit", type=click.IntRange(min=1, max=MAX_LIMIT), help="At most N articles."),
)


def filter_options(command=None, *, status: str = "all"):
    """Add the shared filter options (and --status, default `status`); the command receives
    one `filters` argument. `@filter_options` or `@filter_options(status="live")`."""
    if command is None:
        return functools.partial(filter_options, status=status)

    @functools.wraps(command)
    def wrapper(*args, since, until, tags, categories, authors, sites, limit, article_status, **kwargs):
        from drmcrawl.storage.query import Filters

        filters = Filters(since=_when(since, "--since", end=False), until=_when(until, "--until", end=True),
                          tags=tags, categories=categories, authors=authors, sites=sites, limit=limit,
                          status=article_status)
        return command(*args, filters=filters, **kwargs)

    status_option = click.option(
        "--status", "article_status", type=click.Choice(STATUSES), default=status, show_default=True,
        help="live: not found removed; removed: found gone (404/410/redirect away); all: both.")
    for option in reversed((*_FILTER_OPTIONS, status_option)):
        wrapper = option(wrapper)
    return wrapper


def _when(value: str | None, hint: str, end: bool):
    from drmcrawl.storage.query import parse_when

    if value is None:
        return None
    try:
        return parse_when(value, end=end)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from None


def format_option(command):
    return click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default="table",
                        show_default=True, help="Output format.")(command)


# -- output ----------------------------------------------------------------------------
def emit(rows: Iterable[dict], columns: tuple[str, ...], fmt: str, table) -> int:
    """Write rows (dicts with `columns`) to stdout as json, jsonl, csv or via `table`."""
    out = sys.stdout  # looked up per call: click's test runner swaps it
    count = 0
    if fmt == "json":
        rows = list(rows)
        out.write(json.dumps([{c: r[c] for c in columns} for r in rows], ensure_ascii=False, indent=2) + "\n")
        return len(rows)
    if fmt == "csv":
        from drmcrawl.export.files import csv_cell

        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
    for row in rows:
        if fmt == "jsonl":
            out.write(json.dumps({c: row[c] for c in columns}, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            writer.writerow([csv_cell(c, row[c]) for c in columns])
        else:
            table(row, count)
        count += 1
    return count


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _clip(text: str | None, width: int) -> str:
    text = printable(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _list_line(row: dict, index: int) -> None:
    if index == 0:
        click.echo(f"{'published':<10}  {'title':<{TITLE_WIDTH}}  url")
    date = (row["published"] or "")[:10] or "-"
    title = ("[removed] " if row["removed_at"] else "") + printable(row["title"])
    click.echo(f"{date:<10}  {_clip(title, TITLE_WIDTH):<{TITLE_WIDTH}}  {printable(row['url'])}")


def _hit_block(row: dict, index: int) -> None:
    if index:
        click.echo("")
    date = (row["published"] or "")[:10] or "undated"
    click.echo(f"{row['rank']}. {printable(row['title']) or '(no title)'}  ({date})")
    click.echo(f"   {printable(row['url'])}")
    if row["removed_at"]:
        click.echo(f"   REMOVED {row['removed_at'][:10]} (HTTP {row['removed_status']}); archived version shown")
    click.echo(f"   {' '.join(printable(row['snippet']).split())}")


# -- commands --------------------------------------------------------------------------
@main.command(name="list")
@filter_options
@format_option
@click.option("--db", help=DB_HELP)
def list_articles(filters, fmt: str, db: str | None) -> None:
    """List articles, newest first, with the shared filters.

    \b
    Example:
        drmcrawl list --tag peca --since 2024-01 --format csv
    """
    from drmcrawl.storage.query import iter_records

    archive = open_archive(db, must_exist=True, read_only=True)
    count = to_stdout(lambda: emit(iter_records(archive, filters), LIST_COLUMNS, fmt, _list_line))
    if fmt == "table":
        click.echo(plural(count, "article"), err=True)


@main.command()
@click.argument("query")
@click.option("--raw", is_flag=True, help="Pass QUERY to SQLite FTS5 as is (AND, OR, NOT, \"phrases\", prefix*).")
@filter_options(status="live")
@format_option
@click.option("--db", help=DB_HELP)
def search(query: str, raw: bool, filters, fmt: str, db: str | None) -> None:
    """Full-text search over title, body, tags and authors, best match first.

    Words are matched as plain text (all of them, any order; Urdu works the same
    way); matches in the snippet are shown in [brackets].

    \b
    Examples:
        drmcrawl search "internet shutdown" --since 2024
        drmcrawl search --raw 'vpn NOT whitelist*'
    """
    from drmcrawl.storage.query import cap_query
    from drmcrawl.storage.query import search as run_search

    query, notes = run(lambda: cap_query(query, raw=raw))
    for note in notes:
        click.echo(f"Warning: search query too long: {note}", err=True)
    archive = open_archive(db, must_exist=True, read_only=True)
    hits = run(lambda: run_search(archive, query, filters, raw=raw))
    rows = ({"rank": i, "score": round(-hit.score, 4), "published": hit.published, "title": hit.title,
             "url": hit.url, "snippet": hit.snippet, **hit.archive} for i, hit in enumerate(hits, 1))
    to_stdout(lambda: emit(rows, SEARCH_COLUMNS, fmt, _hit_block))
    if fmt == "table":
        click.echo(plural(len(hits), "match", "matches"), err=True)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="report.html", show_default=True,
              help="HTML file to write (- for stdout).")
@click.option("--force", is_flag=True, help="Overwrite the -o file if it exists.")
@click.option("--db", help=DB_HELP)
def report(output: str, force: bool, db: str | None) -> None:
    """Write a self-contained HTML report: articles per month, top tags and authors,
    category mix, crawl-run health, newest articles (inline SVG, opens offline).

    \b
    Example:
        drmcrawl report -o report.html
    """
    from pathlib import Path

    from drmcrawl.export.output import check_target
    from drmcrawl.export.report import build_report, write_report

    run(lambda: check_target(output, force))
    archive = open_archive(db, must_exist=True, read_only=True)
    html = run(lambda: build_report(archive))
    write = lambda: write_report(Path(output), html, force=force)  # noqa: E731
    if output == "-":
        to_stdout(write)
        return
    run(write)
    click.echo(f"report written to {output}", err=True)


@main.command(name="datasette", context_settings={"ignore_unknown_options": True})
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="Port (0: any free).")
@click.option("--print-metadata", is_flag=True, help="Print the metadata JSON for this database and exit.")
@click.option("--db", help=DB_HELP)
@click.argument("datasette_args", nargs=-1, type=click.UNPROCESSED)
def datasette(host: str, port: int, print_metadata: bool, db: str | None, datasette_args: tuple[str, ...]) -> None:
    """Browse the archive in Datasette with drmcrawl's metadata (titles, column docs,
    labelled foreign keys, facets, search box). Needs the datasette extra; extra
    arguments go to `datasette serve`.

    \b
    Examples:
        drmcrawl datasette --db data/drmcrawl.sqlite --port 8001
        drmcrawl datasette --print-metadata > metadata.json
    """
    import importlib.util
    import subprocess
    import tempfile
    from pathlib import Path

    from drmcrawl.export.datasette import metadata_for

    archive = open_archive(db, must_exist=True)  # also brings the views and search index up to date
    path = Path(archive.location)
    archive.close()
    metadata = json.dumps(metadata_for(path), ensure_ascii=False, indent=2)
    if print_metadata:
        click.echo(metadata)
        return
    if importlib.util.find_spec("datasette") is None:
        raise click.ClickException("Datasette is not installed: pip install 'drmcrawl[datasette]'")
    with tempfile.TemporaryDirectory(prefix="drmcrawl-datasette-") as tmp:
        metadata_file = Path(tmp) / "metadata.json"
        metadata_file.write_text(metadata, encoding="utf-8")
        command = [sys.executable, "-m", "datasette", "serve", str(path), "--metadata", str(metadata_file),
                   "--host", host, "--port", str(port), *datasette_args]
        code = _serve_until_stopped(subprocess.Popen(command))
    if code:
        raise click.ClickException(f"datasette exited with status {code}")


def _serve_until_stopped(server) -> int:
    """Wait for the server; a SIGTERM to drmcrawl (kill, systemd stop) stops it too
    instead of leaving it running on the port without us."""
    import signal

    def stop(signum, _frame):
        server.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = server.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0 if code == -signal.SIGTERM else code
