"""Issue 19, outputs: nothing of the user's is removed or replaced by a failed write
(item 5), a failed write is an error (item 14), archive columns and --status (item 3)."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
import threading

import pytest
from analysis_support import cli
from records import make_article

from drmcrawl.export.files import export_files
from drmcrawl.storage import Archive

NO_SPACE = "No space left on device"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "a.sqlite"
    archive = Archive(path)
    archive.save_article(make_article())
    archive.save_article(make_article(url="http://127.0.0.1:8000/other", canonical_url=None, post_id=2,
                                      title="Second story"))
    archive.close()
    return str(path)


@pytest.fixture
def full_device(tmp_path):
    """A device node that answers every write with ENOSPC: our own (1, 7) node when we may
    create one (root), so a regression cannot remove the system's /dev/full."""
    node = tmp_path / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        return "/dev/full"
    return str(node)


def test_export_force_to_a_full_device_is_an_error_and_keeps_the_device(db, full_device):
    """Item 5/14: `-o /dev/full --force` is Error exit 1 and the device node stays."""
    result = cli("export", "--db", db, "--force", "-o", full_device, expect=1)
    assert result.stdout == ""
    assert result.stderr == f"Error: cannot write {full_device}: {NO_SPACE}\n"
    assert stat.S_ISCHR(os.stat(full_device).st_mode)
    for fmt in ("jsonl",):
        cli("export", "--db", db, "--force", "--format", fmt, "-o", full_device, expect=1)
        assert stat.S_ISCHR(os.stat(full_device).st_mode)
    result = cli("report", "--db", db, "--force", "-o", full_device, expect=1)
    assert result.stderr == f"Error: cannot write {full_device}: {NO_SPACE}\n"
    assert stat.S_ISCHR(os.stat(full_device).st_mode)


