"""Serve a saved copy of a WordPress site (the bundled DRM mirror, `site/` here) on 127.0.0.1 with
WordPress-like routing, for the offline demo and the tests. See tests/fixtures/README.md.

Like a real web server it sends `ETag` and `Last-Modified` (the file's mtime), answers
conditional GETs (`If-None-Match`, `If-Modified-Since`) with 304, redirects paths listed
in `_redirects.json` (keys starting with "/", next to the post IDs of `?p=`), and, with
`compress=True`, gzips bodies for clients that accept it (ETag `"..-gzip"`, as Apache does)."""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import threading
from email.utils import formatdate, parsedate_to_datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

BUNDLED_SITE = Path(__file__).resolve().parent / "site"  # a DRM mirror, shipped with the package
DEMO_SITE = "drm"  # the site declaration it mirrors
_TYPES = {".xml": "application/xml", ".html": "text/html; charset=UTF-8", ".txt": "text/plain; charset=UTF-8",
          ".gz": "application/x-gzip"}  # a .xml.gz sitemap is served as the file it is, not Content-Encoded


def _make_handler(root: Path, compress: bool = False):
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
            moved = redirects.get(parts.path.rstrip("/") or "/")  # "/old-slug": "/new/place"
            if moved:
                return self._redirect(moved)
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
            elif relative.endswith((".xml", ".txt", ".xml.gz")):
                candidate = root / relative
            else:
                candidate = root / relative / "index.html"
            return candidate if candidate.is_file() else None

        def _send(self, status: int, file: Path) -> None:
            body = file.read_bytes()
            ctype = "application/rss+xml; charset=UTF-8" if file.name == "index.xml" else (
                _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream")
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            mtime = int(file.stat().st_mtime)
            if status == 200 and self._not_modified(etag, mtime):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            headers = {"Content-Type": ctype}
            if status == 200:
                headers.update({"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)})
            if compress and "gzip" in self.headers.get("Accept-Encoding", ""):
                body = gzip.compress(body, mtime=0)  # mtime 0: the same file gives the same bytes
                headers.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
                headers["ETag"] = etag[:-1] + '-gzip"'
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _not_modified(self, etag: str, mtime: int) -> bool:
            """RFC 9110 13.1: If-None-Match wins; If-Modified-Since only without it."""
            tags = self.headers.get("If-None-Match")
            if tags is not None:
                sent = {t.strip().removeprefix("W/").replace("-gzip\"", '"') for t in tags.split(",")}
                return "*" in sent or etag in sent
            since = self.headers.get("If-Modified-Since")
            if since:
                try:
                    return mtime <= parsedate_to_datetime(since).timestamp()
                except (TypeError, ValueError):
                    return False
            return False

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

    def __init__(self, root: Path = BUNDLED_SITE, port: int = 0, compress: bool = False):
        if not root.is_dir():
            raise FileNotFoundError(f"fixture site not found: {root}")
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _make_handler(root, compress))
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
