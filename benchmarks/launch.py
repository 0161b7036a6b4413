"""Starts the benchmark suite's workloads and reports their wall time, CPU and peak RSS.

run.py starts this first, while it is still small, and runs every workload through it:
Linux hands a process's peak RSS down to every child forked after it (exec does not reset
it), so measured straight from run.py, once it has grown, a 20 MB `sqlite3` showed run.py's
own peak. One JSON job per line in: {"cmd", "stdout", "stderr"}; one JSON result per line out.

It is also the child subreaper of what it starts (Linux): a process the workload leaves
behind (the crawl's extraction worker, forked by multiprocessing's forkserver, which the
crawl never waits for) comes back to it, so its CPU is counted with the workload's instead of
vanishing with its parent. `cpu_s` is the whole tree's; `rss_mb` the started process's own
peak (from wait4); `tree_mb` the largest total memory of all the processes it started,
sampled every second: the sum of their proportional set sizes (PSS: a page shared by
a forkserver and its worker counted once, split between them). wait4 cannot give it: a
forked child inherits its parent's peak as its own starting figure."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
LEFT_BEHIND_WAIT_S = 30.0  # a worker exits within a second of its crawl (pool.watch_crawl)
# A PSS sample walks the page tables of every process: ~5 ms of kernel CPU for 300 MB,
# taken from the machine the workload runs on (2% of a core at 4 Hz, 0.5% at 1 Hz).
SAMPLE_EVERY_S = 1.0
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def become_subreaper() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def run(job: dict) -> dict:
    with open(job["stdout"], "wb") as out, open(job["stderr"], "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(job["cmd"], stdout=out, stderr=err)
        sampler = TreeMemory()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    others = _reap_left_behind()
    return {"status": os.waitstatus_to_exitcode(status), "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime + sum(u.ru_utime + u.ru_stime for u in others),
            "rss_mb": usage.ru_maxrss / 1024, "tree_mb": sampler.stop()}


class TreeMemory(threading.Thread):
    """The peak of the summed PSS of this process's descendants."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_mb, self._done = 0.0, threading.Event()
        self.start()

    def run(self) -> None:
        while not self._done.wait(SAMPLE_EVERY_S):
            self.peak_mb = max(self.peak_mb, sum(_pss_mb(pid) for pid in process_tree(os.getpid())[1:]))

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak_mb


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants still running (Linux /proc; a process gone meanwhile is
    skipped)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            pids += process_tree(int(child))
    return pids


def _pss_mb(pid: int) -> float:
    """From smaps_rollup (Linux 4.14+); else the resident set (shared pages counted twice)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_MB
    except (OSError, IndexError, ValueError):
        return 0.0


def _reap_left_behind() -> list:
    """The rusage of every process the job left behind, once each has exited."""
    usages, deadline = [], time.monotonic() + LEFT_BEHIND_WAIT_S
    while time.monotonic() < deadline:
        try:
            pid, _status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:  # none left
            return usages
        if pid:
            usages.append(usage)
        else:
            time.sleep(0.02)
    raise RuntimeError(f"processes left behind by the job still run after {LEFT_BEHIND_WAIT_S:.0f} s")


def main() -> None:
    if not become_subreaper():
        print("launch.py: not a child subreaper here (Linux only): the CPU of processes a "
              "workload leaves behind is not counted", file=sys.stderr)
    for line in sys.stdin:
        print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
