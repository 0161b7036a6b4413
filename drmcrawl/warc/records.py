"""WARC files of every HTTP exchange, read with warcio and written the way warcio writes
them: warcio encodes the HTTP header blocks and writes each file's warcinfo record; the
exchanges' records are assembled here byte for byte as warcio's writer would (`_record`,
compared with warcio's output in the tests), without its per-chunk Python work.

Each exchange is a response record (or a revisit record when the payload is one we have
already archived for that URL) followed by its request record.

What "as seen on the wire" means here: the body is stored as the server encoded it
(gzip stays gzip, with its `Content-Encoding` header, so the payload digest is the one of
the bytes received); only the transfer coding is undone (the HTTP client de-chunks), so
`Transfer-Encoding` is renamed to keep the record consistent. Header order and case are
the HTTP client's (Scrapy normalises names), not necessarily the server's. Each record is its own gzip
member, so a record's (offset, length) in the fetch index reads on its own, and a file cut
short by a kill can be truncated back to the last indexed exchange. Files rotate by size
and each starts with a warcinfo record naming the software and the crawl settings."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from drmcrawl.provenance import software

try:  # ISA-L (a declared dependency; missing only where it has no wheel)
    from isal import isal_zlib
except ImportError:  # pragma: no cover (then zlib compresses every level)
    isal_zlib = None

logger = logging.getLogger(__name__)

SUFFIX = ".warc.gz"
DEFAULT_MAX_SIZE = 1024**3  # 1 GiB, the customary WARC size
# Compression level of each record's gzip member: 1-3 compress with ISA-L (isal), 0 and
# 4-9 with zlib at that level (9 is warcio's own). Per 89 KB article page of the benchmark
# mirror (`python benchmarks/micro.py gzip`): ISA-L 2 0.10 ms, ISA-L 3 0.32 ms for files
# 5% smaller, zlib 4 0.89 ms for 10% smaller, zlib 9 2.24 ms for 15% smaller. Any gzip
# reader reads them all.
DEFAULT_GZIP_LEVEL = 2
ISAL_LEVELS = range(1, 4)
REVISIT_IDENTICAL = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
REVISIT_NOT_MODIFIED = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"
# Scrapy hands us the body already de-chunked; a record that still said "chunked" would
# be misread, so the header is kept under the name pywb uses for the same situation.
_HOP_HEADERS = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}
# Request headers that carry a secret of the user (site credentials from `--base-url`, a
# proxy's, a session cookie): a request record keeps their name, never their value, so
# WARC files can be shared without the credentials (issue 19, item 6).
SENSITIVE_REQUEST_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
REDACTED = "[redacted]"


def redact_request_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`headers` with the value of every sensitive one (SENSITIVE_REQUEST_HEADERS, any
    case) replaced by REDACTED: the one rule for request headers written to a WARC."""
    return [(name, REDACTED) if name.lower() in SENSITIVE_REQUEST_HEADERS else (name, value)
            for name, value in headers]


@dataclass
class Exchange:
    """One request and the response to it, as seen on the wire (body not content-decoded)."""

    url: str
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime  # naive UTC
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)  # redacted: see redact_request_headers
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"


@dataclass
class Written:
    file: str
    offset: int
    length: int
    end: int
    record_id: str
    record_type: str
    digest: str


@dataclass
class BuiltPair:
    """A response (or revisit) record and its request record as gzip members, ready to
    append to any WARC file: built away from the writer (in an extraction worker, where
    the digest and compression of a 100 KB page cost the crawl's own process nothing)."""

    data: bytes
    response_length: int  # the first member's: the (offset, length) the fetch index keeps
    record_id: str
    digest: str


@dataclass
class Original:
    """The archived response a revisit record points to."""

    url: str
    fetched_at: datetime
    record_id: str
    digest: str


