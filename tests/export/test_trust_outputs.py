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
                                  ("report", "-o", "-")])
def test_stdout_on_a_full_disk_is_an_error(db, args):
    """Item 14: stdout redirected to a full disk: Error exit 1, no traceback."""
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "drmcrawl", *args, "--db", db],
                                stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (1, f"Error: cannot write standard output: {NO_SPACE}\n")
