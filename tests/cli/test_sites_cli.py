"""`drmcrawl sites add/list/check` (issue 22): a probe of a real fixture site served on
127.0.0.1, the declaration appended to the user's file, the probe re-run on archived pages."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import run_cli

from drmcrawl.crawl.settings import USER_AGENT
from drmcrawl.sites.declare import load_sites
from drmcrawl.sites.probe import append_declaration, check_name

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
sys.path.insert(0, str(SITES))
from serve import SiteServer  # noqa: E402

USERS_FILE = '# my sites\n[[site]]\nname = "mine"   # keep this comment\nurl = "https://example.org/"\ndelay = 3\n'


def test_appending_keeps_the_users_text_and_names_are_checked():
    assert append_declaration("a = 1", "[[site]]\n") == "a = 1\n\n[[site]]\n"
    assert append_declaration("a = 1\n", "[[site]]\n") == "a = 1\n\n[[site]]\n"
    assert append_declaration("", "[[site]]\n") == "[[site]]\n"
    with pytest.raises(ValueError, match="already declared"):
        check_name("mine", ["mine"])
    with pytest.raises(ValueError, match="letters"):
        check_name("a b", [])


@pytest.fixture(scope="module")
def added(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sites")
    (folder / "sites.toml").write_text(USERS_FILE, encoding="utf-8")
    with SiteServer("newspaper") as server:
        first = run_cli("sites", "add", f"{server.url}/", "--name", "courier", "--delay", "0", cwd=folder)
        again = run_cli("sites", "add", f"{server.url}/", "--name", "courier", "--delay", "0", cwd=folder)
        url = server.url
    return folder, url, first, again


def test_add_reports_robots_sitemaps_feeds_and_the_samples_fill_rates(added):
    _, url, first, _ = added
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == f"site courier: {url}/"
    assert lines[1] == "robots.txt: found; home page allowed"
    # sitemap_index.xml names 4 sitemaps: 15 posts (12 articles and 3 non-articles), 3 pages,
    # 1 podcast episode, 9 categories.
    assert lines[2] == "sitemaps: 5 found, 28 URLs listed"
    assert f"  {url}/post-sitemap.xml (posts): 15 URLs" in lines
    assert "feeds: 1 found" in lines and f"  {url}/feed/: 10 entries" in lines
    samples = next(line for line in lines if line.startswith("samples:"))
    assert samples.endswith(", 5 articles")
    rates = next(line for line in lines if line.startswith("fill rates over 5 articles: "))
    # One of the samples is a post without tags (its SEO focus keyword is not one).
    assert "title 100%" in rates and "published 100%" in rates and "tags 80%" in rates


def test_add_appends_a_declaration_that_loads_and_keeps_the_users_text(added):
    folder, url, first, again = added
    text = (folder / "sites.toml").read_text(encoding="utf-8")
    assert text.startswith(USERS_FILE)
    assert text[len(USERS_FILE):] == ("\n[[site]]\n# sources found by `drmcrawl sites add`: sitemaps, feeds, listings\n"
                                      f'name = "courier"\nurl = "{url}/"\n')
    declared = load_sites(folder / "sites.toml")
    assert [(s.name, s.base_url) for s in declared] == [("mine", "https://example.org"), ("courier", url)]
    assert again.returncode == 1 and "already declared" in again.stderr
    assert (folder / "sites.toml").read_text(encoding="utf-8") == text  # untouched
    assert not list(folder.glob(".*check"))


def test_list_shows_name_url_and_sources(added, tmp_path):
    folder, url, _, _ = added
    result = run_cli("sites", "list", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["mine\thttps://example.org/\tauto", f"courier\t{url}/\tauto"]
    declared = tmp_path / "other.toml"
    declared.write_text('[[site]]\nname = "x"\nurl = "https://x.example/"\nsitemaps = ["/news.xml"]\n'
                        'listings = ["/", "/news"]\n', encoding="utf-8")
    result = run_cli("sites", "list", "--file", str(declared))
    assert result.stdout.splitlines() == ["x\thttps://x.example/\tauto + sitemaps /news.xml; listings /, /news"]
    missing = run_cli("sites", "list", "--file", str(tmp_path / "none.toml"))
    assert missing.returncode == 1 and "sites add" in missing.stderr


class Recording(BaseHTTPRequestHandler):
    """A site whose robots.txt shuts drmcrawl out; it notes every request."""

    seen: list = []

    def do_GET(self):  # noqa: N802
        Recording.seen.append((self.path, self.headers.get("User-Agent")))
        if self.path == "/robots.txt":
            body = b"User-agent: drmcrawl\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
        else:
            body = b"<html><body>hello</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_site_whose_robots_txt_refuses_us_is_not_probed_further_nor_declared(tmp_path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recording)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        result = run_cli("sites", "add", f"http://127.0.0.1:{httpd.server_address[1]}/", "--delay", "0", cwd=tmp_path)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.returncode == 1 and "disallows" in result.stderr
    assert "home page DISALLOWED" in result.stdout
    assert Recording.seen == [("/robots.txt", USER_AGENT)]  # our User-Agent, and nothing after robots.txt
    assert not (tmp_path / "sites.toml").exists()


def crawl(fixture: str, db: Path, folder: Path):
    """The fixture site crawled (every article re-checked) under the name "courier"."""
    with SiteServer(fixture) as server:
        declarations = folder / f"{fixture}.toml"
        declarations.write_text(f'[[site]]\nname = "courier"\nurl = "{server.url}/"\n', encoding="utf-8")
        return run_cli("crawl", "--sites", str(declarations), "--db", str(db), "--delay", "0", "--full")


def test_check_reruns_the_probe_on_the_archived_pages_of_the_latest_run(tmp_path):
    db = tmp_path / "news.sqlite"
    assert crawl("newspaper", db, tmp_path).returncode == 0
    before = run_cli("sites", "check", "courier", "--db", str(db))
    assert before.returncode == 0, before.stderr
    assert before.stdout.splitlines()[0] == "site courier: run 1, 12 archived article pages, 12 articles"
    assert "tags 83%" in before.stdout  # 10 of the 12 posts have tags
    # The theme update: the same articles, their tags gone from the pages.
    assert crawl("newspaper_v2", db, tmp_path).returncode == 0
    after = run_cli("sites", "check", "courier", "--db", str(db))
    assert after.stdout.splitlines()[0] == "site courier: run 2, 12 archived article pages, 12 articles"
    rates = after.stdout.splitlines()[1]
    assert rates.startswith("fill rates over 12 articles: title 100%") and "tags 0%" in rates
    missing = run_cli("sites", "check", "nosuchsite", "--db", str(db))
    assert missing.returncode == 1 and "no crawl run of 'nosuchsite'" in missing.stderr
