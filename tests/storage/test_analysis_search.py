"""`drmcrawl search` on a real crawl of the fixture site: ranking, snippets, every output
format, FTS5 metacharacters quoted away, --raw, Urdu."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from analysis_support import cli
from conftest import expected_articles


@pytest.fixture(scope="module")
def db(crawled_archive):
    return str(crawled_archive)


@pytest.fixture(scope="module")
def base(site_server):
    return site_server.url.rstrip("/")


def test_search_table_ranks_title_matches_first_with_highlighted_snippets(db, base):
    result = cli("search", "PTA", "--limit", "3", "--db", db)
    assert result.stdout == f"""\
1. PTA denies role in massive data leak, says 1,372 sites blocked  (2025-09-11)
   {base}/pta-denies-role-in-massive-data-leak-says-1372-sites-blocked
   The Pakistan Telecommunication Authority ([PTA]) has denied any involvement in the leak of personal data of…

2. PAKISTAN: Telecom regulator confirms ‘whitelisting’ VPNs  (2024-08-05)
   {base}/pakistan-telecom-regulator-confirms-whitelisting-vpns
   The Pakistan Telecommunication Authority ([PTA]) has confirmed that it is “whitelisting” virtual private networks (VPNs) used…

3. Pakistan blocks SIMS of Afghan refugees after deportation deadline  (2025-09-09)
   {base}/afghan-refugees-sim-blocking-pakistan-2025
   …The Pakistan Telecommunication Authority ([PTA]) did not respond to a request for comment. Officials familiar with…
