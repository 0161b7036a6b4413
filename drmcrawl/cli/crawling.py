"""Commands that fetch: crawl, demo, serve."""

from __future__ import annotations

from pathlib import Path

import click

from drmcrawl.cli import main
from drmcrawl.cli.common import (
    DB_HELP,
    check_url,
    open_archive,
    print_summary,
    run,
)
from drmcrawl.cli.download import download_options


@main.command()
@click.argument("site", required=False, metavar="[SITE]")
@click.option("--site", "site_urls", multiple=True, metavar="URL",
              help="Crawl any news site from its home page URL, discovering everything itself (repeatable).")
@click.option("--sites", "sites_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Crawl every site declared in a TOML file (see drmcrawl/sites/declare.py).")
@click.option("--base-url", help="Mirror of the site to crawl instead, e.g. http://127.0.0.1:8000 "
                                  "[default: the site's own URL].")
@click.option("--db", help=DB_HELP)
@click.option("--max-articles", type=click.IntRange(min=1), help="Stop after storing N articles.")
@click.option("--delay", type=click.FloatRange(min=0),
              help="Seconds between requests (default 1, 0 for local mirrors).")
@download_options
@click.option("--full", is_flag=True, help="Re-check every known article, whatever the revisit policy says.")
@click.option("--revisit", metavar="POLICY",
              help="Revisit policy AGE_DAYS:EVERY_DAYS,...,*:EVERY_DAYS [default: 7:0.25,30:1,365:7,*:30].")
@click.option("--warc-dir", type=click.Path(file_okay=False), help="WARC folder [default: warc/ next to the database].")
@click.option("--trigger", envvar="DRMCRAWL_TRIGGER", default="manual", show_default=True,
              help="What started the run (cron, systemd...), stored with it; also $DRMCRAWL_TRIGGER.")
@click.option("--commit-every", "commit_seconds", type=click.FloatRange(min=0), metavar="SECONDS",
              help="Commit the crawl's writes this often; readers see them then, a kill loses at most "
                   "this much work [default: 1].")
@click.option("--extract-workers", type=click.IntRange(min=0), metavar="N",
              help="Processes that extract articles (0: in the crawl's own) [default: CPU cores - 1, at most 2].")
@click.option("--frontier", metavar="REDIS_URL", envvar="DRMCRAWL_FRONTIER",
              help="Share the crawl's queue with other workers through Redis, e.g. redis://host:6379/0 "
                   "(needs drmcrawl[workers]); also $DRMCRAWL_FRONTIER.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes on this machine sharing the crawl (with --frontier).")
@click.option("--run-name", metavar="NAME",
              help="Name of the shared crawl: workers started with the same name (here or on other machines) "
                   "join it [default: a new name].")
@click.option("--frontier-prefix", envvar="DRMCRAWL_FRONTIER_PREFIX", default="drmcrawl", hidden=True)
@click.option("--frontier-heartbeat", envvar="DRMCRAWL_FRONTIER_HEARTBEAT", type=click.FloatRange(min=0.1),
              default=2.0, hidden=True)
