"""Real `drmcrawl` processes for the data-safety tests: started, watched and killed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import expected_articles

N_ARTICLES = len(expected_articles())


def start_crawl(base_url: str, db: Path, *extra: str, python_prelude: str | None = None) -> subprocess.Popen:
    """`drmcrawl crawl` in its own process. `python_prelude` runs first in that process
    (used to simulate a full disk)."""
    env = {k: v for k, v in os.environ.items() if k != "DRMCRAWL_DB"}
    cli = ["crawl", "--base-url", base_url, "--db", str(db), *extra]
    if python_prelude:
        code = f"{python_prelude}\nimport sys\nfrom drmcrawl.cli import main\nsys.argv = ['drmcrawl', *sys.argv[1:]]\nmain()"
        args = [sys.executable, "-c", code, *cli]
    else:
        args = [sys.executable, "-m", "drmcrawl", *cli]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def article_count(db: Path) -> int:
    """Committed articles, read the way an analyst would (0 before the schema exists)."""
    if not db.exists():
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute("select count(*) from articles").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return 0
        raise
    finally:
        con.close()


def wait_for(condition, timeout: float, proc: subprocess.Popen | None = None, every: float = 0.02) -> bool:
    """Poll until condition() or timeout; False early if `proc` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(every)
    return False


def incomplete_articles(con: sqlite3.Connection) -> list[str]:
    """Articles missing a part that is written in the same transaction as the row: their
    author and category links and their full-text search terms. One statement = one
    consistent snapshot."""
    return [url for (url,) in con.execute(
        "select a.url from articles a where a.title is null or a.body is null "
        "or not exists (select 1 from article_authors l where l.article_id = a.id) "
        "or not exists (select 1 from article_categories l where l.article_id = a.id) "
        "or not exists (select 1 from article_search_terms t where t.article_id = a.id)")]
