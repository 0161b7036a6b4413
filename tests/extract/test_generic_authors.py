"""Author cleaning: raw byline strings -> person names."""

from __future__ import annotations

import pytest

from drmcrawl.extract.authors import clean_authors, looks_like_organisation


@pytest.mark.parametrize("raw, sites, expected", [
    (["By Jane Doe"], (), ["Jane Doe"]),
    (["Von Anna Müller"], (), ["Anna Müller"]),
    (["By Jane Doe and John Roe, Reuters"], (), ["Jane Doe", "John Roe"]),
    (["Trine Juncher Jørgensen og Tôrtia Reimer-Johansen"], (), ["Trine Juncher Jørgensen", "Tôrtia Reimer-Johansen"]),
    (["Doe, Jane", "Roe, John"], (), ["Jane Doe", "John Roe"]),
    (["Jane Doe", "jane doe", "JANE DOE"], (), ["Jane Doe"]),
    (["Jane Doe <jane@example.org>"], (), ["Jane Doe"]),
    (["https://example.org/author/jane", "Jane Doe"], (), ["Jane Doe"]),
    (["14 minutes"], (), []),
    (["Example.de"], (), []),
    (["Jane Doe", "Example News"], ("Example News",), ["Jane Doe"]),
    (["Example News"], ("Example News",), ["Example News"]),  # only the publisher: keep it
    (["DER SPIEGEL"], (), ["DER SPIEGEL"]),  # "de" is not a "by" prefix inside a word
    (["Jane Doe, Professor of History at the University of Somewhere"], (), ["Jane Doe"]),
    (["Dr. Max Muster"], (), ["Dr. Max Muster"]),
    (["محمد علی"], (), ["محمد علی"]),
    (["بقلم أحمد علي"], (), ["أحمد علي"]),
    (["تحریر: محمد علی"], (), ["محمد علی"]),
    (["Jane Doe (Reuters)"], (), ["Jane Doe"]),
    (["(AP)"], (), ["AP"]),
    (["Jane Doe - Staff Reporter"], (), ["Jane Doe"]),
    (["Jane Doe, John Roe and Ann Lee"], (), ["Jane Doe", "John Roe", "Ann Lee"]),
    (["Jane Doe | 5 min read"], (), ["Jane Doe"]),
    (["By Jane Doe, Associated Press"], ("Associated Press",), ["Jane Doe"]),
    (["Text: Anna Müller"], (), ["Anna Müller"]),
    (["Ein Kommentar von"], (), []),  # the label, its name elsewhere
    (["Analysis by"], (), []),
])
def test_clean_authors(raw, sites, expected):
    assert clean_authors(raw, sites) == expected


@pytest.mark.parametrize("name, organisation", [
    ("Frankfurter Allgemeine Zeitung GmbH", True), ("Example Media Ltd.", True), ("example.com developer", True),
    ("Jane Doe", False), ("Agatha Christie", False), ("Inca Lee", False),
])
def test_organisation_names(name, organisation):
    assert looks_like_organisation(name) is organisation
