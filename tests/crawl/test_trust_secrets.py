"""Issue 19 item 6: credentials given in `--base-url` reach the site and nothing else.

A real crawl of the fixture site behind a server that answers 401 to any request without
the right Basic credentials; then every byte the crawl left behind (the WARC files,
gunzipped; the SQLite file and its companions; stdout and stderr at the most verbose log
level; an export) is searched for the password in each of its spellings."""

from __future__ import annotations

import base64
import gzip

from conftest import SITE, expected_articles, run_cli
from faultserver import FaultServer
from warcio.archiveiterator import ArchiveIterator

PASSWORD = "Tr0ub4dor&3-pw"  # "&" is percent-encoded in the URL
USER = "archivist"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


class AuthServer(FaultServer):
    """The fixture site, only for a client that sends Basic `USER:PASSWORD`."""

    def __init__(self, root):
        super().__init__(root)
        site = self.httpd.RequestHandlerClass

        class Handler(site):
            def do_GET(self) -> None:  # noqa: N802
                if self.headers.get("Authorization") != f"Basic {TOKEN}":
                    return self._plain(401, b"authorization required",
                                       headers=[("WWW-Authenticate", 'Basic realm="mirror"')])
                return super().do_GET()

        self.httpd.RequestHandlerClass = Handler


def secrets() -> list[bytes]:
    spellings = {PASSWORD, PASSWORD.replace("&", "%26"), TOKEN, f"{USER}:{PASSWORD}"}
    return [s.encode() for s in spellings]


def test_credentials_reach_no_warc_log_database_or_export(tmp_path):
    db = tmp_path / "auth.sqlite"
    with AuthServer(SITE) as server:
        base = server.url.replace("http://", f"http://{USER}:{PASSWORD.replace('&', '%26')}@")
        crawl = run_cli("-vv", "crawl", "--base-url", base, "--db", str(db))
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert "DEBUG" in crawl.stderr  # the most verbose logging there is
    assert f"new {len(expected_articles())}," in crawl.stdout, crawl.stdout  # the auth worked
    assert not [p for p, h in server.headers if h.get("Authorization") != f"Basic {TOKEN}"]

    export = tmp_path / "export.jsonl"
    done = run_cli("export", "--format", "jsonl", "-o", str(export), "--db", str(db))
    assert done.returncode == 0, done.stderr

    warcs = sorted((tmp_path / "warc").rglob("*.warc.gz"))
    assert warcs
    leftovers = {
        "log": (crawl.stdout + crawl.stderr + done.stdout + done.stderr).encode(),
        "export": export.read_bytes(),
        **{p.name: p.read_bytes() for p in tmp_path.glob("auth.sqlite*")},  # -wal, -shm if any
        **{p.name: gzip.decompress(p.read_bytes()) for p in warcs},
    }
    for name, data in leftovers.items():
        for secret in secrets():
            assert secret not in data, f"{secret!r} in {name}"

    # Each request record keeps the header's name, with its value redacted.
    requests = []
    for path in warcs:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "request":
                    requests.append(record.http_headers.get_header("Authorization"))
    assert len(requests) >= len(expected_articles())
    assert set(requests) == {"[redacted]"}
