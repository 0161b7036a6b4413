"""Shared by the analysis tests (the crawled archive itself is the `crawled_archive`
fixture in conftest): copies of it, and the CLI through click's runner."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from drmcrawl.cli import main


def copy_db(db: Path, directory: Path, name: str = "drmcrawl.sqlite") -> Path:
    target = directory / name
    shutil.copy(db, target)
    return target


def cli(*args: str, expect: int = 0):
    """Run `drmcrawl ARGS` in-process; stdout and stderr separately."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr)
    return result
