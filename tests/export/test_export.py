"""CSV/JSONL exports: stable header, RFC 4180 quoting, formula neutralising, UTF-8."""

from __future__ import annotations

import csv
import io
import json

import pytest

from drmcrawl.export.files import csv_cell, write_csv, write_jsonl
from drmcrawl.model import EXPORT_FIELDS


def record(**values) -> dict:
    base = {name: None for name in EXPORT_FIELDS}
    base.update(values)
    return base


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_cells_are_neutralised(value):
    assert csv_cell("title", value) == "'" + value


def test_numbers_and_plain_text_untouched():
    assert csv_cell("post_id", -5) == -5
    assert csv_cell("title", "Plain") == "Plain"
    assert csv_cell("title", None) == ""


def test_lists_are_joined_and_list_items_neutralised():
    assert csv_cell("tags", ["Pakistan", "Tiktok"]) == "Pakistan; Tiktok"
    assert csv_cell("authors", ["=cmd", "B"]) == "'=cmd; B"


def test_csv_is_rfc4180_and_round_trips():
    rows = [record(title='He said "no", then\nleft', body="ٹک ٹاک پاکستان", tags=["A", "B"], post_id=1)]
    out = io.StringIO(newline="")
    assert write_csv(rows, out) == 1
    text = out.getvalue()
    assert text.startswith(",".join(EXPORT_FIELDS) + "\r\n")
    assert '"He said ""no"", then\nleft"' in text
    [parsed] = list(csv.DictReader(io.StringIO(text, newline="")))
    assert parsed["title"] == 'He said "no", then\nleft'
    assert parsed["body"] == "ٹک ٹاک پاکستان"
    assert parsed["tags"] == "A; B"


def test_jsonl_one_object_per_line_in_field_order():
    out = io.StringIO()
    write_jsonl([record(title="a"), record(title="ب")], out)
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["title"] for line in lines] == ["a", "ب"]
    assert list(json.loads(lines[0])) == list(EXPORT_FIELDS)
    assert "ب" in lines[1]  # UTF-8, not \\u escapes
