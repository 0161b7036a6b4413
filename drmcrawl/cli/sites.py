"""`drmcrawl sites ...`: declare a site after probing it, list the declared sites, re-check
the archived pages of one, and show the health of the sites' last runs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from drmcrawl.cli import main
from drmcrawl.cli.common import DB_HELP, check_url, open_archive, run

FILE_HELP = "Site declarations (TOML, [[site]] tables) [default: sites.toml in the current folder]."


@main.group()
def sites() -> None:
    """Declare, list, check and watch the health of news sites.

    \b
    Example:
        drmcrawl sites add https://www.example.org/ --name example
        drmcrawl sites list
        drmcrawl crawl --sites sites.toml
        drmcrawl sites health example
    """


def _declared(file: str) -> list:
    from drmcrawl.sites.declare import DeclarationError, load_sites

    if not Path(file).exists():
        return []
    try:
        return load_sites(file)
    except DeclarationError as exc:
        raise click.ClickException(str(exc)) from exc


@sites.command("add")
@click.argument("url")
@click.option("--name", help="The archive's name for the site [default: its host, and port].")
@click.option("--file", "file", default="sites.toml", show_default=True, help=FILE_HELP)
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between the probe's requests (robots.txt's Crawl-delay if longer).")
def add(url: str, name: str | None, file: str, delay: float) -> None:
    """Probe a site and append its declaration to the declarations file.

    The probe reads robots.txt, counts the URLs of the sitemaps it finds, finds the feeds,
    and extracts 5 sample articles to show each field's fill rate. The declaration is
    appended as a [[site]] table; what the file holds already is never changed.

    \b
    Example:
        drmcrawl sites add https://www.example.org/
        drmcrawl sites add http://127.0.0.1:8001/ --name mirror --file mysites.toml --delay 0
    """
    from drmcrawl.crawl.probing import probe_site
    from drmcrawl.sites.auto import site_name
    from drmcrawl.sites.declare import DeclarationError, load_sites
    from drmcrawl.sites.probe import append_declaration, check_name, declaration, report_lines

    check_url(url)
    path = Path(file)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    name = name or site_name(url)
    try:
        check_name(name, [s.name for s in _declared(file)])
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    probe = run(lambda: probe_site(url, name, delay=delay))
    for line in report_lines(probe):
        click.echo(line)
    if not probe.allowed:
        raise click.ClickException(f"robots.txt of {probe.url} disallows our User-Agent: not declared")
    table = declaration(probe)
    # The file as it will be must still load (a half-written table at the end of the
    # user's file would make it unreadable): checked on a copy before appending.
    check = path.with_name(f".{path.name}.check")
    try:
        check.write_text(append_declaration(existing, table), encoding="utf-8")
        load_sites(check)
    except DeclarationError as exc:
        raise click.ClickException(f"the declaration would not load: {exc}") from exc
    finally:
        check.unlink(missing_ok=True)
    addition = append_declaration(existing, table)[len(existing):]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        out.write(addition)
    click.echo(f"declared {name} in {path}")


@sites.command("list")
@click.option("--file", "file", default="sites.toml", show_default=True, help=FILE_HELP)
def list_sites(file: str) -> None:
    """List the declared sites: name, URL and sources.

    \b
    Example:
        drmcrawl sites list --file sites.toml
    """
    if not Path(file).exists():
        raise click.ClickException(f"no declarations file at {file}: `drmcrawl sites add URL` writes one")
    for site in _declared(file):
        click.echo(f"{site.name}\t{site.base_url}/\t{_sources(site)}")


def _sources(site) -> str:
    extra = [f"{kind} {', '.join(getattr(site, kind))}" for kind in ("sitemaps", "feeds") if getattr(site, kind)]
    if tuple(site.listings) != ("/",):
        extra.append(f"listings {', '.join(site.listings)}")
    return "auto" + (f" + {'; '.join(extra)}" if extra else "")


@sites.command("check")
@click.argument("name")
@click.option("--db", help=DB_HELP)
@click.option("--warc-dir", type=click.Path(file_okay=False), help="WARC folder [default: warc/ next to the database].")
def check(name: str, db: str | None, warc_dir: str | None) -> None:
    """Re-run the probe's extraction on the article pages the site's latest run archived
    (its WARC responses) and print the fill rates.

    \b
    Example:
        drmcrawl sites check example --db data/news.sqlite
    """
    from drmcrawl.crawl.probing import check_archived
    from drmcrawl.sites.probe import health_lines
    from drmcrawl.warc.records import warc_folder

    archive = open_archive(db, must_exist=True)
    run_id, probe = run(lambda: check_archived(archive, warc_folder(archive.location, warc_dir), name))
    if run_id is None:
        raise click.ClickException(f"no crawl run of {name!r} in {archive.location}")
    articles = sum(1 for verdict in probe.samples.values() if verdict == "article")
    click.echo(f"site {name}: run {run_id}, {len(probe.samples)} archived article pages, {articles} articles")
    for url, verdict in probe.samples.items():
        if verdict != "article":
            click.echo(f"  {url}: {verdict}")
    for line in health_lines(probe.health):
        click.echo(line)


@sites.command("health")
@click.argument("name", required=False)
@click.option("--runs", "last", type=click.IntRange(min=1), default=5, show_default=True,
              help="Runs to show per site.")
@click.option("--db", help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Per site, its runs with their health, as JSON.")
def health(name: str | None, last: int, db: str | None, as_json: bool) -> None:
    """Show the health of the sites' last runs side by side: the share of articles with
    each field filled, article and non-article counts, median body length, and the alarms
    (a field or the article count that fell sharply: a layout change?).

    \b
    Example:
        drmcrawl sites health
        drmcrawl sites health example --runs 10 --json
    """
    archive = open_archive(db, must_exist=True)
    by_site = run(lambda: _runs_by_site(archive, name, last))
    if name and not by_site:
        raise click.ClickException(f"no run of {name!r} with a health reading")
    if as_json:
        out = {site: [{"run": r.id, "started_at": r.started_at, "status": r.status, "health": r.health}
                      for r in rows] for site, rows in by_site.items()}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return
    if not by_site:
        click.echo("(no runs with a health reading)")
    for site, rows in by_site.items():
        click.echo(health_table(site, list(reversed(rows))))


def _runs_by_site(archive, name: str | None, last: int) -> dict:
    names = [name] if name else sorted({r.spider for r in archive.runs(limit=100_000) if r.health})
    found = {}
    for site in names:
        rows = [r for r in archive.site_runs(site, limit=last * 4) if r.health][:last]
        if rows:
            found[site] = rows
    return found


def health_table(site: str, rows) -> str:
    """One column per run (oldest first), one line per measure."""
    from drmcrawl.crawl.health import alarm_text
    from drmcrawl.sites.probe import HEALTH_FIELDS

    def share(value):
        return "-" if value is None else f"{round(value * 100)}%"

    lines = [("run", [f"#{r.id}" for r in rows]), ("started", [f"{r.started_at:%Y-%m-%d %H:%M}" for r in rows]),
             ("articles", [str(r.health.get("articles", "-")) for r in rows]),
             ("non-articles", [str(r.health.get("non_articles", "-")) for r in rows])]
    lines += [(field, [share((r.health.get("fill") or {}).get(field)) for r in rows]) for field in HEALTH_FIELDS]
    lines.append(("median words", [str(r.health.get("median_words") if r.health.get("median_words") is not None
                                       else "-") for r in rows]))
    lines.append(("alarms", [str(len(r.health.get("alarms") or [])) for r in rows]))
    width = max(len(label) for label, _ in lines)
    cols = [max(len(values[i]) for _, values in lines) for i in range(len(rows))]
    out = [f"{site}:"]
    for label, values in lines:
        out.append("  " + f"{label:<{width}}  " + "  ".join(f"{v:>{cols[i]}}" for i, v in enumerate(values)))
    for r in rows:
        for alarm in r.health.get("alarms") or []:
            out.append(f"  alarm in run #{r.id}: {alarm_text(alarm)}")
    return "\n".join(out)
