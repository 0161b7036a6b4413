"""The `drmcrawl` command: thin click commands over the library.

Errors print `Error: ...` and exit 1; usage errors exit 2 (click's convention)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from drmcrawl import __version__
from drmcrawl.discovery import DRM_BASE_URL

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
DB_HELP = "Database path or SQLAlchemy URL [default: $DRMCRAWL_DB or data/drmcrawl.sqlite]."


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    if verbose < 1:
        handler.addFilter(_quiet_frameworks)
    logging.basicConfig(level=level, handlers=[handler], force=True)


def _quiet_frameworks(record: logging.LogRecord) -> bool:
    """Scrapy's and Twisted's own INFO chatter (middlewares, stats dump) only with -v.
    A handler filter, because Scrapy resets its loggers' levels when a crawl starts."""
    framework = record.name.split(".", 1)[0] in ("scrapy", "twisted", "py.warnings")
    return record.levelno >= logging.WARNING or not framework


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="drmcrawl")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
def main(verbose: int, quiet: bool) -> None:
    """Crawl and archive news articles (Digital Rights Monitor first) into SQLite."""
    _configure_logging(verbose, quiet)


@main.command()
@click.argument("spider", default="drm", type=click.Choice(["drm"]))
@click.option("--base-url", default=DRM_BASE_URL, show_default=True,
              help="Site or mirror to crawl, e.g. http://127.0.0.1:8000.")
@click.option("--db", help=DB_HELP)
@click.option("--max-articles", type=click.IntRange(min=1), help="Stop after storing N articles.")
@click.option("--delay", type=click.FloatRange(min=0), help="Seconds between requests (default 1, 0 for local mirrors).")
def crawl(spider: str, base_url: str, db: str | None, max_articles: int | None, delay: float | None) -> None:
    """Crawl a site into the archive and print a summary.

    \b
    Example:
        drmcrawl crawl drm --base-url http://127.0.0.1:8000 --db data/mirror.sqlite --max-articles 50
    """
    from drmcrawl.crawl import run_crawl

    _check_url(base_url)
    settings = {"DOWNLOAD_DELAY": delay} if delay is not None else {}
    result = _run(lambda: run_crawl(spider, base_url, db, max_articles, settings))
    _print_summary(result)
    if result.status != "finished":
        raise click.ClickException(f"crawl ended with status {result.status} ({result.reason})")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=str))
@click.option("--url", help="The page's URL (defaults to the file's file:// URL).")
@click.option("--profile", help="Force a site profile (e.g. drm, jnews) instead of detecting it.")
@click.option("--explain", is_flag=True, help="Also print which source produced each field.")
@click.option("--html/--no-html", "with_html", default=False, help="Include body_html.")
def extract(file: str, url: str | None, profile: str | None, explain: bool, with_html: bool) -> None:
    """Extract the article from a saved HTML page and print it as one JSON object.

    \b
    Example:
        drmcrawl extract page.html --url https://digitalrightsmonitor.pk/some-article
    """
    from drmcrawl.extract import NotAnArticle
    from drmcrawl.extract import extract as extract_article

    data = sys.stdin.buffer.read() if file == "-" else _read_file(file)
    page_url = url or (Path(file).resolve().as_uri() if file != "-" else "file:///dev/stdin")
    try:
        article = extract_article(data, page_url, profile=profile)
    except NotAnArticle as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--profile") from exc
    record = article.to_record()
    if not with_html:
        record.pop("body_html")
    if not explain:
        record.pop("sources")
    click.echo(json.dumps(record, ensure_ascii=False))


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

    archive = _open_archive(db, must_exist=True)
    writer = WRITERS[fmt]
    if output:
        with open(output, "w", encoding="utf-8", newline="") as out:
            count = _run(lambda: writer(archive.iter_records(), out))
        click.echo(f"{count} articles written to {output}", err=True)
    else:
        _run(lambda: writer(archive.iter_records(), sys.stdout))


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
    archive = _open_archive(db, must_exist=True)
    data = _run(archive.stats)
    runs = _run(lambda: archive.runs(limit=5))
    if as_json:
        data["runs"] = [dict(id=r.id, status=r.status, started_at=r.started_at.isoformat(),
                             finished_at=r.finished_at.isoformat() if r.finished_at else None, **r.counts)
                        for r in runs]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"articles: {data['articles']}  ({archive.location})")
    _table("category", [(f"{n} [{s}]" if s else n, c) for n, s, c in data["by_category"][:top]])
    _table("tag", [(f"{n}", c) for n, _s, c in data["by_tag"][:top]])
    _table("author", data["by_author"][:top])
    _table("month", data["by_month"][:top])
    click.echo("\nlast runs:")
    for r in runs:
        c = r.counts
        click.echo(f"  #{r.id} {r.started_at:%Y-%m-%d %H:%M} {r.status:<11} new {c['articles_new']} "
                   f"updated {c['articles_updated']} unchanged {c['articles_unchanged']} "
                   f"failed {c['articles_failed']} pages {c['pages_fetched']}")


