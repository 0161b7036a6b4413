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