def payload_digest(*parts: bytes) -> str:
    """The digest warcio would write for these bytes ("sha1:BASE32"), e.g. the body's
    WARC-Payload-Digest."""
    digester = hashlib.sha1()
    for part in parts:
        digester.update(part)
    return "sha1:" + _base32(digester.digest())


_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _base32(digest: bytes) -> str:
    """`base64.b32encode` of a 20-byte SHA-1 (160 bits: 32 letters, no padding). Python
    3.11's b32encode is pure Python: 16 us a call, four calls an exchange."""
    number = int.from_bytes(digest, "big")
    return "".join([_BASE32[(number >> shift) & 31] for shift in range(155, -1, -5)])


def warc_date(when: datetime) -> str:
    return datetime_to_iso_date(when)


class WarcWriter:
    """Appends exchanges to `folder/<prefix>-<timestamp>-<serial>.warc.gz`, rotating when
    a file reaches `max_size` bytes."""

    def __init__(self, folder: str | os.PathLike, prefix: str, info: dict, max_size: int = DEFAULT_MAX_SIZE,
                 gzip_level: int = DEFAULT_GZIP_LEVEL):
        self.gzip_level = gzip_level
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.info = info
        self.max_size = max_size
        self._serial = 0
        self._fh = None
        self._writer: WARCWriter | None = None
        self.name: str | None = None

    def write_response(self, exchange: Exchange, digest: str | None = None) -> Written:
        """`digest`: the body's `payload_digest` when the caller already has it."""
        return self.write_built(build_response_pair(exchange, digest, self.gzip_level), "response")

    def write_revisit(self, exchange: Exchange, original: Original) -> Written:
        """An unchanged re-fetch: headers only, pointing at the record with the payload.
        A 304 is a server-not-modified revisit, an identical 200 an identical-payload one."""
        profile = REVISIT_NOT_MODIFIED if exchange.status == 304 else REVISIT_IDENTICAL
        record_id = _new_record_id()
        record = _record("revisit", exchange.url, record_id,
                         [*_dated(exchange.fetched_at).items(), ("WARC-Refers-To", original.record_id)],
                         _response_headers(exchange).to_ascii_bytes(), b"",
                         [("WARC-Profile", profile), ("WARC-Refers-To-Target-URI", original.url),
                          ("WARC-Refers-To-Date", warc_date(original.fetched_at)),
                          ("WARC-Payload-Digest", original.digest)])
        return self.write_built(_pair(exchange, record, record_id, original.digest, self.gzip_level), "revisit")

    def write_built(self, pair: BuiltPair, record_type: str = "response") -> Written:
        self._file_writer()  # opens the next file when this one is full
        offset = self._fh.tell()
        self._fh.write(pair.data)
        self._fh.flush()
        return Written(self.name, offset, pair.response_length, offset + len(pair.data), pair.record_id,
                       record_type, pair.digest)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = self._writer = None

    # -- internals -----------------------------------------------------------------
    def _file_writer(self) -> WARCWriter:
        if self._writer is None or self._fh.tell() >= self.max_size:
            self._open_next()
        return self._writer

    def _open_next(self) -> None:
        self.close()
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        while True:
            self._serial += 1
            name = f"{self.prefix}-{stamp}-{self._serial:05d}{SUFFIX}"
            if not (self.folder / name).exists():
                break
        self.name = name
        self._fh = open(self.folder / name, "ab")  # noqa: SIM115 (kept open across writes)
        self._writer = WARCWriter(GzipMembers(self._fh, self.gzip_level), gzip=False)
        info = {"software": software(), "format": "WARC File Format 1.0", **self.info}
        self._writer.write_record(self._writer.create_warcinfo_record(name, info))
        logger.info("Writing WARC %s", self.folder / name)