def crawl(site: str | None, site_urls: tuple[str, ...], sites_file: str | None, base_url: str | None,
          db: str | None, max_articles: int | None, delay: float | None,
          full: bool, revisit: str | None, warc_dir: str | None, trigger: str, commit_seconds: float | None,
          extract_workers: int | None, frontier: str | None, workers: int, run_name: str | None,
          frontier_prefix: str, frontier_heartbeat: float, download_settings: dict) -> None:
    """Crawl a declared site (default: drm) into the archive and print a summary. Repeat crawls are incremental:
    new URLs, newer sitemap lastmod and articles due under the revisit policy, fetched with
    conditional GET. Every response is kept in WARC files.

    \b
    Example:
        drmcrawl crawl drm --base-url http://127.0.0.1:8000 --db data/mirror.sqlite --max-articles 50
        drmcrawl crawl drm --full --trigger cron
        drmcrawl crawl drm --commit-every 10   # fewer commits; a kill loses up to 10 s of work
        drmcrawl crawl --site https://www.example.org/ --site https://news.example.com/
        drmcrawl crawl --sites sites.toml --db data/news.sqlite
        drmcrawl crawl drm --db postgresql+psycopg://crawler@db/news --frontier redis://queue:6379/0 \\
            --workers 3 --run-name nightly
    """
    from drmcrawl import sites
    from drmcrawl.crawl.runner import run_crawl

    shared = shared_settings(frontier, workers, run_name, frontier_prefix, frontier_heartbeat)
    if workers > 1:
        from drmcrawl.storage import resolve_db_url

        if resolve_db_url(db).startswith("sqlite"):
            raise click.UsageError("several workers need a PostgreSQL archive (--db postgresql+psycopg://...): "
                                   "SQLite has one writer")
        return run_workers(workers, shared["DRMCRAWL_RUN_NAME"], db)

    if site_urls or sites_file:
        settings = crawl_settings(full, revisit, warc_dir, trigger)
        settings.update(download_settings)
        if delay is not None:
            settings["DOWNLOAD_DELAY"] = delay
        if extract_workers is not None:
            settings["DRMCRAWL_EXTRACT_WORKERS"] = extract_workers
        if commit_seconds is not None:
            settings["DRMCRAWL_COMMIT_SECONDS"] = commit_seconds
        settings.update(shared)
        return crawl_many(site, site_urls, sites_file, base_url, db, max_articles, settings)
    site = site or sites.DEFAULT
    if site not in sites.names():
        raise click.BadParameter(f"{site!r} is not a declared site; known: {', '.join(sites.names())}",
                                 param_hint="SITE")
    if base_url is not None:
        check_url(base_url)
    settings = crawl_settings(full, revisit, warc_dir, trigger)
    if delay is not None:
        settings["DOWNLOAD_DELAY"] = delay
    if commit_seconds is not None:
        settings["DRMCRAWL_COMMIT_SECONDS"] = commit_seconds
    if extract_workers is not None:
        settings["DRMCRAWL_EXTRACT_WORKERS"] = extract_workers
    settings.update(download_settings)
    settings.update(shared)
    result = run(lambda: run_crawl(site, base_url, db, max_articles, settings))
    print_summary(result)
    print_archive_summary(result)
    print_health(site, result)
    fail_unless_finished(result)


def shared_settings(frontier: str | None, workers: int, run_name: str | None, prefix: str,
                    heartbeat: float = 2.0) -> dict:
    """Settings of a crawl shared through Redis (crawl/frontier.py), checked: usage errors."""
    if not frontier:
        if workers > 1 or run_name:
            raise click.UsageError("--workers and --run-name need --frontier redis://HOST:PORT/DB")
        return {}
    if not frontier.startswith(("redis://", "rediss://", "unix://")):
        raise click.BadParameter("a Redis URL: redis://HOST:PORT/DB", param_hint="--frontier")
    try:
        import scrapy_redis  # noqa: F401
    except ImportError:
        raise click.ClickException("--frontier needs scrapy-redis: pip install 'drmcrawl[workers]'") from None
    if not run_name:
        import uuid

        run_name = f"run-{uuid.uuid4().hex[:8]}"
    return {"DRMCRAWL_FRONTIER": frontier, "DRMCRAWL_RUN_NAME": run_name, "DRMCRAWL_FRONTIER_PREFIX": prefix,
            "DRMCRAWL_FRONTIER_HEARTBEAT": heartbeat}


