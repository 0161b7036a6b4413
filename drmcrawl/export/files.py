"""Exports of article records: CSV, JSON Lines, Parquet (optional pyarrow), and dataset
bundles with a manifest. Streaming: records flow through one at a time (Parquet: one
batch), so memory stays flat at any archive size. A plain CSV export of an archive skips
records altogether: one query returns the cells (`write_archive_csv`)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, TextIO

from drmcrawl.export.output import output_file
from drmcrawl.model import ARCHIVE_FIELDS, EXPORT_FIELDS, LIST_FIELDS, RECORD_FIELDS

LIST_SEPARATOR = "; "
# Spreadsheet programs run cells that start with these as formulas (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "parquet": "parquet"}
BOM = "\ufeff"  # makes Excel read the file as UTF-8 (Urdu shows correctly)
PARQUET_BATCH = 500
INT_FIELDS = frozenset({"post_id", "word_count", "version", "removed_status"})

# The data dictionary: type and meaning of every export column, in EXPORT_FIELDS order
# (the record's fields, then the archive's).
FIELD_DOCS: dict[str, tuple[str, str]] = {
    "url": ("text", "URL the page was fetched from"),
    "canonical_url": ("text", "<link rel=canonical>: the live permalink, even when crawled from a mirror"),
    "post_id": ("integer", "WordPress post ID"),
    "site": ("text", "site profile name (drm) or host"),
    "title": ("text", "the on-page headline"),
    "authors": ("list of text", "author display names, in page order"),
    "published": ("ISO 8601 time", "publication time with the offset the site used (DRM: +05:00)"),
    "modified": ("ISO 8601 time", "last modification time, same convention"),
    "tags": ("list of text", "tag names, in page order"),
    "tag_slugs": ("list of text", "tag slugs from the tag archive URLs, same order as tags"),
    "categories": ("list of text", "category names (two DRM categories are both called News)"),
    "category_slugs": ("list of text", "category slugs, same order as categories (tell the two News apart)"),
    "description": ("text", "meta description"),
    "body": ("text", "the article's own text, paragraphs separated by blank lines"),
    "body_html": ("text", "the same content as cleaned HTML"),
    "image_url": ("text", "featured image URL"),
    "image_caption": ("text", "featured image caption"),
    "language": ("text", "primary language subtag (en, ur)"),
    "access": ("text", "free, or paywalled: the page showed only part of the article "
                       "(isAccessibleForFree false, or a paywall marker)"),
    "word_count": ("integer", "\\w+ tokens in body"),
    "sources": ("JSON object", "field -> where its value came from (profile.drm, jsonld.datePublished, ...)"),
    "first_seen": ("ISO 8601 time (UTC)", "when the archive first stored the article"),
    "last_seen": ("ISO 8601 time (UTC)", "when the article last answered live (200 or 304)"),
    "version": ("integer", "number of distinct versions the archive holds (`drmcrawl history URL` lists them)"),
    "removed_at": ("ISO 8601 time (UTC)", "when the article was found gone (404/410/redirect away); "
                   "empty while live: the row is the last archived version"),
    "removed_status": ("integer", "HTTP status that marked it removed; empty while live"),
}
assert tuple(FIELD_DOCS) == EXPORT_FIELDS, "every export column is documented, in order"


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


# -- sinks: one record in, written out -----------------------------------------------
class CsvSink:
    """RFC 4180 CSV (CRLF, minimal quoting), stable header = EXPORT_FIELDS."""

    def __init__(self, out: TextIO, excel: bool = False):
        if excel:
            out.write(BOM)
        self._writer = csv.writer(out, lineterminator="\r\n")
        self._writer.writerow(EXPORT_FIELDS)

    def write(self, record: dict) -> None:
        self._writer.writerow([csv_cell(name, record.get(name)) for name in EXPORT_FIELDS])

    def close(self) -> None:
        pass


class JsonlSink:
    def __init__(self, out: TextIO):
        self._out = out

    def write(self, record: dict) -> None:
        self._out.write(json.dumps({k: record.get(k) for k in EXPORT_FIELDS}, ensure_ascii=False))
        self._out.write("\n")

    def close(self) -> None:
        pass


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ValueError("Parquet export needs pyarrow: pip install 'drmcrawl[parquet]'") from None
    return pyarrow, pyarrow.parquet


def parquet_schema():
    pa, _ = _pyarrow()
    def arrow_type(name: str):
        if name in LIST_FIELDS:
            return pa.list_(pa.string())
        return pa.int64() if name in INT_FIELDS else pa.string()
    return pa.schema([(name, arrow_type(name)) for name in EXPORT_FIELDS])


class ParquetSink:
    """Row groups of PARQUET_BATCH records; `sources` is stored as a JSON string."""

    def __init__(self, out: BinaryIO):
        pa, pq = _pyarrow()
        self._pa, self._schema = pa, parquet_schema()
        self._writer = pq.ParquetWriter(out, self._schema, compression="zstd")
        self._batch: list[dict] = []

    def write(self, record: dict) -> None:
        row = {name: record.get(name) for name in EXPORT_FIELDS}
        if row["sources"] is not None:
            row["sources"] = json.dumps(row["sources"], ensure_ascii=False, sort_keys=True)
        self._batch.append(row)
        if len(self._batch) >= PARQUET_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._writer.write_table(self._pa.Table.from_pylist(self._batch, schema=self._schema))
            self._batch = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


def _drain(records: Iterable[dict], sinks: list) -> int:
    count = 0
    for record in records:
        for sink in sinks:
            sink.write(record)
        count += 1
    for sink in sinks:
        sink.close()
    return count


def write_csv(records: Iterable[dict], out: TextIO, excel: bool = False) -> int:
    return _drain(records, [CsvSink(out, excel)])


def write_jsonl(records: Iterable[dict], out: TextIO) -> int:
    return _drain(records, [JsonlSink(out)])


# -- the one-query CSV export ----------------------------------------------------------
_FORMULA_CHARS = frozenset(_FORMULA_STARTS)
_SOURCES = EXPORT_FIELDS.index("sources")


def csv_field(value: object) -> str:
    """One cell exactly as CsvSink's csv.writer writes csv_cell(value) for a text or
    number cell: the formula guard, then QUOTE_MINIMAL (quoted when it holds a comma,
    quote or line break; quotes doubled). Done by hand because csv.writer looks every
    character up in the line terminator with a function call: ~30 ns a character, 115 us
    of a 3.6 KB article row, where these `in` scans take about 1 us."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    if value[:1] in _FORMULA_CHARS:
        value = "'" + value
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