"""
    assert result.stderr == "3 matches\n"


def test_title_weight_puts_headline_matches_above_body_matches(db):
    rows = json.loads(cli("search", "peca", "--format", "json", "--db", db).stdout)
    in_title = ["PECA" in r["title"] for r in rows]
    assert in_title[:2] == [True, True] and not any(in_title[2:])
    # Every article with the word in title, body, tags or authors (any case), none else.
    word = re.compile(r"\bpeca\b", re.IGNORECASE)
    want = {e["title"] for e in expected_articles().values()
            if word.search(" ".join([e["title"], e["body"], *e["tags"], *e["authors"]]))}
    assert {r["title"] for r in rows} == want and len(want) == 8
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True) and [r["rank"] for r in rows] == list(range(1, 9))


def test_search_csv_and_jsonl_have_the_same_rows(db, base):
    csv_out = cli("search", "peca", "--limit", "2", "--format", "csv", "--db", db).stdout_bytes.decode()
    rows = list(csv.DictReader(io.StringIO(csv_out, newline="")))
    assert csv_out.startswith("rank,score,published,title,url,snippet,"
                              "first_seen,last_seen,version,removed_at,removed_status\r\n")
    assert [(r["rank"], r["published"], r["url"]) for r in rows] == [
        ("1", "2025-04-25T12:45:10+05:00",
         f"{base}/peshawar-high-court-tells-government-to-respond-to-petition-challenging-peca-amendments"),
        ("2", "2022-04-08T15:25:00+05:00",
         f"{base}/islamabad-high-court-reserves-decision-on-petitions-challenging-peca-amendment-ordinance"),
    ]
    assert rows[0]["snippet"] == "Peshawar High Court Tells Government to Respond to Petition Challenging [PECA] Amendments"
    lines = [json.loads(line) for line in
             cli("search", "peca", "--limit", "2", "--format", "jsonl", "--db", db).stdout.splitlines()]
    assert [{k: "" if v is None else str(v) for k, v in line.items()} for line in lines] == rows
    assert list(lines[0]) == ["rank", "score", "published", "title", "url", "snippet",
                              "first_seen", "last_seen", "version", "removed_at", "removed_status"]


def test_snippets_are_one_line_in_every_format(db):
    # The DRM Weekly Review's match sits between two paragraphs (blank lines in body).
    rows = json.loads(cli("search", "confirms whitelisting of VPNs", "--format", "json", "--db", db).stdout)
    [hit] = [r for r in rows if r["title"] == "DRM Weekly Review – 10"]
    assert hit["snippet"] == ("…Pakistan PTA [confirms] [whitelisting] [of] [VPNs] The Pakistan Telecommunication "
                              "Authority confirmed that it is [whitelisting] virtual…")


@pytest.mark.parametrize("query", [
    'election "integrity', '"election integrity"', 'election*', '(election)', 'election:', '"election" (integrity) *',
    "election' --", '^election', 'election + integrity', "election'); --",
])
def test_fts_metacharacters_are_searched_as_text(db, query):
    # Quoted word by word: `" * ( ) : ' ^ +` only separate words, so each query is the
    # words election + integrity and finds the article that has both.
    rows = json.loads(cli("search", query, "--format", "json", "--db", db).stdout)
    assert [r["title"] for r in rows][:1] == ["TikTok unveils measures to protect election integrity"]


@pytest.mark.parametrize("query", ["election OR", "NOT election", "election AND integrity", "title:election",
                                   "NEAR(election integrity)", "election NOT NOT", "election; DROP TABLE articles"])
def test_fts_operators_are_plain_words_without_raw(db, query):
    # Each word quoted on its own is FTS5's literal string: the same hits as that raw query.
    quoted = " ".join('"' + w + '"' for w in re.findall(r"\w+", query))
    plain = cli("search", query, "--format", "json", "--db", db).stdout
    assert plain == cli("search", "--raw", quoted, "--format", "json", "--db", db).stdout
    assert cli("search", "election", "--db", db).stderr == "2 matches\n"  # and the archive is unharmed


def test_metacharacter_words_must_all_occur(db):
    # "OR" is a word here, not an operator: no article says "election" and "or" and "xyzzy".
    assert json.loads(cli("search", "election OR xyzzy", "--format", "json", "--db", db).stdout) == []
    raw = json.loads(cli("search", "--raw", "election OR xyzzy", "--format", "json", "--db", db).stdout)
    assert {r["title"] for r in raw} == {"TikTok unveils measures to protect election integrity",
                                         "Petition filed in SHC against repeated internet disruptions"}


def test_raw_passes_fts5_syntax_through(db):
    rows = json.loads(cli("search", "--raw", "vpn* NOT title:whitelisting", "--format", "json", "--db", db).stdout)
    assert [r["title"] for r in rows] == [
        "DRM Weekly Review – 10",
        "PAKISTAN: X banned on interior ministry’s orders, telecom regulator tells court",
    ]
    phrase = json.loads(cli("search", "--raw", '"election integrity"', "--format", "json", "--db", db).stdout)
    assert [r["title"] for r in phrase] == ["TikTok unveils measures to protect election integrity"]
    # Without --raw the same text is plain words: `vpn*` is the word vpn, NOT and title are words too.
    assert json.loads(cli("search", "vpn* NOT title:whitelisting", "--format", "json", "--db", db).stdout) == []


def test_bad_raw_query_and_empty_query_are_errors_not_crashes(db):
    bad = cli("search", "--raw", "title:(", "--db", db, expect=1)
    assert bad.stderr.startswith("Error: bad FTS5 query 'title:(' (fts5: syntax error")
    nothing = cli("search", "* ( ) :", "--db", db, expect=1)
    assert nothing.stderr == "Error: nothing to search for in '* ( ) :': give at least one word\n"
    assert cli("search", "   ", "--db", db, expect=1).stderr == "Error: empty search query\n"


def test_urdu_search_and_snippet(db, base):
    result = cli("search", "رجسٹریشن", "--db", db)
    assert result.stdout == (
        "1. پی ٹی اے نے وی پی این رجسٹریشن کی آخری تاریخ مقرر کر دی  (2024-11-18)\n"
        f"   {base}/pta-vpn-registration-deadline-urdu\n"
        "   پی ٹی اے نے وی پی این [رجسٹریشن] کی آخری تاریخ مقرر کر دی\n"
    )
    tagged = json.loads(cli("search", "وی پی این", "--format", "json", "--db", db).stdout)
    assert [r["url"] for r in tagged] == [f"{base}/pta-vpn-registration-deadline-urdu"]


def test_search_honours_filters(db):
    everything = json.loads(cli("search", "PTA", "--format", "json", "--db", db).stdout)
    since = json.loads(cli("search", "PTA", "--since", "2025", "--format", "json", "--db", db).stdout)
    assert len(everything) == 9
    assert [r["title"][:20] for r in since] == ["PTA denies role in m", "Pakistan blocks SIMS", "Khyber Pakhtunkhwa p"]
    tagged = json.loads(cli("search", "PTA", "--tag", "vpn", "--format", "json", "--db", db).stdout)
    assert [r["title"] for r in tagged] == ["PAKISTAN: Telecom regulator confirms ‘whitelisting’ VPNs"]
    assert cli("search", "PTA", "--author", "Nobody", "--db", db).stderr == "0 matches\n"


@pytest.mark.parametrize("query", ["pakistan", "court", "vpn", "data protection"])
def test_unfiltered_search_ranks_inside_the_index_exactly_as_the_filtered_join(db, query):
    """Without filters the best N are ranked inside the FTS index; a filter that keeps
    every article takes the join path. Same hits, same order, same snippets."""
    from drmcrawl.storage import Archive
    from drmcrawl.storage.query import Filters, search

    archive = Archive(db)
    try:
        for limit in (1, 3, 50):
            fast = search(archive, query, Filters(limit=limit))
            joined = search(archive, query, Filters(limit=limit, sites=("drm",)))
            assert fast and fast == joined
            assert len(fast) == min(limit, len(search(archive, query, Filters(limit=1000))))
    finally:
        archive.close()