def run_workers(count: int, run_name: str, db: str | None) -> None:
    """`count` worker processes, each this same command as one worker of run `run_name`;
    waits for them (SIGTERM and Ctrl-C are passed on) and prints the run's totals."""
    import signal
    import subprocess
    import sys

    command = [sys.executable, "-m", "drmcrawl", *sys.argv[1:], "--workers", "1", "--run-name", run_name]
    click.echo(f"run {run_name!r}: starting {count} workers", err=True)
    # Sessions of their own: Ctrl-C reaches this process alone, which passes it on once
    # (a worker told twice would stop uncleanly).
    children = [subprocess.Popen(command, start_new_session=True) for _ in range(count)]

    def pass_on(signum, _frame):
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    previous = {sig: signal.signal(sig, pass_on) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        codes = [child.wait() for child in children]
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print_run_totals(run_name, db)
    failed = [f"worker {i + 1} (exit {code})" for i, code in enumerate(codes) if code]
    if failed:
        raise click.ClickException(f"run {run_name!r}: {', '.join(failed)} did not finish")


def print_run_totals(run_name: str, db: str | None) -> None:
    archive = open_archive(db, must_exist=True)
    try:
        runs = [r for r in archive.runs(50) if (r.settings or {}).get("run_name") == run_name]
        for summary in runs[:1]:
            counts = summary.counts
            workers = archive.run_workers(summary.id)
            click.echo(f"run {summary.id} ({run_name}): {summary.status} ({summary.finish_reason}); "
                       f"articles new {counts['articles_new']}, updated {counts['articles_updated']}, "
                       f"unchanged {counts['articles_unchanged']}, failed {counts['articles_failed']}; "
                       f"pages fetched {counts['pages_fetched']}; workers "
                       + ", ".join(f"{w['worker']} {w['status']} {w['pages_fetched']} pages" for w in workers))
    finally:
        archive.close()


def fresh_database(db_path: Path) -> None:
    """Delete the demo database, unless a crawl (another demo) is writing it right now."""
    from drmcrawl.crawl.lock import crawl_lock
    from drmcrawl.storage import resolve_db_url

    with crawl_lock(resolve_db_url(str(db_path))):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def refuse_to_overwrite(output: str, force: bool) -> None:
    """Checked before any work: a re-run never silently replaces an analyst's file."""
    if Path(output).exists() and not force:
        raise click.ClickException(f"{output} exists; use --force to overwrite it")


def fail_unless_finished(result) -> None:
    """Exit 1 with the reason when the run did not finish (site down, database full...)."""
    if result.error:
        raise click.ClickException(f"crawl stopped: {result.error}")
    if result.status != "finished":
        raise click.ClickException(f"crawl ended with status {result.status} ({result.reason})")


def crawl_settings(full: bool, revisit: str | None, warc_dir: str | None, trigger: str) -> dict:
    """Scrapy settings of the archive options (the policy checked here: a usage error)."""
    from drmcrawl.crawl.revisit import parse_policy

    if revisit is not None:
        try:
            parse_policy(revisit)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--revisit") from exc
    settings = {"DRMCRAWL_FULL": full, "DRMCRAWL_REVISIT": revisit, "DRMCRAWL_TRIGGER": trigger,
                "DRMCRAWL_PROGRESS": progress_mode()}
    if warc_dir:
        settings["DRMCRAWL_WARC_DIR"] = warc_dir
    return settings


def progress_mode() -> str:
    """"live" (a per-site table, drmcrawl.crawl.progress) on a terminal, else "log" (the
    periodic log line): not a TTY, or -q."""
    import sys

    context = click.get_current_context(silent=True)
    quiet = bool(context and context.find_root().params.get("quiet"))
    return "live" if sys.stderr.isatty() and not quiet else "log"


def remove_warcs_of(db_path: Path) -> None:
    """The demo starts afresh: its old WARC files would be orphans of the deleted index."""
    from drmcrawl.warc.records import SUFFIX, db_name, warc_folder

    folder = warc_folder(str(db_path.resolve()))
    for path in folder.glob(f"{db_name(str(db_path))}-*{SUFFIX}"):
        path.unlink()


def crawl_many(site: str | None, site_urls: tuple[str, ...], sites_file: str | None, base_url: str | None,
               db: str | None, max_articles: int | None, settings: dict) -> None:
    """Several sites in one run, each with its own politeness; a summary line per site."""
    from drmcrawl.crawl.runner import run_sites
    from drmcrawl.sites.auto import auto_site
    from drmcrawl.sites.declare import DeclarationError, load_sites

    if site or base_url:
        raise click.UsageError("give either a declared SITE (with --base-url) or --site/--sites, not both")
    declared = []
    for url in site_urls:
        check_url(url)
        declared.append(auto_site(url))
    if sites_file:
        try:
            declared += load_sites(sites_file)
        except DeclarationError as exc:
            raise click.ClickException(str(exc)) from exc
    names = [s.name for s in declared]
    if len(set(names)) < len(names):
        shared = sorted(name for name in set(names) if names.count(name) > 1)
        raise click.UsageError(f"two sites share a name: {', '.join(shared)}")
    results = run(lambda: run_sites([(s, None) for s in declared], db, max_articles, settings))
    for declaration, result in zip(declared, results, strict=True):
        click.echo(f"{declaration.name}: ", nl=False)
        print_summary(result)
    for declaration, result in zip(declared, results, strict=True):
        print_health(declaration.name, result)
    unfinished = [d.name for d, r in zip(declared, results, strict=True) if r.status != "finished" or r.error]
    if unfinished:
        raise click.ClickException(f"not finished: {', '.join(unfinished)} (the other sites' runs are stored)")


def print_health(site: str, result) -> None:
    """A `health:` line when the site's fill rates or article count fell sharply (the run
    itself finished: the exit status stays 0)."""
    from drmcrawl.crawl.health import health_line

    line = health_line(site, getattr(result, "health", None))
    if line:
        click.echo(line)


def print_archive_summary(result) -> None:
    click.echo(f"archive: removed {result.removed}, not modified (304) {result.not_modified}; "
               f"WARC records {result.warc_records} in {result.warc_dir}")


@main.command()
@click.option("--db", default="data/demo.sqlite", show_default=True, help="Fresh database to create.")
@click.option("--output", "-o", default="data/demo.csv", show_default=True, help="CSV export path.")
@click.option("--force", is_flag=True, help="Overwrite an existing -o file.")
def demo(db: str, output: str, force: bool) -> None:
    """Serve the bundled fixture site on 127.0.0.1, crawl it into a fresh database and
    export CSV. Needs no network.

    \b
    Example:
        drmcrawl demo
    """
    from drmcrawl.crawl.runner import run_crawl
    from drmcrawl.demo.server import BUNDLED_SITE, DEMO_SITE, FixtureServer
    from drmcrawl.export.files import write_archive_csv
    from drmcrawl.export.output import output_file

    refuse_to_overwrite(output, force)
    if not BUNDLED_SITE.is_dir():
        raise click.ClickException(f"bundled fixture site missing at {BUNDLED_SITE}: "
                                   "reinstall drmcrawl (the site is package data)")
    db_path = Path(db)
    run(lambda: fresh_database(db_path))
    remove_warcs_of(db_path)
    with FixtureServer(BUNDLED_SITE) as server:
        click.echo(f"Serving the fixture site at {server.url}", err=True)
        result = run(lambda: run_crawl(DEMO_SITE, server.url, str(db_path)))
    print_summary(result)
    archive = open_archive(str(db_path), must_exist=True)
    Path(output).parent.mkdir(parents=True, exist_ok=True)

    def export() -> int:
        with output_file(output, force=True) as out:  # refused above unless --force
            return write_archive_csv(archive, out)

    count = run(export)
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

    from drmcrawl.demo.server import BUNDLED_SITE, FixtureServer

    try:
        server = FixtureServer(root or BUNDLED_SITE, port)  # binds the port
    except OSError as exc:
        raise click.ClickException(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
    with server:
        click.echo(f"Serving {root or BUNDLED_SITE} at {server.url} (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
