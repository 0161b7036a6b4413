"""Security of a crawl: robots.txt (Crawl-delay included), allowed domains, download
limits, who the crawler says it is, no secrets in logs or the database; and of the
analyst commands: no SQL through filters or search, no file silently overwritten."""

from __future__ import annotations

import base64
import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from conftest import SITE, expected_articles, run_cli
from faultserver import FaultServer
from records import make_article

from drmcrawl import __version__
from drmcrawl.cli import main
from drmcrawl.storage import Archive

SLUGS = sorted(expected_articles())
PASSWORD = "s3cr@t-pw"
OFFSITE_SLUG = "an-article-on-another-host"


def mirror(tmp_path, robots: str | None = None, extra_sitemap_urls: tuple[str, ...] = ()):
    root = tmp_path / "mirror"
    shutil.copytree(SITE, root)
    if robots is not None:
        (root / "robots.txt").write_text(robots)
    sitemap = root / "post-sitemap.xml"
    extra = "".join(f"<url><loc>{url}</loc></url>" for url in extra_sitemap_urls)
    sitemap.write_text(sitemap.read_text(encoding="utf-8").replace("</urlset>", extra + "</urlset>"), encoding="utf-8")
    return root


def test_robots_txt_crawl_delay_is_honoured(tmp_path):
    # Archives disallowed: fewer requests, a shorter test (refused requests use no delay).
    root = mirror(tmp_path, robots="User-agent: *\nCrawl-delay: 0.25\nDisallow: /category/\n")
    with FaultServer(root) as server:
        result = run_cli("crawl", "--base-url", server.url, "--db", str(tmp_path / "delay.sqlite"),
                         "--max-articles", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Crawl-delay for 127.0.0.1: 0.25s" in result.stderr
    times = [t for path, t in server.log if path != "/robots.txt"]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) >= 5
    # Local mirrors are otherwise crawled with no delay and 16 requests at a time.
    # Measured where the server logs each request, so allow scheduling noise of a loaded machine
    # (without the delay the gaps are ~0: requests go out together).
    assert min(gaps) >= 0.15, gaps
    assert sorted(gaps)[len(gaps) // 2] >= 0.24, gaps


@pytest.fixture(scope="module")
def guarded_crawl(tmp_path_factory):
    """One crawl exercising the limits: a slow page, a huge page, an off-site redirect,
    an off-site sitemap entry, a mis-declared charset; credentials in --base-url; a
    contact in the User-Agent; debug logging on, to give secrets every chance to leak."""
    tmp_path = tmp_path_factory.mktemp("security")
    with FaultServer(SITE) as elsewhere:
        offsite = elsewhere.url.replace("127.0.0.1", "localhost")  # another host: not allowed
        root = mirror(tmp_path, extra_sitemap_urls=(f"{offsite}/{OFFSITE_SLUG}",))
        faults = {"/" + SLUGS[0]: ["sleep:5"], "/" + SLUGS[1]: ["huge"],
                  "/" + SLUGS[2]: [f"to:{offsite}/{SLUGS[2]}"], "/" + SLUGS[3]: ["cp1252"]}
        db = tmp_path / "guarded.sqlite"
        with FaultServer(root, faults) as server:
            base = server.url.replace("http://", f"http://drm:{PASSWORD.replace('@', '%40')}@")
            result = run_cli("-vv", "crawl", "--base-url", base, "--db", str(db), "--timeout", "2",
                             "--contact", "ops@example.org", env={"DRMCRAWL_MAX_SIZE": "1"})
        yield result, db, server, elsewhere


def test_limits_and_allowed_domains_fail_those_urls_only(guarded_crawl):
    result, db, _, elsewhere = guarded_crawl
    assert result.returncode == 0, result.stderr[-3000:]  # failed URLs are recorded, the run finished
    assert elsewhere.log == [], "nothing may be fetched from another host"
    con = sqlite3.connect(db)
    failures = {url.rstrip("/").rsplit("/", 1)[-1]: reason for url, reason in con.execute("select url, reason from failures")}
    # An off-site redirect fails its URL; an off-site link is dropped before it is
    # scheduled (Scrapy's offsite filter: counted in its stats, logged at debug level).
    assert failures == {SLUGS[0]: "timeout", SLUGS[1]: "too_large", SLUGS[2]: "offsite"}
    assert "Filtered offsite request to 'localhost'" in result.stderr
    urls = [url for (url,) in con.execute("select url from articles")]
    assert len(urls) == len(SLUGS) - 3 and not [u for u in urls if "localhost" in u or OFFSITE_SLUG in u]
    assert "failed 3," in result.stdout


def test_mis_declared_charset_is_repaired_in_a_crawl(guarded_crawl):
    _, db, _, _ = guarded_crawl
    want = expected_articles()[SLUGS[3]]
    title, body = sqlite3.connect(db).execute("select title, body from articles where post_id = ?",
                                              (want["post_id"],)).fetchone()
    assert (title, body) == (want["title"], want["body"])


def test_user_agent_and_credentials_reach_the_site_only(guarded_crawl):
    _, _, server, elsewhere = guarded_crawl
    auth = "Basic " + base64.b64encode(f"drm:{PASSWORD}".encode()).decode()
    assert server.headers and all(h.get("Authorization") == auth for _, h in server.headers)
    assert {h.get("User-Agent") for _, h in server.headers} == {f"drmcrawl/{__version__} (+ops@example.org)"}


def test_no_secret_in_logs_or_database(guarded_crawl):
    result, db, _, _ = guarded_crawl
    assert "DEBUG" in result.stderr  # the most verbose logging there is
    for secret in (PASSWORD, PASSWORD.replace("@", "%40"), base64.b64encode(f"drm:{PASSWORD}".encode()).decode()):
        assert secret not in result.stdout + result.stderr
        dump = "\n".join(sqlite3.connect(db).iterdump())
        assert secret not in dump


@pytest.fixture
def small_db(tmp_path):
    path = tmp_path / "small.sqlite"
    archive = Archive(path)
    archive.save_article(make_article())
    archive.close()
    return path


@pytest.mark.parametrize("args, code", [
    (["list", "--tag", "x' OR '1'='1"], 0),
    (["list", "--author", "\" OR 1=1 --"], 0),
    (["search", "'; DROP TABLE articles; --"], 0),
    (["search", "TikTok\" OR \"1"], 0),
    (["search", "--raw", "tiktok) OR (1=1"], 1),  # FTS5 syntax error: reported, not run
])
def test_filters_and_search_cannot_inject_sql(args, code, small_db):
    result = CliRunner().invoke(main, [*args, "--format", "json", "--db", str(small_db)])
    assert result.exit_code == code, result.output
    if code:
        assert result.output.startswith("Error: bad FTS5 query") and "Traceback" not in result.output
    else:
        assert result.stdout.strip() == "[]"
    assert sqlite3.connect(small_db).execute("select count(*) from articles").fetchone() == (1,)


def test_output_files_are_never_overwritten_without_force(small_db, tmp_path):
    runner = CliRunner()
    target = tmp_path / "keep.csv"
    target.write_text("precious")
    export = runner.invoke(main, ["export", "-o", str(target), "--db", str(small_db)])
    assert export.exit_code == 1 and "exists" in export.output
    demo = runner.invoke(main, ["demo", "--db", str(tmp_path / "demo.sqlite"), "-o", str(target)])
    assert demo.exit_code == 1 and "use --force" in demo.output
    assert not (tmp_path / "demo.sqlite").exists(), "refused before doing any work"
    assert target.read_text() == "precious"
    forced = runner.invoke(main, ["export", "-o", str(target), "--force", "--db", str(small_db)])
    assert forced.exit_code == 0 and target.read_text().startswith("url,")
