"""Starts the benchmark suite's workloads and reports their wall time, CPU and peak RSS.

run.py starts this first, while it is still small, and runs every workload through it:
Linux hands a process's peak RSS down to every child forked after it (exec does not reset
it), so measured straight from run.py, once it has grown, a 20 MB `sqlite3` showed run.py's
own peak. One JSON job per line in: {"cmd", "stdout", "stderr"}; one JSON result per line out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def run(job: dict) -> dict:
    with open(job["stdout"], "wb") as out, open(job["stderr"], "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(job["cmd"], stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    return {"status": os.waitstatus_to_exitcode(status), "wall_s": time.perf_counter() - start,
            "cpu_s": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}


def main() -> None:
    for line in sys.stdin:
        print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
