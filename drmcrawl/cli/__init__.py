"""The `drmcrawl` command: thin click commands over the library, one module per
command group (each registers its commands on `main` when imported below).

Errors print `Error: ...` and exit 1; usage errors exit 2 (click's convention)."""

from __future__ import annotations

import logging
import sys

import click

from drmcrawl import __version__
from drmcrawl.cli.common import ErrorsAsMessages

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


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
    framework = record.name.split(".", 1)[0] in ("scrapy", "twisted", "py.warnings", "alembic")
    return record.levelno >= logging.WARNING or not framework


@click.group(cls=ErrorsAsMessages, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="drmcrawl")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
def main(verbose: int, quiet: bool) -> None:
    """Crawl and archive news articles (Digital Rights Monitor first) into SQLite."""
    _configure_logging(verbose, quiet)



# Command modules register themselves on `main`.
from drmcrawl.cli import analysis, crawling, data, db, extracting, history, sites  # noqa: E402,F401
