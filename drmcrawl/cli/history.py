"""Commands over the archive's history: history, reextract, runs."""

from __future__ import annotations

import json
from datetime import timezone

import click

from drmcrawl.cli import main
from drmcrawl.cli.analysis import MAX_LIMIT
from drmcrawl.cli.common import DB_HELP, open_archive, run
from drmcrawl.cli.terminal import printable, writes_stdout


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


@main.command()
@click.argument("url")
@click.option("--diff", "diff_versions", type=click.IntRange(min=1), nargs=2, metavar="A B",
              help="Show a unified diff between versions A and B.")
@click.option("--json", "as_json", is_flag=True, help="Versions (with their records) as JSON.")
@click.option("--db", help=DB_HELP)
@writes_stdout
def history(url: str, diff_versions: tuple[int, int] | None, as_json: bool, db: str | None) -> None:
    """List the versions of an article (any of its URLs, or ?p=POST_ID), with when each was
    first and last seen and whether the article was removed; or diff two versions.

    \b
    Examples:
        drmcrawl history https://digitalrightsmonitor.pk/drm-weekly-review-10
        drmcrawl history https://digitalrightsmonitor.pk/drm-weekly-review-10 --diff 1 2
    """
    from drmcrawl.versions import diff

    archive = open_archive(db, must_exist=True, read_only=True)
    found = run(lambda: archive.history(url))
    if found is None:
        raise click.ClickException(f"no archived article for {url}")
    versions = {v.version: v for v in found.versions}
    if diff_versions:
        missing = [n for n in diff_versions if n not in versions]
        if missing:
            raise click.ClickException(f"no version {missing[0]}; this article has {len(versions)}")
        old, new = (versions[n] for n in diff_versions)
        lines = diff(old.record, new.record, f"version {old.version} ({_when(old.first_seen)})",
                     f"version {new.version} ({_when(new.first_seen)})")
        click.echo("\n".join(printable(line, lines=True) for line in lines) if lines
                   else "(no difference in the versioned content)")
        return
    if as_json:
        click.echo(json.dumps(_history_json(found), ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"{printable(found.title)}\n{printable(found.url)}")
    click.echo(f"first seen {_when(found.first_seen)}, last seen {_when(found.last_seen)}, "
               f"last checked {_when(found.last_checked)}")
    if found.removed_at:
        click.echo(f"REMOVED {_when(found.removed_at)} (HTTP {found.removed_status}); the archived versions remain")
    for v in found.versions:
        click.echo(f"  v{v.version}  {_when(v.first_seen)} .. {_when(v.last_seen)}  {v.content_hash[:12]}  "
                   f"run {v.run_id}  extractor {printable(v.extractor_version) or '-'}"
                   f"{printable(_source(archive, v.fetch_id))}")


def _source(archive, fetch_id: int | None) -> str:
    """Where the raw response of a version is: the WARC record to cite or replay."""
    fetch = archive.fetch(fetch_id) if fetch_id else None
    return f"  warc {fetch.warc_file}@{fetch.warc_offset}" if fetch else ""


def _history_json(found) -> dict:
    data = {k: getattr(found, k) for k in ("article_id", "site", "url", "title", "first_seen", "last_seen",
                                           "last_checked", "removed_at", "removed_status")}
    data["versions"] = [vars(v) for v in found.versions]
    return data


@main.command()
@click.option("--since", help="Only responses fetched on or after this date (YYYY-MM-DD[THH:MM]).")
@click.option("--site", help="Only this site profile (e.g. drm).")
@click.option("--warc-dir", type=click.Path(file_okay=False), help="WARC folder [default: warc/ next to the database].")
@click.option("--db", help=DB_HELP)
def reextract(since: str | None, site: str | None, warc_dir: str | None, db: str | None) -> None:
    """Re-run the current extractor over the archived WARC responses (no network): records
    are updated, a version added only where the output changed.

    \b
    Example:
        drmcrawl reextract --since 2024-01-01 --site drm
    """
    from drmcrawl.warc.records import warc_folder
    from drmcrawl.warc.reextract import reextract as run_reextract

    when = _parse_since(since)
    archive = open_archive(db, must_exist=True)
    folder = warc_folder(archive.location, warc_dir)
    if not folder.is_dir():
        raise click.ClickException(f"no WARC folder at {folder}")
    result = run(lambda: run_reextract(archive, folder, when, site))
    o = result.outcomes
    failed = ", ".join(f"{k} {v}" for k, v in sorted(result.failed.items())) or "0"
    click.echo(f"run {result.run_id}: re-extracted {result.read} archived responses; changed {result.changed} "
               f"(updated {o.get('updated', 0)}, new {o.get('new', 0)}), unchanged {o.get('unchanged', 0)}, "
               f"failed {failed}")


def _parse_since(since: str | None):
    if since is None:
        return None
    from dateutil import parser as dateparser

    try:
        parsed = dateparser.isoparse(since)
    except ValueError as exc:
        raise click.BadParameter(f"expected a date like 2024-01-31, got {since!r}", param_hint="--since") from exc
    # Fetch times are stored as naive UTC.
    return parsed if parsed.tzinfo is None else parsed.astimezone(timezone.utc).replace(tzinfo=None)


@main.command()
@click.option("--limit", type=click.IntRange(min=1, max=MAX_LIMIT), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Runs as JSON, with settings and failures by reason.")
@click.option("--db", help=DB_HELP)
@writes_stdout
def runs(limit: int, as_json: bool, db: str | None) -> None:
    """List crawl runs, newest first: trigger, status, duration and counts.

    \b
    Example:
        drmcrawl runs --limit 5
    """
    archive = open_archive(db, must_exist=True, read_only=True)
    rows = run(lambda: archive.runs(limit=limit))
    # A run of several workers (crawl --frontier): each worker's share.
    workers = {r.id: run(lambda r=r: archive.run_workers(r.id)) for r in rows if (r.settings or {}).get("run_name")}
    if as_json:
        click.echo(json.dumps([{**vars(r), "workers": workers.get(r.id)} for r in rows], ensure_ascii=False,
                              indent=2, default=str))
        return
    for r in rows:
        c = r.counts
        failed = ", ".join(f"{k} {v}" for k, v in sorted((r.failed_by_reason or {}).items()))
        duration = f"{r.duration_s:.1f}s" if r.duration_s is not None else "-"
        click.echo(printable(
            f"#{r.id} {r.started_at:%Y-%m-%d %H:%M} {r.spider} {r.trigger or '-'}{' full' if r.full else ''} "
            f"{r.status} ({r.finish_reason or '-'}) {duration}: discovered {c['discovered']}, "
            f"fetched {c['pages_fetched']}, new {c['articles_new']}, changed {c['articles_updated']}, "
            f"unchanged {c['articles_unchanged']} (304 {c['not_modified']}), skipped {c['skipped']}, "
            f"removed {c['articles_removed']}, failed {c['articles_failed']}"
            f"{f' [{failed}]' if failed else ''}, robots-blocked {c['robots_blocked']}"
            f"{f', resumed run {r.resumed_from}' if r.resumed_from else ''}"))
        if r.id in workers:
            click.echo(printable(f"  run {r.settings['run_name']!r}, workers: " + ", ".join(
                f"{w['worker']} {w['status']} {w['pages_fetched']} pages, failed {w['failed']}"
                for w in workers[r.id])))
    if not rows:
        click.echo("(no runs)")
