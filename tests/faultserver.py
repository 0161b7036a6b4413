"""A fault-injecting HTTP server on 127.0.0.1: the fixture site, with chosen paths
misbehaving the way real servers and networks do.

    faults = {"/slug": ["500", "500", "ok"]}   # one action per request; the last repeats
    # "hold": wait for server.let_through(); delay=S: every answer S seconds late
    with FaultServer(SITE, faults) as server: ...
"""

from __future__ import annotations

import gzip
import threading
import time
from pathlib import Path

from drmcrawl.demo.server import FixtureServer, _make_handler

GZIP_BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MB -> ~64 KB
PDF = b"%PDF-1.4\n" + b"\x00\x01binary" * 2000


def _faulty_handler(root: Path, faults: dict[str, list[str]], log: list, outage_after: list[int | None],
                    headers_log: list,
                    delay: float = 0.0, gate: threading.Semaphore | None = None, outage_counts=None):
    base = _make_handler(root)
    lock = threading.Lock()
    counts: dict[str, int] = {}
    counted = [0]  # requests outage_counts(path) counts toward the outage

    class Handler(base):
        def do_GET(self) -> None:  # noqa: N802
            with lock:
                log.append((self.path, time.monotonic()))
                headers_log.append((self.path, dict(self.headers)))
                n = counts[self.path] = counts.get(self.path, 0) + 1
                served_before = counted[0]
                if outage_counts is None or outage_counts(self.path):
                    counted[0] += 1
            if delay:
                time.sleep(delay)  # a slow site: crawls last long enough to be killed or raced
            if outage_after[0] is not None and served_before >= outage_after[0] and self.path != "/robots.txt":
                return self._plain(503, b"site down")
            actions = faults.get(self.path.split("?")[0].rstrip("/") or "/")
            action = actions[min(n, len(actions)) - 1] if actions else "ok"
            getattr(self, "_fault_" + action.split(":")[0], self._fault_ok)(action)

        def _plain(self, status: int, body: bytes, ctype: str = "text/plain", headers=()) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _page(self) -> bytes:
            file = self._resolve(self.path.split("?")[0])
            return file.read_bytes() if file else b""

        def _fault_hold(self, _a):  # answer only when the test lets one more through
            gate.acquire(timeout=60)
            base.do_GET(self)

        def _fault_ok(self, _action: str) -> None:
            base.do_GET(self)

        def _fault_cookie(self, _a):  # the page, with a session cookie for the whole site
            self._plain(200, self._page(), "text/html; charset=UTF-8", headers=[("Set-Cookie", "session=s1; Path=/")])

        def _fault_500(self, _a):
            self._plain(500, b"error")

        def _fault_502(self, _a):
            self._plain(502, b"bad gateway")

        def _fault_503(self, _a):
            self._plain(503, b"unavailable")

        def _fault_429(self, action):  # "429:2" = Retry-After 2 seconds
            self._plain(429, b"slow down", headers=[("Retry-After", action.split(":")[1])])

        def _fault_sleep(self, action):  # "sleep:3": answer after 3 s (read timeout)
            time.sleep(float(action.split(":")[1]))
            base.do_GET(self)

        def _fault_reset(self, _a):  # connection closed with no response
            self.close_connection = True
            self.connection.shutdown(2)

        def _fault_truncate(self, _a):  # Content-Length promises more than is sent
            body = self._page()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True

        def _fault_huge(self, _a):  # bigger than the download size cap
            self._plain(200, b"<html><body>" + b"x" * (3 * 1024 * 1024) + b"</body></html>", "text/html")

        def _fault_gzipbomb(self, _a):
            self._plain(200, GZIP_BOMB, "text/html", headers=[("Content-Encoding", "gzip")])

        def _fault_loop(self, _a):  # redirects to itself forever
            self._plain(302, b"", headers=[("Location", self.path)])

        def _fault_to(self, action):  # "to:http://elsewhere/x": a redirect there
            self._plain(302, b"", headers=[("Location", action.split(":", 1)[1])])

        def _fault_offsite(self, _a):
            self._plain(301, b"", headers=[("Location", "http://example.com/elsewhere")])

        def _fault_octet(self, _a):  # an HTML page with the wrong Content-Type
            self._plain(200, self._page(), "application/octet-stream")

        def _fault_notype(self, _a):  # ... and with none at all
            body = self._page()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _fault_cp1252(self, _a):  # windows-1252 bytes, declared UTF-8 (header and meta)
            body = self._page().decode("utf-8").encode("cp1252", errors="xmlcharrefreplace")
            self._plain(200, body, "text/html; charset=UTF-8")

        def _fault_pdf(self, _a):  # a binary file linked like an article
            self._plain(200, PDF, "application/pdf")

        def _fault_empty(self, _a):
            self._plain(200, b"", "text/html; charset=UTF-8")

    return Handler


class FaultServer(FixtureServer):
    def __init__(self, root: Path, faults: dict[str, list[str]] | None = None, outage_after: int | None = None,
                 delay: float = 0.0, outage_counts=None):
        """`outage_after`: the site answers 503 to everything once it has served that many
        requests (those for which `outage_counts(path)` is true, if given)."""
        super().__init__(root)
        # socketserver's default backlog (5) drops connections when the crawler opens 16 at
        # once; the retried SYN then arrives after a second and a 1 s timeout fires at random.
        self.httpd.socket.listen(128)
        self.log: list[tuple[str, float]] = []
        self.headers: list[tuple[str, dict[str, str]]] = []  # (path, request headers)
        self._outage = [outage_after]
        self.gate = threading.Semaphore(0)  # "hold" requests wait for a token: server.let_through(n)
        self.httpd.RequestHandlerClass = _faulty_handler(root, faults or {}, self.log, self._outage, self.headers, delay,
                                                         self.gate, outage_counts)

    def let_through(self, n: int = 1) -> None:
        self.gate.release(n)

    def __exit__(self, *exc) -> None:
        self.let_through(10_000)  # never leave a held request (or a server thread) hanging
        super().__exit__(*exc)

    def requests_for(self, path: str) -> list[float]:
        return [t for p, t in self.log if p.rstrip("/") == path.rstrip("/")]
