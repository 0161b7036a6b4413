"""The `drmcrawl` command: exit codes, JSON and CSV output."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from conftest import SITE, expected_articles
from records import make_article

from drmcrawl.cli import main
from drmcrawl.model import EXPORT_FIELDS
from drmcrawl.storage import Archive

SEED = "tiktok-unveils-measures-to-protect-election-integrity"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.sqlite"
    archive = Archive(path)
    archive.save_article(make_article())
    archive.save_article(make_article(post_id=2, url="http://x/two", canonical_url="http://x/two",
                                      title="=1+1 Urdu: پاکستان", published=None, tags=[]))
    archive.close()
    return path


def test_extract_prints_one_json_object(runner):
    url = "https://digitalrightsmonitor.pk/" + SEED
    result = runner.invoke(main, ["extract", str(SITE / SEED / "index.html"), "--url", url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in ("title", "authors", "published", "modified", "tags", "categories", "body", "image_url", "url"):
        assert key in data
    assert data["title"] == "TikTok unveils measures to protect election integrity"
    assert data["published"].startswith("2024-01-24T") and data["published"].endswith("+05:00")
    assert "sources" not in data and "body_html" not in data


def test_extract_explain_shows_sources(runner):
    result = runner.invoke(main, ["extract", str(SITE / SEED / "index.html"), "--explain",
                                  "--url", "https://digitalrightsmonitor.pk/" + SEED])
    sources = json.loads(result.output)["sources"]
    assert sources["title"] == "profile.drm"
    assert sources["published"] == "jsonld.datePublished"


def test_extract_errors(runner, tmp_path):
    missing = runner.invoke(main, ["extract", str(tmp_path / "nope.html")])
    assert missing.exit_code == 1 and "cannot read" in missing.output
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><p>nothing</p></body></html>")
    not_article = runner.invoke(main, ["extract", str(empty)])
    assert not_article.exit_code == 1 and "not an article" in not_article.output
    usage = runner.invoke(main, ["extract"])
    assert usage.exit_code == 2


def test_export_csv_to_stdout(runner, db):
    result = runner.invoke(main, ["export", "--format", "csv", "--db", str(db)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output, newline="")))
    assert rows[0] == list(EXPORT_FIELDS)
    assert len(rows) == 3
    by_title = {r[EXPORT_FIELDS.index("title")]: r for r in rows[1:]}
    assert "'=1+1 Urdu: پاکستان" in by_title
    first = by_title["TikTok unveils measures"]
    assert first[EXPORT_FIELDS.index("categories")] == "DRM Exclusive; News; News"
    assert first[EXPORT_FIELDS.index("category_slugs")] == "drm-exclusive; news; in-media-news"
    assert first[EXPORT_FIELDS.index("published")] == "2024-01-24T12:05:00+05:00"


def test_export_jsonl_to_file(runner, db, tmp_path):
    out = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["export", "--format", "jsonl", "-o", str(out), "--db", str(db)])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["post_id"] for r in lines] == [11290, 2]
    assert lines[1]["title"] == "=1+1 Urdu: پاکستان"  # JSON is data, not a spreadsheet: kept as is


def test_export_bad_format_and_missing_db(runner, tmp_path):
    assert runner.invoke(main, ["export", "--format", "xml"]).exit_code == 2
    missing = runner.invoke(main, ["export", "--db", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 1 and "no database" in missing.output


def test_stats(runner, db):
    result = runner.invoke(main, ["stats", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "articles: 2" in result.output
    assert re.search(r"\n  News \[in-media-news\] +2\n", result.output)
    assert re.search(r"\n  2024-01 +1\n  unknown +1\n", result.output) or re.search(
        r"\n  unknown +1\n  2024-01 +1\n", result.output)
    data = json.loads(runner.invoke(main, ["stats", "--db", str(db), "--json"]).output)
    assert data["articles"] == 2
    assert ["DRM", 2] in data["by_author"]


def test_crawl_usage_errors(runner):
    assert runner.invoke(main, ["crawl", "other"]).exit_code == 2
    assert runner.invoke(main, ["crawl", "--base-url", "ftp://x"]).exit_code == 2
    assert runner.invoke(main, ["crawl", "--max-articles", "0"]).exit_code == 2


def test_every_command_is_documented_in_readme():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"drmcrawl {name}" in readme, name
    assert len(expected_articles()) >= 15


def test_crawl_of_an_unreachable_site_fails_with_exit_1(tmp_path):
    from conftest import run_cli

    result = run_cli("crawl", "--base-url", "http://127.0.0.1:9", "--db", str(tmp_path / "down.sqlite"))
    assert result.returncode == 1
    assert "failed (nothing_fetched)" in result.stdout
    assert "Error: crawl ended with status failed" in result.stderr
