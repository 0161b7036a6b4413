"""Data safety: a crawl killed with -9 at random points and restarted leaves every article
exactly once and a sound database; a read-only or full database is a clear error and the
database is left unharmed. Real processes, a real server, real SQLite files."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import time
from pathlib import Path

from conftest import SITE, run_cli
from faultserver import FaultServer
from processes import N_ARTICLES, article_count, finish, incomplete_articles, start_crawl, wait_for
from records import assert_matches_expected, make_article, stored

from drmcrawl.storage import Archive

# One kill per seed, in three windows of a crawl: during start-up (after the database file
# appears: schema, run row, robots.txt, sitemaps), among the first half of the articles,
# among the second half.
SEEDS = (3, 14, 15)


def kill_point(index: int, seed: int, stored_already: int) -> tuple[str, float]:
    rng = random.Random(seed)
    if index == 0:
        return "seconds", rng.uniform(0.0, 1.0)
    low, high = (1, N_ARTICLES // 2) if index == 1 else (N_ARTICLES // 2 + 1, N_ARTICLES - 2)
    return "articles", max(rng.randint(low, high), stored_already + 1)


def crawl_and_kill(url: str, db: Path, index: int, seed: int) -> int:
    kind, value = kill_point(index, seed, article_count(db))
    # Batches of a few articles: committed counts to kill at, kills inside a batch too.
    # The delay keeps the last window open: without it the crawl went from 14 of 21
    # articles to its run marked finished in 0.12 s, near the 0.07 s the kill may take.
    proc = start_crawl(url, db, "--commit-every", "0.05", "--delay", "0.05")
    if kind == "seconds":  # after the crawl opened the database (a fresh one on the first kill)
        assert wait_for(lambda: db.exists(), timeout=90, proc=proc), proc.communicate()[1][-2000:]
        time.sleep(value)
    else:
        assert wait_for(lambda: article_count(db) >= value, timeout=90, proc=proc), proc.communicate()[1][-2000:]
    time.sleep(random.Random(seed).uniform(0, 0.05))  # land between commits or inside one
    assert proc.poll() is None, "the crawl finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert last_run_status(db) in (None, "running"), "the kill landed after the crawl had finished"
    return proc.pid


def last_run_status(db: Path) -> str | None:
    if not db.exists():
        return None
    con = sqlite3.connect(db)
    try:
        row = con.execute("select status from crawl_runs order by id desc limit 1").fetchone()
    except sqlite3.OperationalError:  # killed before the tables were made
        row = None
    con.close()
    return row[0] if row else None


def assert_sound(db: Path) -> None:
    """SQLite's own checks, and no article without the rows written with it. A database
    killed before it had its tables passes if it is sound."""
    if not db.exists():
        return
    con = sqlite3.connect(db)
    assert con.execute("pragma integrity_check").fetchall() == [("ok",)]
    assert con.execute("pragma foreign_key_check").fetchall() == []
    tables = {name for (name,) in con.execute("select name from sqlite_master")}
    if {"articles", "articles_fts"} <= tables:
        assert incomplete_articles(con) == []
        con.execute("insert into articles_fts(articles_fts, rank) values ('integrity-check', 1)")  # raises if damaged
    con.close()


def test_kill_9_at_random_points_then_restart(tmp_path, site_server):
    db = tmp_path / "killed.sqlite"
    for index, seed in enumerate(SEEDS):
        killed_pid = crawl_and_kill(site_server.url, db, index, seed)
        assert_sound(db)  # sound even right after the kill, before any repair
    lock_text = Path(f"{db}.lock").read_text()
    assert f"pid {killed_pid} " in lock_text  # the dead crawl's lock file is still there...
    code, out, err = finish(start_crawl(site_server.url, db))
    assert code == 0, err[-3000:]  # ...and taken over: flock died with its holder
    assert "were killed before they finished; marked interrupted" in err
    records = stored(db)
    assert_matches_expected(records)  # every article exactly once, every field exact
    con = sqlite3.connect(db)
    assert con.execute("select count(*), count(distinct url_key) from articles").fetchone() == (N_ARTICLES, N_ARTICLES)
    runs = con.execute("select status, finish_reason from crawl_runs order by id").fetchall()
    assert runs[-1] == ("finished", "finished")
    assert set(runs[:-1]) <= {("interrupted", "killed")} and len(runs) >= 3
    con.close()
    assert_sound(db)


def file_digest(db: Path) -> str:
    return hashlib.sha256(b"".join(Path(f"{db}{s}").read_bytes() for s in ("", "-wal")
                                   if Path(f"{db}{s}").exists())).hexdigest()


def small_archive(db: Path) -> None:
    archive = Archive(db)
    archive.save_article(make_article())
    archive.close()


def test_read_only_database_is_a_clear_error_and_left_unharmed(tmp_path):
    """Opened through SQLite's read-only URI mode: tests may run as root, for whom a
    chmod'ed file stays writable. The effect on SQLite is the same: every write refused."""
    db = tmp_path / "ro.sqlite"
    small_archive(db)
    before = file_digest(db)
    with FaultServer(SITE) as server:
        result = run_cli("crawl", "--base-url", server.url, "--db", f"sqlite:///file:{db}?mode=ro&uri=true")
    assert server.log == [], "refused before fetching anything"
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot write to database")
    assert "readonly database" in result.stderr
    assert "Traceback" not in result.stderr
    assert file_digest(db) == before
    assert_sound(db)


DISK_FULL = """
from sqlalchemy import event
from sqlalchemy.pool import Pool

@event.listens_for(Pool, "connect")
def _disk_full(dbapi_connection, _record):
    dbapi_connection.execute("PRAGMA max_page_count = {pages}")
"""


def test_full_disk_stops_the_crawl_with_a_clear_error_and_no_damage(tmp_path, site_server):
    """A full disk, simulated: every connection of the crawl process may grow the file
    to only a few pages more than the empty archive (SQLite's max_page_count gives the
    same SQLITE_FULL error a full disk does)."""
    db = tmp_path / "full.sqlite"
    Archive(db).close()
    empty_pages = sqlite3.connect(db).execute("pragma page_count").fetchone()[0]
    # Each write committed: what came before the full disk is kept.
    proc = start_crawl(site_server.url, db, "--commit-every", "0",
                       python_prelude=DISK_FULL.format(pages=empty_pages + 12))
    code, out, err = finish(proc)
    assert code == 1
    assert "Error: crawl stopped: database error on" in err and "database or disk is full" in err
    kept = article_count(db)
    assert 0 < kept < N_ARTICLES, "the disk should fill up mid-crawl"
    assert_sound(db)
    # Space again: the archive takes writes (a restarted crawl then goes on as after kill -9).
    archive = Archive(db)
    assert archive.save_article(make_article(post_id=1, url="http://x/after", canonical_url="http://x/after")) == "new"
    archive.close()
    assert article_count(db) == kept + 1
