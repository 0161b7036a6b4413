"""`drmcrawl list` and the filters it shares with search and export, on a real crawl of
the fixture site; every filter checked against the hand-written expected articles."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from analysis_support import cli, copy_db
from conftest import expected_articles

from drmcrawl.model import ARCHIVE_FIELDS


@pytest.fixture(scope="module")
def db(crawled_archive):
    return str(crawled_archive)


@pytest.fixture(scope="module")
def base(site_server):
    return site_server.url.rstrip("/")


def utc(article: dict) -> datetime:
    return datetime.fromisoformat(article["published"]).astimezone(timezone.utc)


def want(predicate) -> list[str]:
    """Titles of the expected articles matching predicate, newest first."""
    chosen = [e for e in expected_articles().values() if predicate(e)]
    return [e["title"] for e in sorted(chosen, key=utc, reverse=True)]


def titles(db: str, *args: str) -> list[str]:
    return [row["title"] for row in json.loads(cli("list", *args, "--format", "json", "--db", db).stdout)]


def test_list_table_exact(db, base):
    result = cli("list", "--tag", "peca", "--db", db)
    assert result.stdout == f"""\
published   title                                                         url
2025-04-25  Peshawar High Court Tells Government to Respond to Petition…  {base}/peshawar-high-court-tells-government-to-respond-to-petition-challenging-peca-amendments
2025-02-18  PAKISTAN: Cybercrime law changes challenged in high court     {base}/pakistan-cybercrime-law-changes-challenged-in-high-court
2024-06-03  PAKISTAN: Revisions proposed for Digital Rights Protection …  {base}/pakistan-revisions-proposed-for-digital-rights-protection-authority
2023-06-14  FIA’s cybercrime wing & the “fake news” crackdown: what the…  {base}/fias-cybercrime-wing-and-the-fake-news-crackdown-what-the-data-shows
2021-07-31  FIA told to stop misuse of cybercrimes law                    {base}/fia-told-to-stop-misuse-of-cybercrimes-law
"""
    assert result.stderr == "5 articles\n"


def test_no_filter_lists_every_article_newest_first(db):
    assert titles(db) == want(lambda e: True)
    assert len(titles(db)) == len(expected_articles())


@pytest.mark.parametrize("args, predicate", [
    (("--since", "2025"), lambda e: utc(e).year >= 2025),
    (("--until", "2019"), lambda e: utc(e).year <= 2019),
    (("--since", "2024-01", "--until", "2024-01"), lambda e: utc(e).strftime("%Y-%m") == "2024-01"),
    # Calendar dates are UTC: 2025-02-18T00:30+05:00 is 2025-02-17 19:30 UTC.
    (("--since", "2025-02-18", "--until", "2025-04"), lambda e: "2025-02-18" <= utc(e).strftime("%F") <= "2025-04-30"),
    (("--since", "2025-02-17T19:30:00Z", "--until", "2025-02-17T19:30:01Z"), lambda e: e["post_id"] == 12380),
    (("--since", "2025-02-18T00:30:00+05:00", "--until", "2025-02-18T00:30:00+05:00"), lambda e: False),
    (("--tag", "PECA"), lambda e: "PECA" in e["tags"]),
    (("--tag", "data-protection"), lambda e: "data-protection" in e["tag_slugs"]),
    (("--tag", "vpn", "--tag", "tiktok"), lambda e: {"VPN", "Tiktok"} & set(e["tags"])),
    (("--tag", "pakistan", "--tag", "FIA", "--since", "2024"),
     lambda e: {"Pakistan", "FIA"} & set(e["tags"]) and utc(e).year >= 2024),
    (("--category", "features"), lambda e: "features" in e["category_slugs"]),
    (("--category", "NEWS"), lambda e: "News" in e["categories"]),  # the name: both News categories
    (("--category", "in-media-news"), lambda e: "in-media-news" in e["category_slugs"]),
    (("--author", "usman shahid"), lambda e: "Usman Shahid" in e["authors"]),
    (("--author", "Talal Raza", "--author", "Ramna Saeed", "--tag", "pta"),
     lambda e: {"Talal Raza", "Ramna Saeed"} & set(e["authors"]) and "PTA" in e["tags"]),
    (("--site", "drm"), lambda e: True),
    (("--site", "other"), lambda e: False),
    (("--tag", "وی پی این"), lambda e: "وی پی این" in e["tags"]),
])
def test_each_filter(db, args, predicate):
    expected = want(predicate)
    assert titles(db, *args) == expected
    assert expected or args[-1] in ("other", "2025-02-18T00:30:00+05:00")  # the filters that must match nothing


def test_limit_keeps_the_newest(db):
    assert titles(db, "--limit", "3") == want(lambda e: True)[:3]
    assert titles(db, "--tag", "pta", "--limit", "2") == want(lambda e: "PTA" in e["tags"])[:2]
    assert cli("list", "--limit", "0", "--db", db, expect=2).exit_code == 2


def test_json_jsonl_csv_agree(db, base):
    args = ("list", "--author", "Talal Raza", "--db", db)
    rows = json.loads(cli(*args, "--format", "json").stdout)
    # The archive columns (item 3 of issue 19) come last; compared apart, they hold crawl times.
    stamps = [{k: row.pop(k) for k in ARCHIVE_FIELDS} for row in rows]
    assert [(s["version"], s["removed_at"], s["removed_status"]) for s in stamps] == [(1, None, None)] * 2
    assert rows == [
        {"published": "2023-03-03T00:00:00+05:00",
         "title": "Women journalists face rising online harassment, parliamentary panel told",
         "authors": ["Talal Raza"], "tags": ["Online Harassment", "Pakistan"], "categories": ["News"],
         "url": f"{base}/women-journalists-face-rising-online-harassment-parliamentary-panel-told"},
        {"published": "2018-11-19T12:12:45+05:00",
         "title": "With 2203 pieces of content blocked, Pakistan on top of countries where Facebook has restricted "
                  "content on government request",
         "authors": ["Talal Raza"], "tags": ["Content Restrictions", "Facebook", "Transparency Report"],
         "categories": ["DRM Exclusive", "News"],
         "url": f"{base}/with-2203-pieces-of-content-blocked-pakistan-on-top-of-countries-where-facebook-has-"
                "restricted-content-on-government-request"},
    ]
    lines = cli(*args, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == [row | stamp for row, stamp in zip(rows, stamps, strict=True)]
    csv_text = cli(*args, "--format", "csv").stdout_bytes.decode("utf-8")
    seen = [f"{s['first_seen']},{s['last_seen']},1,," for s in stamps]
    assert csv_text == (
        "published,title,authors,tags,categories,url,first_seen,last_seen,version,removed_at,removed_status\r\n"
        f"2023-03-03T00:00:00+05:00,\"Women journalists face rising online harassment, parliamentary panel told\","
        f"Talal Raza,Online Harassment; Pakistan,News,{rows[0]['url']},{seen[0]}\r\n"
        f"2018-11-19T12:12:45+05:00,\"{rows[1]['title']}\",Talal Raza,Content Restrictions; Facebook; "
        f"Transparency Report,DRM Exclusive; News,{rows[1]['url']},{seen[1]}\r\n"
    )
    assert cli(*args, "--format", "json").stderr == ""  # the count only decorates the table


ATTACKS = ("x' OR 1=1 --", "x\" OR \"1\"=\"1", "'; DROP TABLE articles; --", "x') OR ('a'='a", "%")


@pytest.mark.parametrize("option", ["--tag", "--category", "--author", "--site"])
def test_sql_injection_in_a_filter_matches_nothing_and_harms_nothing(db, tmp_path, option):
    target = str(copy_db(Path(db), tmp_path))
    for attack in ATTACKS:
        result = cli("list", option, attack, "--db", target)
        assert (result.stdout, result.stderr) == ("", "0 articles\n"), attack
        assert cli("export", option, attack, "--format", "jsonl", "--db", target).stdout == ""
        assert cli("search", "pakistan", option, attack, "--db", target).stderr == "0 matches\n"
    con = sqlite3.connect(target)
    assert con.execute("select count(*) from articles").fetchone()[0] == len(expected_articles())
    assert con.execute("select count(*) from tags").fetchone()[0] > 0
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert titles(target, option, {"--tag": "PECA", "--category": "features", "--author": "DRM",
                                   "--site": "drm"}[option])  # the filter still works


@pytest.mark.parametrize("value", ["2024-13", "yesterday", "2024-02-30", "'; DROP TABLE articles; --"])
def test_bad_dates_are_usage_errors(db, value):
    result = cli("list", "--since", value, "--db", db, expect=2)
    assert "Error: Invalid value for --since: not a date" in result.stderr
    assert cli("export", "--until", value, "--db", db, expect=2).exit_code == 2
