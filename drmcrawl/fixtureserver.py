"""Serve a saved copy of a WordPress site (tests/fixtures/site) on 127.0.0.1 with
WordPress-like routing, for the offline demo and the tests. See tests/fixtures/README.md."""

from __future__ import annotations

import json
import mimetypes
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

BUNDLED_SITE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "site"
_TYPES = {".xml": "application/xml", ".html": "text/html; charset=UTF-8", ".txt": "text/plain; charset=UTF-8"}


def _make_handler(root: Path):
    redirects_file = root / "_redirects.json"
    redirects = json.loads(redirects_file.read_text()) if redirects_file.exists() else {}

    class Handler(SimpleHTTPRequestHandler):
        server_version = "drmcrawl-fixture/1"

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            parts = urlsplit(self.path)
            post = parse_qs(parts.query).get("p")
            if parts.path in ("", "/") and post:
                target = redirects.get(post[0])
                return self._redirect(target) if target else self._not_found()
            file = self._resolve(parts.path)
            if file is None:
                return self._not_found()
            self._send(200, file)

        def do_HEAD(self) -> None:  # noqa: N802
            self.do_GET()

        def _resolve(self, path: str) -> Path | None:
            relative = path.strip("/")
            if ".." in relative.split("/"):
                return None
            if relative == "feed" or relative.endswith("/feed"):
                candidate = root / relative / "index.xml"
            elif relative.endswith((".xml", ".txt")):
                candidate = root / relative
            else:
                candidate = root / relative / "index.html"
            return candidate if candidate.is_file() else None

        def _send(self, status: int, file: Path) -> None:
            body = file.read_bytes()
            ctype = "application/rss+xml; charset=UTF-8" if file.name == "index.xml" else (
                _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self.send_response(301)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _not_found(self) -> None:
            page = root / "404.html"
            if page.is_file():
                return self._send(404, page)
            self.send_error(404)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            pass  # keep test and demo output clean

    return Handler


class FixtureServer:
    """`with FixtureServer(root) as server: server.url` -> "http://127.0.0.1:PORT"."""

    def __init__(self, root: Path = BUNDLED_SITE, port: int = 0):
        if not root.is_dir():
            raise FileNotFoundError(f"fixture site not found: {root}")
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _make_handler(root))
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Serve the fixture site on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--root", type=Path, default=BUNDLED_SITE)
    args = parser.parse_args()
    with FixtureServer(args.root, args.port) as server:
        print(f"serving {args.root} at {server.url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
