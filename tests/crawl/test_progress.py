"""Progress a person can read (issue 22): the periodic log line off a terminal, a live
per-site table on one. Real crawls of fixture sites served on 127.0.0.1."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from conftest import run_cli
from rich.console import Console

from drmcrawl.crawl.progress import SiteProgress, duration, progress_line, progress_table

REPO = Path(__file__).resolve().parents[2]
SITES = REPO / "tests" / "fixtures" / "sites"
sys.path.insert(0, str(SITES))
from serve import SiteServer  # noqa: E402

LINE = re.compile(r"progress: newspaper: articles found (\d+), to fetch (\d+), stored (\d+), failed (\d+); "
                  r"(\d+) pages, (\d+\.\d) pages/s; time left (\d+:\d\d:\d\d|-)")


def test_the_log_line_says_found_to_fetch_stored_failed_speed_and_time_left():
    p = SiteProgress("observer", found=1200, to_fetch=800, stored=100, failed=3, done=120, pages=300, seconds=60)
    assert progress_line(p) == ("progress: observer: articles found 1200, to fetch 800, stored 100, failed 3; "
                                "300 pages, 5.0 pages/s; time left 0:05:40")
    assert p.seconds_left == 680 * 60 / 120
    assert SiteProgress("x", 5, 5, 0, 0, 0, 0, 0.0).seconds_left is None  # nothing answered yet: unknown
    assert duration(None) == "-" and duration(3725) == "1:02:05"


def test_the_live_table_has_a_row_per_site():
    console = Console(record=True, width=80)
    console.print(progress_table([SiteProgress("127.0.0.1-8001", 16, 16, 12, 0, 16, 52, 3.4),
                                  SiteProgress("coastlinecourier.example", 1200, 800, 100, 3, 120, 300, 60)]))
    lines = [line.rstrip() for line in console.export_text().splitlines()]
    assert lines[1].split() == ["site", "found", "to", "fetch", "stored", "failed", "pages/s", "time", "left"]
    assert lines[3].split() == ["127.0.0.1-8001", "16", "16", "12", "0", "15.3", "0:00:00"]
    assert lines[4].split() == ["coastlinecourier.example", "1200", "800", "100", "3", "5.0", "0:05:40"]


def test_off_a_terminal_the_crawl_logs_the_line_with_the_sessions_numbers(tmp_path):
    with SiteServer("newspaper") as server:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"site={server.url}/", "-a", "site_name=newspaper",
             "-s", f"DRMCRAWL_DB={tmp_path / 'news.sqlite'}", "-s", "DRMCRAWL_PROGRESS_EVERY=0",
             "-s", "DRMCRAWL_COMMIT_WRITES=1",  # counts reach the session when committed: at once here
             "-s", "LOG_LEVEL=INFO"], cwd=REPO, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line.split("INFO: ", 1)[1] for line in result.stderr.splitlines() if "INFO: progress:" in line]
    assert lines and all(LINE.fullmatch(line) for line in lines), lines
    stored = [int(LINE.fullmatch(line).group(3)) for line in lines]
    assert stored == sorted(stored) and stored[-1] == 12  # one line per item stored, counting up
    found, to_fetch, stored, failed, pages = map(int, LINE.fullmatch(lines[-1]).groups()[:5])
    # 12 articles and up to 4 non-article pages (video, gallery...) found and fetched.
    assert 12 <= to_fetch <= found <= 16 and failed == 0 and pages > to_fetch


def test_quiet_or_not_a_terminal_no_live_display(tmp_path):
    with SiteServer("newspaper") as server:
        result = run_cli("crawl", "--site", f"{server.url}/", "--db", str(tmp_path / "n.sqlite"), "--delay", "0")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "articles per site" not in result.stderr + result.stdout  # no table


def read_pty(args: list[str], timeout: float = 180) -> tuple[int, str, str]:
    """Run `args` with stderr on a pseudo-terminal (stdout a pipe): exit status, the
    terminal's output, stdout."""
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    env = {**os.environ, "COLUMNS": "100", "LINES": "40", "TERM": "xterm"}
    env.pop("DRMCRAWL_DB", None)
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=slave, cwd=REPO, env=env)
    os.close(slave)
    out, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal's other side closed
                break
            if not chunk:
                break
            out += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    stdout = process.stdout.read().decode()
    process.stdout.close()
    return process.wait(timeout=30), out.decode("utf-8", errors="replace"), stdout


def test_on_a_terminal_a_live_table_shows_a_row_per_site(tmp_path):
    with SiteServer("newspaper") as a, SiteServer("urdu") as b:
        status, terminal, stdout = read_pty(
            [sys.executable, "-m", "drmcrawl", "crawl", "--site", f"{a.url}/", "--site", f"{b.url}/",
             "--db", str(tmp_path / "two.sqlite"), "--delay", "0"])
        names = [f"127.0.0.1-{a.url.rsplit(':', 1)[1]}", f"127.0.0.1-{b.url.rsplit(':', 1)[1]}"]
    assert status == 0, terminal[-3000:]
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal)
    assert "drmcrawl: articles per site" in plain
    assert re.search(r"site\s+found\s+to fetch\s+stored\s+failed\s+pages/s\s+time left", plain)
    last = {name: [line.split() for line in plain.splitlines() if line.startswith(name)][-1] for name in names}
    # The final numbers: 12 and 9 articles stored, out of the URLs found (a few are videos,
    # galleries... how many depends on which source named them first) and fetched.
    for name, articles, most in ((names[0], 12, 16), (names[1], 9, 13)):
        found, to_fetch, stored, failed = map(int, last[name][1:5])
        assert (stored, failed) == (articles, 0) and articles <= to_fetch <= found <= most, last[name]
    assert "progress:" not in plain  # the log line stays out of the live display
    assert stdout.count(": run ") == 2  # the summary, on stdout as before


def test_quiet_on_a_terminal_no_live_display(tmp_path):
    with SiteServer("newspaper") as server:
        status, terminal, stdout = read_pty([sys.executable, "-m", "drmcrawl", "-q", "crawl", "--site", f"{server.url}/",
                                             "--db", str(tmp_path / "q.sqlite"), "--delay", "0"])
    assert status == 0, terminal[-3000:]
    assert "articles per site" not in terminal and ": run 1: finished" in stdout
