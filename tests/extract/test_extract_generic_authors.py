"""Author names as the page writes them: a closing initial or "Jr." keeps its full stop,
and longer "posted by" phrases in other languages are not part of the name."""

from __future__ import annotations

import pytest

from drmcrawl.extract import extract
from drmcrawl.extract.authors import clean_authors

STORY = "".join(f"<p>Paragraph {i} of the column on the city's housing plans, the rents and the "
                f"new building sites that were approved by the council this spring.</p>" for i in range(6))


@pytest.mark.parametrize("raw, name", [
    ("By Perry Bacon Jr.", "Perry Bacon Jr."),
    ("Joe S.", "Joe S."),
    ("By Jane Doe.", "Jane Doe"),
    ("J. Smith", "J. Smith"),
])
def test_a_closing_initial_keeps_its_full_stop(raw, name):
    assert clean_authors([raw]) == [name]


@pytest.mark.parametrize("raw, name", [
    ("Eingestellt von Max Muster", "Max Muster"),
    ("Eine Kolumne von Nils Beispiel", "Nils Beispiel"),
    ("Erstellt von Anna Probe", "Anna Probe"),
    ("Publié par Jean Exemple", "Jean Exemple"),
])
def test_posted_by_phrases_are_not_part_of_the_name(raw, name):
    assert clean_authors([raw]) == [name]


def test_meta_author_with_a_suffix_reaches_the_article():
    html = ("<html><head><title>Housing plans</title><meta name='author' content='Perry Bacon Jr.'></head>"
            "<body><article><h1>Housing plans</h1>" + STORY + "</article></body></html>")
    article = extract(html, "https://news.example.com/housing-plans")
    assert article.authors == ["Perry Bacon Jr."]