class _SourcesCells(dict):
    """Stored `sources` JSON text -> its CSV cell. An archive holds a handful of distinct
    provenance maps, so parsing and re-dumping each once (sorted keys, as csv_cell does)
    replaces a json round trip per row. Bounded, in case an archive has many."""

    def __missing__(self, stored: str | None) -> object:
        if len(self) >= 4096:
            self.clear()
        cell = self[stored] = csv_cell("sources", None if stored is None else json.loads(stored))
        return cell


def write_flat_csv(chunks: Iterable[Sequence[Sequence]], out: TextIO, excel: bool = False) -> int:
    """CSV of `storage.query.iter_flat_rows` chunks: the bytes CsvSink writes for the
    same articles' records, one write per chunk."""
    if excel:
        out.write(BOM)
    out.write(",".join(map(csv_field, EXPORT_FIELDS)) + "\r\n")
    sources = _SourcesCells()
    count = 0
    for rows in chunks:
        lines = []
        for row in rows:
            cells = list(row)
            cells[_SOURCES] = sources[cells[_SOURCES]]
            lines.append(",".join(map(csv_field, cells)))
        lines.append("")
        out.write("\r\n".join(lines))
        count += len(rows)
    return count


def write_archive_csv(archive, out: TextIO, filters=None, excel: bool = False) -> int:
    """The CSV export of an archive's matching articles: one streamed query on SQLite
    (`iter_flat_rows`), the record path elsewhere. Same bytes either way."""
    from drmcrawl.storage import query

    filters = filters or query.Filters()
    if query.has_flat_rows(archive):
        return write_flat_csv(query.iter_flat_rows(archive, filters, LIST_SEPARATOR), out, excel)
    return write_csv(query.iter_records(archive, filters), out, excel)


def export_archive_csv(archive, filters, path: Path, excel: bool = False, force: bool = False) -> int:
    """write_archive_csv into a file (an existing one replaced only with force, and only
    once the export is complete: `output.output_file`)."""
    with _new_file("csv", path, force) as handle:
        return write_archive_csv(archive, handle, filters, excel)


# -- files ------------------------------------------------------------------------------
def _sink_for(fmt: str, handle, excel: bool):
    if fmt == "csv":
        return CsvSink(handle, excel)
    if fmt == "jsonl":
        return JsonlSink(handle)
    return ParquetSink(handle)


