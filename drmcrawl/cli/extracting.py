"""Extraction of single saved pages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from drmcrawl.cli import main
from drmcrawl.cli.common import (
    read_file,
)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=str))
@click.option("--url", help="The page's URL (defaults to the file's file:// URL).")
@click.option("--profile", help="Force a site profile (e.g. drm, jnews) instead of detecting it.")
@click.option("--explain", is_flag=True,
              help="Also print which layer produced each field (`sources`) and how sure it is "
                   "(`confidence`, 0 to 1).")
@click.option("--html/--no-html", "with_html", default=False, help="Include body_html.")
def extract(file: str, url: str | None, profile: str | None, explain: bool, with_html: bool) -> None:
    """Extract the article from a saved HTML page and print it as one JSON object.

    \b
    Example:
        drmcrawl extract page.html --url https://digitalrightsmonitor.pk/some-article
    """
    from drmcrawl.extract import NotAnArticle
    from drmcrawl.extract import extract as extract_article

    data = sys.stdin.buffer.read() if file == "-" else read_file(file)
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
    if explain:
        record["confidence"] = dict(article.confidence)
    else:
        record.pop("sources")
    click.echo(json.dumps(record, ensure_ascii=False))