def test_export_through_a_link_to_stdout_writes_in_place_and_keeps_the_link(db, tmp_path):
    """Item 5: a symlink to /proc/self/fd/1 is written through, never replaced."""
    link = tmp_path / "out.csv"
    link.symlink_to("/proc/self/fd/1")
    result = subprocess.run([sys.executable, "-m", "drmcrawl", "export", "--db", db, "--force", "-o", str(link)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"2 articles written to {link}\n"
    assert [row["title"] for row in csv.DictReader(io.StringIO(result.stdout))] == ["TikTok unveils measures",
                                                                                    "Second story"]
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"


def test_export_to_a_fifo_writes_in_place(db, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    cli("export", "--db", db, "--force", "--format", "jsonl", "-o", str(fifo))
    reader.join(10)
    assert received[0].count(b"\n") == 2
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_failed_export_leaves_the_old_file_untouched_and_no_temporary(tmp_path):
    """Item 5: the new file replaces the old one only when complete."""
    target = tmp_path / "articles.csv"
    target.write_text("the analyst's previous export\n", encoding="utf-8")
    target.chmod(0o640)

    def failing():
        yield make_article().to_record()
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        export_files(failing(), {"csv": target}, force=True)
    assert target.read_text(encoding="utf-8") == "the analyst's previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.csv"]
    assert export_files([make_article().to_record()], {"csv": target}, force=True) == 1
    assert target.read_text(encoding="utf-8").startswith("url,")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.csv"]


def test_export_through_a_link_to_a_file_replaces_the_file_and_keeps_the_link(db, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    cli("export", "--db", db, "--force", "-o", str(link))
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("url,")


def test_dash_means_stdout(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("export", "--db", db, "-o", "-", "--format", "jsonl")
    assert result.stdout.count("\n") == 2 and result.stderr == ""
    assert not (tmp_path / "-").exists()
    result = cli("report", "--db", db, "-o", "-")
    assert result.stdout.startswith("<!doctype html>") and not (tmp_path / "-").exists()


def test_bundle_never_replaces_a_link_in_its_folder(db, tmp_path):
    bundle = tmp_path / "release"
    bundle.mkdir()
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("keep\n", encoding="utf-8")
    (bundle / "articles.csv").symlink_to(elsewhere)
    result = cli("export", "--db", db, "--bundle", str(bundle), "--force", expect=1)
    assert result.stderr == f"Error: {bundle / 'articles.csv'} exists and is not a regular file: not replaced\n"
    assert (bundle / "articles.csv").is_symlink() and elsewhere.read_text(encoding="utf-8") == "keep\n"


@pytest.mark.parametrize("args", [("export",), ("export", "--format", "jsonl"), ("export", "-o", "-"),
                                  ("list", "--format", "csv"), ("search", "tiktok", "--format", "jsonl"),
                                  ("report", "-o", "-"), ("stats",), ("stats", "--json"), ("runs",),
                                  ("history", "http://127.0.0.1:8000/story")])
def test_stdout_on_a_full_disk_is_an_error(db, args):
    """Item 14: stdout redirected to a full disk: Error exit 1, no traceback."""
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "drmcrawl", *args, "--db", db],
                                stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (1, f"Error: cannot write standard output: {NO_SPACE}\n")


# -- item 3: removed articles in what analysts read ------------------------------------------
REMOVED_AT = "2025-02-01T10:00:00+00:00"


@pytest.fixture
def removal_db(db):
    """Two articles: `Second story` live, the TikTok one taken down (410) and edited once."""
    from datetime import datetime

    archive = Archive(db)
    archive.save_article(make_article(title="TikTok unveils new measures"))
    assert archive.mark_removed("drm", "http://127.0.0.1:8000/story", 410, None, datetime(2025, 2, 1, 10, 0, 0, 123))
    archive.close()
    return db


def _columns(rows, *names):
    return [tuple(row[n] for n in names) for row in rows]


def test_every_export_format_has_the_archive_columns(removal_db, tmp_path):
    import json

    import pyarrow.parquet as pq

    from drmcrawl.model import ARCHIVE_FIELDS, EXPORT_FIELDS

    want = [("TikTok unveils new measures", 2, REMOVED_AT, 410), ("Second story", 1, None, None)]
    names = ("title", "version", "removed_at", "removed_status")
    csv_rows = list(csv.DictReader(io.StringIO(cli("export", "--db", removal_db).stdout)))
    assert list(csv_rows[0]) == list(EXPORT_FIELDS) and list(EXPORT_FIELDS[-5:]) == list(ARCHIVE_FIELDS)
    assert _columns(csv_rows, *names) == [tuple("" if v is None else str(v) for v in w) for w in want]
    jsonl = [json.loads(line) for line in cli("export", "--db", removal_db, "--format", "jsonl").stdout.splitlines()]
    assert _columns(jsonl, *names) == want
    assert all(r["first_seen"].endswith("+00:00") and r["last_seen"] >= r["first_seen"] for r in jsonl)
    cli("export", "--db", removal_db, "--format", "parquet", "-o", str(tmp_path / "a.parquet"))
    assert _columns(pq.read_table(tmp_path / "a.parquet").to_pylist(), *names) == want
    # The record path (jsonl) and the one-query CSV path agree on every archive cell.
    assert [[r[n] for n in ARCHIVE_FIELDS] for r in csv_rows] == [
        ["" if r[n] is None else str(r[n]) for n in ARCHIVE_FIELDS] for r in jsonl]


def test_status_filter_and_its_defaults(removal_db, tmp_path):
    import json

    def titles(*args):
        return [json.loads(line)["title"] for line in cli(*args, "--db", removal_db).stdout.splitlines()]

    both = ["TikTok unveils new measures", "Second story"]
    assert titles("export", "--format", "jsonl") == both
    assert titles("export", "--format", "jsonl", "--status", "live") == ["Second story"]
    assert titles("export", "--format", "jsonl", "--status", "removed") == ["TikTok unveils new measures"]
    assert titles("list", "--format", "jsonl") == both
    assert titles("list", "--format", "jsonl", "--status", "removed") == ["TikTok unveils new measures"]
    assert titles("search", "unveils", "--format", "jsonl") == []  # search: live by default
    [hit] = [json.loads(line) for line in
             cli("search", "unveils", "--status", "all", "--format", "jsonl", "--db", removal_db).stdout.splitlines()]
    assert (hit["removed_at"], hit["removed_status"], hit["version"]) == (REMOVED_AT, 410, 2)
    table = cli("list", "--db", removal_db).stdout.splitlines()
    assert table[1].startswith("2024-01-24  [removed] TikTok unveils new measures")
    shown = cli("search", "unveils", "--status", "removed", "--db", removal_db).stdout.splitlines()
    assert shown[2] == "   REMOVED 2025-02-01 (HTTP 410); archived version shown"
    assert cli("list", "--status", "gone", "--db", removal_db, expect=2).exit_code == 2


def test_bundle_manifest_states_the_status_and_the_dictionary_documents_the_columns(removal_db, tmp_path):
    import json

    from drmcrawl.model import ARCHIVE_FIELDS, EXPORT_FIELDS

    bundle = tmp_path / "release"
    cli("export", "--db", removal_db, "--bundle", str(bundle))
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["status"], manifest["filters"]["status"], manifest["articles"]) == ("all", "all", 2)
    assert manifest["columns"] == list(EXPORT_FIELDS)
    dictionary = (bundle / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    documented = [line.split("`")[1] for line in dictionary.splitlines() if line.startswith("| `")]
    assert documented == list(EXPORT_FIELDS)
    live = tmp_path / "live"
    cli("export", "--db", removal_db, "--bundle", str(live), "--status", "live")
    manifest = json.loads((live / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["status"], manifest["articles"]) == ("live", 1)
    # Datasette describes the archive columns where they are stored, under their export names.
    from drmcrawl.export.datasette import metadata_for

    columns = metadata_for("drmcrawl.sqlite")["databases"]["drmcrawl"]["tables"]["articles"]["columns"]
    stored = {"version": "version_count"}
    for name in ARCHIVE_FIELDS:
        assert f"`{name}`" in columns[stored.get(name, name)], name


def test_demo_export_to_a_full_device_is_an_error_and_keeps_the_device(tmp_path, full_device):
    """Item 5: `demo -o` writes through the same safe path as export."""
    result = subprocess.run([sys.executable, "-m", "drmcrawl", "demo", "--db", str(tmp_path / "demo.sqlite"),
                             "-o", full_device, "--force"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == f"Error: cannot write {full_device}: {NO_SPACE}"
    assert "Traceback" not in result.stderr
    assert stat.S_ISCHR(os.stat(full_device).st_mode)