def export_files(records: Iterable[dict], targets: dict[str, Path], excel: bool = False,
                 force: bool = False) -> int:
    """Write the same records to several files in one pass ({format: path}). Each file
    appears (or replaces the old one, with force) only when all of them were written
    (`output.output_file`), so a half-written export never looks complete."""
    if "parquet" in targets:
        _pyarrow()  # fail before creating any file
    with ExitStack() as files:
        sinks = [_sink_for(fmt, files.enter_context(_new_file(fmt, path, force)), excel)
                 for fmt, path in targets.items()]
        return _drain(records, sinks)


def _new_file(fmt: str, path: Path, force: bool):
    return output_file(path, force=force, binary=fmt == "parquet")


# -- bundles ----------------------------------------------------------------------------
DICTIONARY_NAME = "DATA_DICTIONARY.md"
MANIFEST_NAME = "manifest.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_dictionary(formats: Iterable[str]) -> str:
    lines = [
        "# Data dictionary",
        "",
        "One row per article, columns in this order in every file "
        f"({', '.join(f'articles.{EXTENSIONS[f]}' for f in formats)}).",
        "",
        "CSV: UTF-8, RFC 4180 quoting, lists joined with `; `, empty = no value, cells starting "
        "with `= + - @` (or tab/CR) prefixed with `'` so spreadsheets never run them. "
        "JSON Lines: lists are arrays, no value is null. Parquet: lists are list<string>, "
        "`sources` is a JSON string.",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{name}` | {FIELD_DOCS[name][0]} | {FIELD_DOCS[name][1]} |" for name in EXPORT_FIELDS]
    lines += ["", f"The last {len(ARCHIVE_FIELDS)} columns ({', '.join(f'`{n}`' for n in ARCHIVE_FIELDS)}) come "
              "from the archive, not the page: a removed article is still exported (with `removed_at` set) "
              "unless the export was made with `--status live`; the manifest's `filters.status` says which "
              f"rows this release holds. The first {len(RECORD_FIELDS)} are the article as last archived."]
    return "\n".join(lines) + "\n"


def prepare_bundle_dir(directory: Path, force: bool) -> None:
    if directory.exists() and not directory.is_dir():
        raise FileExistsError(f"{directory} exists and is not a directory")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise FileExistsError(f"{directory} is not empty (use --force to overwrite its files)")
    directory.mkdir(parents=True, exist_ok=True)
    # An earlier bundle's files go, so a format not written this time cannot linger
    # next to a manifest that does not list it. Other files are left alone.
    # Only regular files are removed: a link or device under one of these names is the
    # user's, and a bundle is not written through it.
    for name in (MANIFEST_NAME, DICTIONARY_NAME, *(f"articles.{ext}" for ext in EXTENSIONS.values())):
        path = directory / name
        if os.path.lexists(path) and not stat.S_ISREG(path.lstat().st_mode):
            raise FileExistsError(f"{path} exists and is not a regular file: not replaced")
        path.unlink(missing_ok=True)


def write_bundle(directory: Path, records: Iterable[dict], coverage, formats: Iterable[str],
                 filters: dict, force: bool = False, excel: bool = False) -> dict:
    """A dataset release folder: articles.<ext> per format, DATA_DICTIONARY.md and
    manifest.json (rows, sha256 and size of every file, schema version, crawl runs, time
    window, filters, drmcrawl version). Returns the manifest."""
    from drmcrawl import __version__
    from drmcrawl.storage.models import SCHEMA_VERSION

    formats = list(dict.fromkeys(formats))
    prepare_bundle_dir(directory, force)
    targets = {fmt: directory / f"articles.{EXTENSIONS[fmt]}" for fmt in formats}
    rows = export_files(records, targets, excel=excel, force=True)
    with output_file(directory / DICTIONARY_NAME, force=True) as fh:
        fh.write(data_dictionary(formats))
    files = [{"path": path.name, "format": fmt, "rows": rows} for fmt, path in targets.items()]
    files.append({"path": DICTIONARY_NAME, "format": "markdown", "rows": None})
    for entry in files:
        path = directory / entry["path"]
        entry.update(bytes=path.stat().st_size, sha256=sha256_file(path))
    manifest = {
        "drmcrawl_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "created_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "articles": rows,
        "columns": list(EXPORT_FIELDS),
        "status": filters.get("status", "all"),
        "crawl_run_ids": coverage.run_ids,
        "time_window": {"published_from": coverage.published_min, "published_to": coverage.published_max},
        "filters": filters,
        "files": files,
    }
    with output_file(directory / MANIFEST_NAME, force=True) as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return manifest
