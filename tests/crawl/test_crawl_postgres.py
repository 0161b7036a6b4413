"""A real crawl of the fixture site into PostgreSQL, end to end, and every command on the
archive it made (list, search, export in every format and as a bundle, stats, history,
runs, reextract, report)."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import expected_articles, run_cli
from records import assert_matches_expected, stored

from drmcrawl.storage import Archive


@pytest.fixture(scope="module")
def crawled_pg(tmp_path_factory, site_server, postgres_database):
    """The fixture site crawled twice into a PostgreSQL schema of its own (WARC files and
    the crawl lock in the working folder's data/)."""
    import pg_server as postgres

    name, url = postgres.new_schema(postgres_database)
    work = tmp_path_factory.mktemp("pgcrawl")
    first = run_cli("crawl", "--base-url", site_server.url, "--db", url, cwd=work)
    second = run_cli("crawl", "--base-url", site_server.url, "--db", url, cwd=work)
    yield url, work, first, second
    postgres.drop_schema(postgres_database, name)


def test_crawl_into_postgres_stores_every_article_once_with_exact_fields(crawled_pg):
    url, work, first, second = crawled_pg
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"articles new {len(expected_articles())}," in first.stdout
    assert second.returncode == 0, second.stdout + second.stderr
    assert "articles new 0," in second.stdout  # the re-crawl duplicates nothing
    assert_matches_expected(stored(url))
    assert sorted(p.name for p in (work / "data" / "warc").iterdir())  # WARC beside, in data/warc
    archive = Archive(url)
    try:
        assert archive.count_articles() == len(expected_articles())
        assert [r.status for r in archive.runs()] == ["finished", "finished"]
    finally:
        archive.close()


def test_every_command_works_on_the_postgres_archive(crawled_pg, tmp_path):
    url, work, *_ = crawled_pg
    env = {"DRMCRAWL_DB": url}  # the environment variable as well as --db

    def ok(*args: str, **kwargs):
        result = run_cli(*args, env=env, cwd=work, **kwargs)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result

    listing = json.loads(ok("list", "--tag", "peca", "--format", "json").stdout)
    assert len(listing) == 5
    hits = json.loads(ok("search", "election integrity", "--format", "json").stdout)
    assert hits[0]["title"] == "TikTok unveils measures to protect election integrity"
    assert "[" in hits[0]["snippet"]
    out = tmp_path / "a.csv"
    ok("export", "--format", "csv", "-o", str(out))
    with out.open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == len(expected_articles())
    jsonl = ok("export", "--format", "jsonl").stdout.splitlines()
    assert len(jsonl) == len(expected_articles())
    ok("export", "--format", "parquet", "-o", str(tmp_path / "a.parquet"))
    ok("export", "--bundle", str(tmp_path / "bundle"), "--format", "csv", "--format", "jsonl")
    manifest = json.loads((tmp_path / "bundle" / "manifest.json").read_text())
    assert manifest["articles"] == len(expected_articles())
    stats = json.loads(ok("stats", "--json").stdout)
    assert stats["articles"] == len(expected_articles())
    article_url = json.loads(jsonl[0])["url"]
    assert "run 1  extractor" in ok("history", article_url).stdout
    runs = json.loads(ok("runs", "--json").stdout)
    assert len(runs) == 2
    assert ok("reextract").returncode == 0
    ok("report", "-o", str(tmp_path / "report.html"))
    assert (tmp_path / "report.html").stat().st_size > 1000
