"""Issue 19 item 16: what goes wrong outside drmcrawl (a database URL nobody can open, a
server that is not there, a malformed URL, a busy port, a full disk) is `Error: ...` with
exit code 1 (a usage error: exit 2), never a Python traceback."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from conftest import run_cli
from processes import finish, start_crawl

from drmcrawl.storage import Archive


def assert_error(result, code: int = 1, starts: str = "Error: ") -> str:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(starts), result.stderr
    return result.stderr


@pytest.mark.parametrize("command", [["stats"], ["crawl", "--base-url", "http://127.0.0.1:9"]])
def test_a_database_url_of_an_unknown_kind_is_an_error(tmp_path, command):
    err = assert_error(run_cli(*command, "--db", "foo://x", cwd=tmp_path))
    assert "cannot open database foo://x" in err


@pytest.mark.parametrize("command", [["stats"], ["crawl", "--base-url", "http://127.0.0.1:9"]])
def test_a_postgresql_url_with_no_server_is_an_error_that_keeps_the_password_out(tmp_path, command):
    """pg8000 (a test dependency) tries to connect, and finds nothing on port 1."""
    err = assert_error(run_cli(*command, "--db", "postgresql+pg8000://reader:s3cret@127.0.0.1:1/archive",
                               cwd=tmp_path))
    assert "cannot open database postgresql+pg8000://reader:***@127.0.0.1:1/archive" in err
    assert "s3cret" not in err


def test_a_postgresql_url_whose_driver_is_missing_is_an_error(tmp_path):
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        err = assert_error(run_cli("stats", "--db", "postgresql://127.0.0.1:1/x", cwd=tmp_path))
        assert "its driver is not installed" in err
    else:  # the driver is there: then it is the missing server
        assert_error(run_cli("stats", "--db", "postgresql://127.0.0.1:1/x", cwd=tmp_path))


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:99999", "http://127.0.0.1:port"])
def test_a_malformed_base_url_is_a_usage_error(tmp_path, url):
    result = run_cli("crawl", "--base-url", url, "--db", str(tmp_path / "a.sqlite"))
    err = assert_error(result, code=2, starts="Error: Invalid value for --base-url")
    assert "not a valid URL" in err
    assert not (tmp_path / "a.sqlite").exists()


def test_serve_on_a_busy_port_is_an_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        err = assert_error(run_cli("serve", "--port", str(port), timeout=30))
    assert f"cannot serve on 127.0.0.1:{port}" in err


def test_a_database_under_a_file_is_an_error_for_every_command(tmp_path):
    """The database's folder cannot be made (its parent is a file): an OSError in whatever
    command touches it first."""
    (tmp_path / "file").write_text("not a folder")
    db = str(tmp_path / "file" / "sub" / "a.sqlite")
    for command in (["stats"], ["crawl", "--base-url", "http://127.0.0.1:9"], ["demo", "-o", str(tmp_path / "d.csv")],
                    ["reextract"], ["runs"]):
        assert_error(run_cli(*command, "--db", db, cwd=tmp_path))


def test_a_demo_export_under_a_file_is_an_error(tmp_path):
    """Caught by the command group (the demo does not wrap its export's folder)."""
    (tmp_path / "file").write_text("not a folder")
    err = assert_error(run_cli("demo", "--db", str(tmp_path / "demo.sqlite"), "-o", str(tmp_path / "file" / "d.csv"),
                               cwd=tmp_path))
    assert str(tmp_path / "file") in err


DISK_FULL = """
from sqlalchemy import event
from sqlalchemy.pool import Pool

@event.listens_for(Pool, "connect")
def _disk_full(dbapi_connection, _record):
    dbapi_connection.execute("PRAGMA max_page_count = {pages}")
"""


def test_a_crawl_onto_a_full_disk_ends_with_an_error_and_no_traceback(tmp_path, site_server):
    """SQLite's max_page_count gives the SQLITE_FULL error a full disk does."""
    db = tmp_path / "full.sqlite"
    Archive(db).close()
    empty_pages = sqlite3.connect(db).execute("pragma page_count").fetchone()[0]
    code, out, err = finish(start_crawl(site_server.url, db, "--commit-every", "0",
                                        python_prelude=DISK_FULL.format(pages=empty_pages + 12)))
    assert code == 1
    assert "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("Error: crawl stopped: database error on")
    assert "database or disk is full" in err
    assert Path(db).exists()


WARC_FULL = """
import builtins
import drmcrawl.warc.records as records

# Every WARC file the crawl opens is /dev/full: each write fails with ENOSPC, as on a full disk.
records.open = lambda path, mode="r", *args, **kwargs: builtins.open("/dev/full", mode, *args, **kwargs)
"""


def test_a_crawl_whose_warc_folder_is_full_ends_with_an_error_and_a_finished_run_row(tmp_path, site_server):
    db = tmp_path / "warcfull.sqlite"
    code, out, err = finish(start_crawl(site_server.url, db, python_prelude=WARC_FULL))
    assert code == 1
    assert "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("Error: crawl stopped: cannot write WARC files:")
    assert "No space left on device" in err
    status = sqlite3.connect(db).execute("select status, finish_reason from crawl_runs").fetchall()
    assert status == [("failed", "storage_error")]
