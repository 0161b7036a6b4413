"""Shared by the analysis tests: one real crawl of the fixture site per test session
(the real spider over HTTP into a real SQLite file), and the CLI through click's runner."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import run_cli

from drmcrawl.cli import main

_CRAWLED: dict[str, Path] = {}


def crawled_db(tmp_path_factory, site_server) -> Path:
    """The fixture site crawled once; tests must not write to it (copy it first)."""
    if "db" not in _CRAWLED:
        db = tmp_path_factory.mktemp("analysis") / "drmcrawl.sqlite"
        result = run_cli("crawl", "--base-url", site_server.url, "--db", str(db))
        assert result.returncode == 0, result.stdout + result.stderr
        _CRAWLED["db"] = db
    return _CRAWLED["db"]


def copy_db(db: Path, directory: Path, name: str = "drmcrawl.sqlite") -> Path:
    target = directory / name
    shutil.copy(db, target)
    return target


def cli(*args: str, expect: int = 0):
    """Run `drmcrawl ARGS` in-process; stdout and stderr separately."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr)
    return result
