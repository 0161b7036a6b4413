"""CSV and JSON Lines writers for article records. Streaming: one row in memory at a time."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from drmcrawl.extract.model import LIST_FIELDS, RECORD_FIELDS

LIST_SEPARATOR = "; "
# Spreadsheet programs run cells that start with these as formulas (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "jsonl")


def csv_cell(name: str, value: object) -> object:
    if value is None:
        return ""
    if name in LIST_FIELDS:
        value = LIST_SEPARATOR.join("" if v is None else str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value  # shown as text, never evaluated
    return value


def write_csv(records: Iterable[dict], out: TextIO) -> int:
    """RFC 4180 CSV (CRLF, minimal quoting), stable header = RECORD_FIELDS."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RECORD_FIELDS)
    count = 0
    for record in records:
        writer.writerow([csv_cell(name, record.get(name)) for name in RECORD_FIELDS])
        count += 1
    return count


def write_jsonl(records: Iterable[dict], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(json.dumps({k: record.get(k) for k in RECORD_FIELDS}, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


WRITERS = {"csv": write_csv, "jsonl": write_jsonl}
