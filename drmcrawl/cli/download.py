"""Options every fetching command shares: per-download limits and how the crawler
introduces itself. Each also reads an environment variable, for scheduled runs."""

from __future__ import annotations

import functools

import click

_OPTIONS = (
    click.option("--timeout", type=click.FloatRange(min=0.1), envvar="DRMCRAWL_TIMEOUT", show_envvar=True,
                 help="Seconds one download may take, connecting included [default: 30]."),
    click.option("--max-size", type=click.FloatRange(min=0.01), envvar="DRMCRAWL_MAX_SIZE", show_envvar=True,
                 metavar="MB", help="Largest response body, after decompression (gzip bombs) [default: 20]."),
    click.option("--user-agent", envvar="DRMCRAWL_USER_AGENT", show_envvar=True,
                 help="Full User-Agent header [default: drmcrawl/VERSION (+CONTACT)]."),
    click.option("--contact", envvar="DRMCRAWL_CONTACT", show_envvar=True,
                 help="URL or e-mail for site owners, put into the default User-Agent."),
)


def download_options(command):
    """Add the options; the command receives one `download_settings` dict of Scrapy settings."""

    @functools.wraps(command)
    def wrapper(*args, timeout, max_size, user_agent, contact, **kwargs):
        return command(*args, download_settings=download_settings(timeout, max_size, user_agent, contact), **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def download_settings(timeout: float | None, max_size_mb: float | None, user_agent: str | None,
                      contact: str | None) -> dict:
    from drmcrawl import __version__

    settings: dict = {}
    if timeout is not None:
        settings["DOWNLOAD_TIMEOUT"] = timeout
    if max_size_mb is not None:
        settings["DOWNLOAD_MAXSIZE"] = int(max_size_mb * 1024 * 1024)
        settings["DOWNLOAD_WARNSIZE"] = settings["DOWNLOAD_MAXSIZE"] // 2
    if user_agent:
        settings["USER_AGENT"] = user_agent
    elif contact:
        settings["USER_AGENT"] = f"drmcrawl/{__version__} (+{contact})"
    return settings
