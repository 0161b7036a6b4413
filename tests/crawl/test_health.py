"""Site health (issue 22): fill rates per run and site, and the alarm when a site's layout
changes. Real crawls of the Newspaper fixture site, then of the same site after its theme
update (newspaper_v2: tags gone), into one database under one site name."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from drmcrawl.crawl.health import alarms, baseline, health_line

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
sys.path.insert(0, str(SITES))
from serve import SiteServer  # noqa: E402


def reading(articles=12, requested=None, **fill) -> dict:
    rates = {"title": 1.0, "authors": 1.0, "published": 1.0, "tags": 1.0, "body": 0.6}
    rates.update(fill)
    return {"articles": articles, "fill": rates, "median_words": 100, "non_articles": 4,
            "requested": articles if requested is None else requested}


# -- the rule, on readings ---------------------------------------------------------
def test_a_field_that_falls_by_more_than_0_3_against_the_previous_runs_is_an_alarm():
    found = alarms(reading(tags=0.0, authors=0.75), [reading(), reading(), reading(tags=0.9)])
    assert found == [{"field": "tags", "now": 0.0, "before": 1.0}]  # authors fell by 0.25: no alarm


def test_the_baseline_is_the_median_of_up_to_five_previous_runs_with_enough_articles():
    previous = [reading(tags=0.2), reading(articles=2, tags=0.0), *[reading(tags=t) for t in (0.9, 1.0, 0.8, 0.95)],
                reading(tags=0.0)]
    base = baseline(previous)
    assert base["runs"] == 5 and base["fill"]["tags"] == 0.9  # median of 0.2, 0.9, 1.0, 0.8, 0.95
    assert baseline([reading(articles=3)]) is None


def test_a_site_that_stays_changed_is_reported_once():
    changed = reading(tags=0.0)
    assert alarms(changed, [reading()]) != []
    assert alarms(reading(tags=0.0), [changed, reading()]) == []


def test_too_few_articles_is_no_reading_and_no_alarm():
    assert alarms(reading(articles=3, tags=0.0), [reading(), reading()]) == []
    assert alarms(reading(), []) == []


def test_the_article_count_falls_only_when_the_run_asked_for_as_many_pages():
    assert alarms(reading(articles=5), [reading(articles=100)] * 3) == []  # incremental: 5 asked, 5 found
    found = alarms(reading(articles=40, requested=120), [reading(articles=100)] * 3)
    assert found == [{"field": "articles", "now": 40, "before": 100}]
    assert health_line("x", {"alarms": found}) == "health: x: layout change? articles 40 (before: 100)"


# -- real crawls ---------------------------------------------------------------------
def crawl(tmp_path: Path, fixture: str, db: Path, *extra: str):
    """`drmcrawl crawl --sites FILE`, the fixture site declared under the name "newspaper"."""
    with SiteServer(fixture) as server:
        declarations = tmp_path / f"{fixture}.toml"
        declarations.write_text(f'[[site]]\nname = "newspaper"\nurl = "{server.url}/"\n', encoding="utf-8")
        return run_cli("-q", "crawl", "--sites", str(declarations), "--db", str(db), "--delay", "0", *extra)


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("health")
    db = tmp / "news.sqlite"
    results = [crawl(tmp, "newspaper", db),
               crawl(tmp, "newspaper_v2", db, "--full"),  # the theme update: every article re-checked
               crawl(tmp, "newspaper_v2", db, "--full")]  # the same, unchanged since
    return db, results


def health_lines(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("health:")]


def test_the_template_change_raises_the_tags_alarm_and_the_exit_status_stays_0(three_runs):
    _, (first, second, third) = three_runs
    for result in (first, second, third):
        assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert health_lines(first) == []
    assert health_lines(second) == ["health: newspaper: layout change? tags 0% (before: 83%)"]  # 10 of its 12 posts have tags
    assert health_lines(third) == []  # unchanged since the change: reported once


def test_each_run_stores_its_health(three_runs):
    db, _ = three_runs
    con = sqlite3.connect(db)
    try:
        rows = [json.loads(h) for (h,) in con.execute("select health from crawl_runs order by id")]
        kinds = [json.loads(d)["non_articles"] for (d,) in con.execute("select discovery from crawl_runs order by id")]
        authors = con.execute("select count(*) from articles a where exists "
                              "(select 1 from article_authors x where x.article_id = a.id)").fetchone()[0]
    finally:
        con.close()
    assert [r["articles"] for r in rows] == [12, 12, 12]
    # Answers to article requests that were video, gallery, podcast or live blog pages (how
    # many of the 4 are requested depends on which source named them first).
    assert [r["non_articles"] for r in rows] == [sum(k.values()) for k in kinds]
    assert rows[0]["non_articles"] >= 1 and set().union(*kinds) <= {"video", "gallery", "podcast", "liveblog"}
    assert [r["fill"]["tags"] for r in rows] == [0.833, 0.0, 0.0]
    assert [r["fill"]["title"] for r in rows] == [1.0, 1.0, 1.0]
    assert rows[0]["fill"]["authors"] == round(authors / 12, 3)
    assert all(r["median_words"] > 50 for r in rows)
    assert [len(r["alarms"]) for r in rows] == [0, 1, 0]


def test_runs_json_carries_the_health_and_its_alarms(three_runs):
    db, _ = three_runs
    result = run_cli("runs", "--json", "--db", str(db))
    assert result.returncode == 0, result.stderr
    runs = {r["id"]: r for r in json.loads(result.stdout)}
    assert runs[2]["health"]["alarms"] == [{"field": "tags", "now": 0.0, "before": 0.833}]
    assert runs[3]["health"]["alarms"] == []


def test_sites_health_shows_the_last_runs_side_by_side(three_runs):
    db, _ = three_runs
    result = run_cli("sites", "health", "newspaper", "--db", str(db))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "newspaper:"
    assert lines[1].split() == ["run", "#1", "#2", "#3"]
    assert next(line for line in lines if line.strip().startswith("tags")).split() == ["tags", "83%", "0%", "0%"]
    assert next(line for line in lines if line.strip().startswith("articles")).split() == ["articles", "12", "12", "12"]
    assert "  alarm in run #2: tags 0% (before: 83%)" in lines
    as_json = json.loads(run_cli("sites", "health", "--runs", "2", "--json", "--db", str(db)).stdout)
    assert [r["run"] for r in as_json["newspaper"]] == [3, 2]
    missing = run_cli("sites", "health", "nosuchsite", "--db", str(db))
    assert missing.returncode == 1 and "nosuchsite" in missing.stderr


def test_an_archive_from_before_health_gets_the_column(three_runs, tmp_path):
    db, _ = three_runs
    old = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    try:
        con.execute("vacuum into ?", (str(old),))
    finally:
        con.close()
    con = sqlite3.connect(old)
    try:
        con.execute("alter table crawl_runs drop column health")
        con.execute("drop table alembic_version")  # from before health: from before migrations too
        con.commit()
    finally:
        con.close()
    from drmcrawl.storage import Archive

    archive = Archive(str(old))  # a writer opening the archive upgrades it
    assert [r.health for r in archive.runs()] == [None, None, None]
    assert archive.runs()[-1].counts["articles_new"] == 12
    result = run_cli("runs", "--json", "--db", str(old))
    assert result.returncode == 0, result.stderr
    assert [r["health"] for r in json.loads(result.stdout)] == [None, None, None]
