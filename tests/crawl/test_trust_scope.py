"""Issue 19 items 7 and 10: the crawl stays on the site's origin (scheme, host and port,
compared after normalisation), and whatever it refuses is recorded.

One real crawl of the fixture site whose pages lead elsewhere in every way a server can:
redirects to another port of the same host (spelled plainly, with a trailing dot, as an
integer IP), a `Location` written with backslashes, a meta refresh, a redirect to a URL
longer than Scrapy's URLLENGTH_LIMIT, an article link that long, and a sitemap on another
host. A second server on that port serves the same site: it must see no request."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from conftest import SITE, expected_articles, run_cli
from faultserver import FaultServer

SLUGS = sorted(expected_articles())
LONG = "a" * 2100  # over URLLENGTH_LIMIT (2083)


def meta_refresh(target: str) -> str:
    return f'<html><head><meta http-equiv="refresh" content="0; url={target}"></head><body></body></html>'


@pytest.fixture(scope="module")
def scoped_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("scope")
    with FaultServer(SITE) as other:
        elsewhere = other.url  # http://127.0.0.1:OTHER_PORT: the same host, another port
        port = other.url.rsplit(":", 1)[1]
        root = tmp_path / "mirror"
        shutil.copytree(SITE, root)
        (root / SLUGS[4] / "index.html").write_text(meta_refresh(f"{elsewhere}/{SLUGS[4]}/"), encoding="utf-8")
        index = root / "sitemap_index.xml"
        index.write_text(index.read_text(encoding="utf-8").replace(
            "</sitemapindex>", f"<sitemap><loc>http://localhost:{port}/post-sitemap.xml</loc></sitemap></sitemapindex>"),
            encoding="utf-8")
        faults = {
            "/" + SLUGS[0]: [f"to:{elsewhere}/{SLUGS[0]}/"],
            "/" + SLUGS[1]: [f"to:http://127.0.0.1.:{port}/{SLUGS[1]}/"],
            "/" + SLUGS[2]: [f"to:http://2130706433:{port}/{SLUGS[2]}/"],
            "/" + SLUGS[3]: [f"to:http:\\\\127.0.0.1:{port}\\{SLUGS[3]}\\"],  # a browser goes to OTHER_PORT
            "/" + SLUGS[5]: [f"to:/{SLUGS[5]}-{LONG}/"],
        }
        with FaultServer(root, faults) as server:
            post_sitemap = root / "post-sitemap.xml"
            post_sitemap.write_text(post_sitemap.read_text(encoding="utf-8").replace(
                "</urlset>", f"<url><loc>{server.url}/{LONG}/</loc></url></urlset>"), encoding="utf-8")
            db = tmp_path / "scope.sqlite"
            result = run_cli("crawl", "--base-url", server.url, "--db", str(db))
        yield result, db, server, other


def test_redirects_off_the_origin_are_refused_and_recorded(scoped_crawl):
    result, db, server, other = scoped_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    assert other.log == [], "nothing may be fetched from another port of the same host"
    con = sqlite3.connect(db)
    failures = {url.rstrip("/").rsplit("/", 1)[-1]: reason for url, reason in con.execute("select url, reason from failures")}
    assert failures == {SLUGS[0]: "offsite", SLUGS[1]: "offsite", SLUGS[2]: "offsite", SLUGS[3]: "offsite",
                        SLUGS[4]: "offsite", SLUGS[5]: "url_too_long", LONG: "url_too_long"}
    details = dict(con.execute("select reason, detail from failures where url like ?", (f"%/{SLUGS[0]}",)))
    assert "other_port" in details["offsite"]
    urls = [url for (url,) in con.execute("select url from articles")]
    assert len(urls) == len(SLUGS) - 6 and all(url.startswith(server.url + "/") for url in urls)
    assert "failed 7," in result.stdout, result.stdout


def test_a_discovery_page_off_the_origin_is_refused_and_counted(scoped_crawl):
    result, _, _, other = scoped_crawl
    port = other.url.rsplit(":", 1)[1]
    # (A link to another port of the site's host is rebased onto the site, like links to
    # its declared hosts: `drmcrawl.urls.rebase`. Another host name is out of scope.)
    assert f"Discovery page not fetched: http://localhost:{port}/post-sitemap.xml (offsite: other_host)" in result.stderr