@main.command()
@click.option("--db", default="data/demo.sqlite", show_default=True, help="Fresh database to create.")
@click.option("--output", "-o", default="data/demo.csv", show_default=True, help="CSV export path.")
def demo(db: str, output: str) -> None:
    """Serve the bundled fixture site on 127.0.0.1, crawl it into a fresh database and
    export CSV. Needs no network.

    \b
    Example:
        drmcrawl demo
    """
    from drmcrawl.crawl import run_crawl
    from drmcrawl.export import write_csv
    from drmcrawl.fixtureserver import BUNDLED_SITE, FixtureServer

    if not BUNDLED_SITE.is_dir():
        raise click.ClickException(f"bundled fixture site missing at {BUNDLED_SITE}: run from a clone of the repo")
    db_path = Path(db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    with FixtureServer(BUNDLED_SITE) as server:
        click.echo(f"Serving the fixture site at {server.url}", err=True)
        result = _run(lambda: run_crawl("drm", server.url, str(db_path)))
    _print_summary(result)
    archive = _open_archive(str(db_path), must_exist=True)
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w", encoding="utf-8", newline="") as out:
        count = write_csv(archive.iter_records(), out)
    click.echo(f"export: {count} articles -> {output}")
    if result.status != "finished":
        raise click.ClickException(f"demo crawl ended with status {result.status}")


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Site folder (default: the bundled fixture site).")
def serve(port: int, root: Path | None) -> None:
    """Serve the fixture site (or another saved site) on 127.0.0.1 until Ctrl-C.

    \b
    Example:
        drmcrawl serve --port 8000 &  drmcrawl crawl --base-url http://127.0.0.1:8000
    """
    import time

    from drmcrawl.fixtureserver import BUNDLED_SITE, FixtureServer

    with FixtureServer(root or BUNDLED_SITE, port) as server:
        click.echo(f"Serving {root or BUNDLED_SITE} at {server.url} (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


# -- helpers ---------------------------------------------------------------------
def _run(action):
    """Library errors become `Error: ...` with exit code 1."""
    from drmcrawl.storage import StorageError

    try:
        return action()
    except (StorageError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


def _open_archive(db: str | None, must_exist: bool):
    from drmcrawl.storage import Archive, resolve_db_url

    url = resolve_db_url(db)
    if must_exist and url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        raise click.ClickException(f"no database at {url[len('sqlite:///'):]}: run `drmcrawl crawl` first")
    return _run(lambda: Archive(db))


def _read_file(file: str) -> bytes:
    try:
        return Path(file).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror}") from exc


def _check_url(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"expected an http(s) URL, got {url!r}", param_hint="--base-url")


def _print_summary(result) -> None:
    click.echo(
        f"run {result.run_id}: {result.status} ({result.reason}); articles new {result.new}, "
        f"updated {result.updated}, unchanged {result.unchanged}, failed {result.failed}, "
        f"duplicates dropped {result.duplicates}; pages fetched {result.pages}; db {result.db}"
    )


def _table(title: str, rows) -> None:
    click.echo(f"\nby {title}:")
    width = max((len(str(name)) for name, _ in rows), default=0)
    for name, count in rows:
        click.echo(f"  {str(name):<{width}}  {count}")
    if not rows:
        click.echo("  (none)")


if __name__ == "__main__":
    main()