def build_response_pair(exchange: Exchange, digest: str | None = None,
                        gzip_level: int = DEFAULT_GZIP_LEVEL) -> BuiltPair:
    """The response record of `exchange` and its request record. `digest`: the body's
    payload digest, when the caller has it already."""
    digest = digest or payload_digest(exchange.body)
    record_id = _new_record_id()
    response = _record("response", exchange.url, record_id,
                       [*_dated(exchange.fetched_at).items(), ("WARC-Payload-Digest", digest)],
                       _response_headers(exchange).to_ascii_bytes(), exchange.body)
    return _pair(exchange, response, record_id, digest, gzip_level)


def _pair(exchange: Exchange, response: bytes, record_id: str, digest: str, gzip_level: int) -> BuiltPair:
    request = _record("request", exchange.url, _new_record_id(),
                      [*_dated(exchange.fetched_at).items(), ("WARC-Concurrent-To", record_id),
                       ("WARC-Payload-Digest", payload_digest(exchange.request_body))],
                      _request_headers(exchange).to_ascii_bytes(), exchange.request_body)
    response = gzip_member(response, gzip_level)
    return BuiltPair(response + gzip_member(request, gzip_level), len(response), record_id, digest)


def _new_record_id() -> str:
    return StatusAndHeadersParser.make_warc_id()


def _record(record_type: str, url: str, record_id: str, first: list[tuple[str, str]], http_block: bytes,
            payload: bytes, after: list[tuple[str, str]] = ()) -> bytes:
    """A record, uncompressed, byte for byte as warcio's `create_warc_record` (or
    `create_revisit_record`, which adds the `after` headers) and `write_record` make it;
    the tests compare the two. The HTTP header block is warcio's encoding of it.
    Why not warcio's writer: it streams the payload through its digesters and
    compressor in 16 KB pieces and edits its header lists one lookup at a time, Python
    work that cost about as much as the SHA-1s and the compression themselves."""
    headers = [*first, ("WARC-Type", record_type), ("WARC-Record-ID", record_id), ("WARC-Target-URI", url), *after,
               ("WARC-Block-Digest", payload_digest(http_block, payload)),
               ("Content-Type", WARCWriter.WARC_RECORDS[record_type]),
               ("Content-Length", str(len(http_block) + len(payload)))]
    head = "WARC/1.0\r\n" + "".join([f"{name}: {value}\r\n" for name, value in headers]) + "\r\n"
    return b"".join((head.encode("utf-8"), http_block, payload, b"\r\n\r\n"))


def gzip_member(data: bytes, level: int) -> bytes:
    member = compressor(level)
    return member.compress(data) + member.flush()


class GzipMembers:
    """What warcio writes, as one gzip member per record (warcio flushes once at the end
    of each record), at our compression level instead of warcio's fixed 9."""

    def __init__(self, out, level: int):
        self.out = out
        self.level = level
        self._compressor = self._new()

    def _new(self):
        return compressor(self.level)

    def write(self, data: bytes) -> None:
        self.out.write(self._compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self._compressor.flush())
        self._compressor = self._new()

    def tell(self) -> int:
        return self.out.tell()


def compressor(level: int):
    """A gzip-member compressor at `level` (see DEFAULT_GZIP_LEVEL)."""
    if level in ISAL_LEVELS and isal_zlib is not None:
        return isal_zlib.compressobj(level, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16)
    return zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)


def _dated(when: datetime) -> dict:
    return {"WARC-Date": warc_date(when)}


def _response_headers(exchange: Exchange) -> StatusAndHeaders:
    try:
        reason = HTTPStatus(exchange.status).phrase
    except ValueError:
        reason = ""
    headers = [(_HOP_HEADERS.get(name.lower(), name), value) for name, value in exchange.response_headers]
    return StatusAndHeaders(f"{exchange.status} {reason}".strip(), headers, protocol=exchange.protocol)


def _request_headers(exchange: Exchange) -> StatusAndHeaders:
    from urllib.parse import urlsplit

    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = redact_request_headers(exchange.request_headers)  # also for an Exchange built elsewhere
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"{exchange.method} {target} HTTP/1.1", headers, is_http_request=True)


