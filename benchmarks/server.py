"""A static server for the benchmark mirror on 127.0.0.1: nginx when installed (Debian
package nginx), else drmcrawl's threaded Python fixture server, each in its own process
so its CPU time can be read from /proc and shown not to be the bottleneck."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from launch import process_tree

NGINX_CONF = """daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ text/html html; application/xml xml; text/plain txt; }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location = /feed/ {{ default_type application/rss+xml; try_files /feed/index.xml =404; }}
        location / {{ try_files $uri $uri/index.html =404; }}
        error_page 404 /404.html;
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children still running."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


class StaticServer:
    def __init__(self, root: Path, prefer_nginx: bool = True):
        self.root = root
        self.port = free_port()
        self.nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
        self.kind = "nginx" if prefer_nginx and self.nginx else "python-threaded"
        self._tmp = tempfile.TemporaryDirectory(prefix="drmbench-server-")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> StaticServer:
        if self.kind == "nginx":
            conf = Path(self._tmp.name) / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=self._tmp.name, port=self.port, root=self.root))
            cmd = [self.nginx, "-c", str(conf), "-p", self._tmp.name, "-e", f"{self._tmp.name}/error.log"]
        else:
            cmd = [sys.executable, "-m", "drmcrawl.demo.server", "--port", str(self.port), "--root", str(self.root)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited: {self.proc.stderr.read().decode()[-500:]}")
            try:
                urllib.request.urlopen(self.url + "/robots.txt", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.kind} did not answer on {self.url}")

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._tmp.cleanup()
