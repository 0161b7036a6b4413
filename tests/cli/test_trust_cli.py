"""Issue 19 through the real commands: exact exit codes, stdout and stderr."""

from __future__ import annotations

import pytest
from analysis_support import cli
from records import make_article

from drmcrawl.storage import Archive


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "a.sqlite"
    archive = Archive(path)
    archive.save_article(make_article())
    archive.close()
    return str(path)


def test_search_huge_query_is_capped_with_a_warning(db):
    """Item 17: a 30,000-word query is searched as its distinct words, and stderr says so."""
    word = make_article().title.split()[0]
    result = cli("search", " ".join([word] * 30_000), "--db", db, "--format", "jsonl")
    assert result.stderr == "Warning: search query too long: 29999 repeated words dropped\n"
    assert [line.count('"rank": 1') for line in result.stdout.splitlines()] == [1]


EVIL = "TikTok\x1b]0;pwned\x07 \x1b[2J\x9b31mmeasures\x85\x07"


@pytest.fixture
def evil_db(tmp_path):
    from drmcrawl.model import Term

    path = tmp_path / "evil.sqlite"
    archive = Archive(path)
    archive.save_article(make_article(title=EVIL, authors=["Usman\x1b[5m Shahid"],
                                      tags=[Term("Pak\x1b]8;;http://x\x07istan", "pakistan")]))
    archive.close()
    return str(path)


CONTROLS = ("\x1b", "\x07", "\x9b", "\x85")


def test_table_output_never_prints_control_characters(evil_db):
    """Item 8: list, search, history and stats print no terminal control sequence."""
    listed = cli("list", "--db", evil_db)
    assert listed.stdout == ("published   title" + " " * 57 + "url\n"
                             f"2024-01-24  {'TikTok measures':<60}  http://127.0.0.1:8000/story\n")
    outputs = [listed.stdout,
               cli("search", "tiktok", "--db", evil_db).stdout,
               cli("history", "http://127.0.0.1:8000/story", "--db", evil_db).stdout,
               cli("stats", "--db", evil_db).stdout]
    for out in outputs:
        assert not [c for c in CONTROLS if c in out], out
    assert "1. TikTok measures  (2024-01-24)" in outputs[1]
    assert outputs[2].startswith("TikTok measures\nhttp://127.0.0.1:8000/story\n")
    assert "  Usman Shahid  1" in outputs[3] and "  Pakistan  1" in outputs[3]


def test_machine_formats_keep_the_stored_text_exactly(evil_db):
    """Item 8: json/jsonl/csv are data: the stored title, controls included."""
    import csv
    import io
    import json

    assert json.loads(cli("list", "--db", evil_db, "--format", "json").stdout)[0]["title"] == EVIL
    assert json.loads(cli("search", "tiktok", "--db", evil_db, "--format", "jsonl").stdout)["title"] == EVIL
    rows = list(csv.DictReader(io.StringIO(cli("list", "--db", evil_db, "--format", "csv").stdout)))
    assert rows[0]["title"] == EVIL


@pytest.mark.parametrize("command", [("list",), ("search", "tiktok"), ("export",), ("runs",)])
def test_limit_beyond_64_bits_is_a_usage_error(db, command):
    """Item 16: was an OverflowError traceback from the SQLite driver."""
    result = cli(*command, "--limit", str(2**64), "--db", db, expect=2)
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--limit': {2**64} is not in the range 1<=x<=9223372036854775807.")
    assert cli(*command, "--limit", str(2**63 - 1), "--db", db).exit_code == 0


READ_COMMANDS = [("list",), ("search", "tiktok"), ("stats",), ("export",), ("export", "--format", "jsonl"),
                 ("history", "http://127.0.0.1:8000/story"), ("runs",), ("list", "--format", "csv"),
                 ("report", "-o", "-")]


@pytest.fixture
def read_only_folder(db, tmp_path):
    """The archive alone in a folder nobody may write (0555), as on read-only media."""
    import os
    import shutil

    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(db, folder / "a.sqlite")
    os.chmod(folder / "a.sqlite", 0o444)
    os.chmod(folder, 0o555)
    yield folder
    os.chmod(folder, 0o755)


@pytest.mark.parametrize("command", READ_COMMANDS)
def test_read_commands_work_on_a_read_only_folder_and_create_nothing(read_only_folder, command):
    """Item 16: read commands open the archive read-only (immutable in an unwritable folder):
    they work, and no -wal, -shm or journal file appears (root included, who could write)."""
    result = cli(*command, "--db", str(read_only_folder / "a.sqlite"))
    assert result.stdout and "Error" not in result.stderr
    assert sorted(p.name for p in read_only_folder.iterdir()) == ["a.sqlite"]


def test_read_only_connection_uri(read_only_folder, tmp_path):
    """Item 16: how the file is opened: immutable in an unwritable folder, mode=ro elsewhere;
    writes are refused on both."""
    import sqlite3

    import pytest as _pytest
    from sqlalchemy import text

    from drmcrawl.storage import StorageError

    frozen = Archive(read_only_folder / "a.sqlite", read_only=True)
    url = frozen.engine.url
    assert (url.database, dict(url.query)) == (f"file:{read_only_folder / 'a.sqlite'}", {"immutable": "1", "uri": "true"})
    writable = Archive(tmp_path / "a.sqlite", read_only=True)
    url = writable.engine.url
    assert (url.database, dict(url.query)) == (f"file:{tmp_path / 'a.sqlite'}", {"mode": "ro", "uri": "true"})
    for archive in (frozen, writable):
        assert archive.count_articles() == 1
        with _pytest.raises((StorageError, sqlite3.OperationalError)):
            with archive.session() as s:
                s.execute(text("DELETE FROM failures"))
        archive.close()
    assert sorted(p.name for p in read_only_folder.iterdir()) == ["a.sqlite"]


def test_a_reader_closing_the_pipe_stops_the_listing_quietly(tmp_path):
    """`drmcrawl list | head -1`: the reader has what it wanted; no error, no traceback."""
    import subprocess
    import sys

    from records import make_article

    from drmcrawl.storage import Archive

    db = tmp_path / "a.sqlite"
    archive = Archive(db)
    for n in range(3000):
        archive.save_article(make_article(url=f"http://127.0.0.1:8000/s{n}", canonical_url=f"https://x/s{n}",
                                          post_id=n + 1))
    archive.close()
    listing = subprocess.Popen([sys.executable, "-m", "drmcrawl", "list", "--limit", "3000", "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    listing.stdout.readline()
    listing.stdout.close()  # the reader goes away after one line
    stderr = listing.stderr.read().decode()
    assert listing.wait(timeout=60) == 0, stderr
    assert "Error" not in stderr and "Traceback" not in stderr
