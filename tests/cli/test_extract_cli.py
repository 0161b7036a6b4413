"""`drmcrawl extract` on a saved page of any site: `--url` gives the page its address,
`--explain` shows which layer produced each field."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from drmcrawl.cli import main

LD = json.dumps({"@context": "https://schema.org", "@graph": [
    {"@type": "NewsArticle", "@id": "#story", "headline": "Council approves the budget",
     "datePublished": "2024-05-06T10:00:00+02:00", "author": {"@id": "#jane"}},
    {"@type": "Person", "@id": "#jane", "name": "Jane Doe"},
]})
PAGE = (f"<html lang='de'><head><script type='application/ld+json'>{LD}</script>"
        "<meta name='keywords' content='Budget, Council'></head><body>"
        "<nav><a href='/'>Home</a></nav><article><h1>Council approves the budget</h1>"
        + "".join(f"<p>Sentence {i} of the story about the council and its budget for the year.</p>" for i in range(6))
        + "</article></body></html>")


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


@pytest.mark.parametrize("field, source", [
    ("title", "jsonld.headline"), ("authors", "jsonld.author"), ("published", "jsonld.datePublished"),
    ("tags", "meta.keywords"), ("body", "dom.main_content"),
    ("language", "text (declared de)"),  # the page says de; its text is English
])
def test_explain_names_the_layer_of_each_field(saved, field, source):
    result = CliRunner().invoke(main, ["extract", str(saved), "--url", "https://news.example.org/a/1", "--explain"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sources"][field] == source


def test_any_site_with_its_url(saved):
    result = CliRunner().invoke(main, ["extract", str(saved), "--url", "https://news.example.org/a/1"])
    data = json.loads(result.output)
    assert (data["url"], data["site"], data["authors"]) == ("https://news.example.org/a/1", "news.example.org", ["Jane Doe"])
    assert data["published"] == "2024-05-06T10:00:00+02:00" and data["tags"] == ["Budget", "Council"]
    assert "sources" not in data and data["body"].count("\n\n") == 5


def test_stdin_and_not_an_article(tmp_path):
    ok = CliRunner().invoke(main, ["extract", "-", "--url", "https://news.example.org/a/1"], input=PAGE)
    assert ok.exit_code == 0 and json.loads(ok.output)["title"] == "Council approves the budget"
    empty = CliRunner().invoke(main, ["extract", "-", "--url", "https://news.example.org/"], input="<html><nav>x</nav></html>")
    assert empty.exit_code == 1 and "Error: not an article" in empty.output
