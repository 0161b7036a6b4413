"""Issue 19, storage side of the read commands: capped search queries (item 17), read-only
archives (item 16)."""

from __future__ import annotations

from records import make_article

from drmcrawl.storage import Archive
from drmcrawl.storage.query import MAX_QUERY_TERMS, cap_query, search


def test_search_query_repeated_and_excess_words_are_capped(tmp_path):
    """Item 17: 30,000 repeated words took 50 s; the query is cut to its distinct words."""
    archive = Archive(tmp_path / "a.sqlite")
    archive.save_article(make_article())
    word = make_article().title.split()[0]
    text, notes = cap_query(" ".join([word] * 30_000))
    assert text == word
    assert notes == ["29999 repeated words dropped"]
    [hit] = search(archive, " ".join([word] * 30_000))
    assert hit.title == make_article().title
    many = " ".join(f"w{i}" for i in range(200))
    text, notes = cap_query(many)
    assert text.split() == [f"w{i}" for i in range(MAX_QUERY_TERMS)]
    assert notes == ["only the first 64 of 200 distinct words searched (at most 64 words and 1000 characters)"]
    text, notes = cap_query("x" * 600 + " " + "y" * 600)
    assert text == "x" * 600 and len(notes) == 1
    assert cap_query("VPN vpn Vpn ban") == ("VPN ban", ["2 repeated words dropped"])
    archive.close()