# -- reading -------------------------------------------------------------------------
@dataclass
class ArchivedResponse:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # content-decoded (gzip/deflate undone), as a browser would see it
    record_type: str


class UnreadableRecord(ValueError):
    """The WARC record at an indexed offset cannot be read back: the file is missing, cut
    short or damaged (a bad gzip member, a mangled header, a body that does not decode)."""


def read_record(path: str | os.PathLike, offset: int) -> ArchivedResponse:
    """The record at `offset` (from the fetch index) of a WARC file. Raises
    UnreadableRecord, whatever went wrong in reading it."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)), None)
            if record is None:
                raise UnreadableRecord(f"no WARC record at offset {offset}")
            headers = record.http_headers
            body = record.content_stream().read()
            missing = getattr(record.raw_stream, "limit", 0)  # of the record's Content-Length
            if missing:
                raise UnreadableRecord(f"WARC record at offset {offset} cut short: {missing} bytes missing")
            return ArchivedResponse(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                status=int(headers.get_statuscode()) if headers else 0,
                headers=list(headers.headers) if headers else [],
                body=body,
                record_type=record.rec_type,
            )
    except UnreadableRecord:
        raise
    except Exception as exc:  # warcio's ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError...
        raise UnreadableRecord(f"{type(exc).__name__}: {exc}"[:300]) from exc


def truncate_to(path: Path, valid_end: int) -> bool:
    """Cut a WARC file back to `valid_end` (the end of its last indexed exchange): what a
    killed crawl wrote after that is unindexed and possibly a half-written gzip member.
    A file with nothing indexed goes. Returns True if the file changed."""
    if not path.exists():
        return False
    size = path.stat().st_size
    if valid_end <= 0:
        path.unlink()
        logger.warning("Removed WARC %s: no indexed exchange in it (crawl was killed)", path)
        return True
    if size <= valid_end:
        return False
    with open(path, "r+b") as fh:
        fh.truncate(valid_end)
    logger.warning("Truncated WARC %s from %d to %d bytes (unindexed tail of a killed crawl)", path, size, valid_end)
    return True


def repair_killed(folder: Path, prefixes: list[str], ends: dict[str, int]) -> list[str]:
    """After a kill: cut each WARC file whose name starts with one of `prefixes` (the
    killed runs' files) back to the end of its last indexed exchange (`ends`: file name ->
    offset, from the fetch index), so every file again holds whole records only and each
    indexed record is still where the index says. Returns the names changed."""
    changed = []
    for prefix in prefixes:
        for path in sorted(folder.glob(f"{prefix}-*{SUFFIX}")):
            if truncate_to(path, ends.get(path.name, 0)):
                changed.append(path.name)
    return changed


def warc_folder(db_location: str, configured: str | os.PathLike | None = None) -> Path:
    """Where WARC files go: the configured folder, else `warc/` next to a SQLite file
    (data/drmcrawl.sqlite -> data/warc), else data/warc."""
    if configured:
        return Path(configured)
    if "://" in db_location:
        return Path("data") / "warc"
    return Path(db_location).parent / "warc"


def settings_info(settings: dict) -> dict:
    """warcinfo fields for the crawl settings (one JSON line, readable by any tool)."""
    return {"drmcrawl-settings": json.dumps(settings, sort_keys=True, default=str)}


def file_prefix(db_location: str, site_name: str, run_id: int | None) -> str:
    """`<db name>-<site>-run<N>`: databases side by side in one folder share its warc/
    folder, so a file name says which database (and run) it belongs to."""
    return f"{db_name(db_location)}-{site_name}-run{run_id}"


def db_name(db_location: str) -> str:
    name = Path(db_location).stem if "://" not in db_location else "db"
    return re.sub(r"[^A-Za-z0-9_.]+", "_", name) or "db"
