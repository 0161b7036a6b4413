"""Which software made an archive record: drmcrawl's version, and a fingerprint of the
extraction code so a record says exactly which extractor produced it (it changes with
every edit of drmcrawl/extract/ or the record vocabulary, with no version number to remember to bump)."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from drmcrawl import HOMEPAGE, __version__

_PACKAGE = Path(__file__).resolve().parent


def record_shaping_code() -> list[Path]:
    """What decides a record's content: the extractor and the record's own definition."""
    return [*sorted((_PACKAGE / "extract").rglob("*.py")), _PACKAGE / "model.py"]


@cache
def extractor_version() -> str:
    digest = hashlib.sha256()
    for path in record_shaping_code():
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def software() -> str:
    try:
        warcio_version = version("warcio")
    except PackageNotFoundError:  # running from a source tree without metadata
        warcio_version = "unknown"
    return f"drmcrawl/{__version__} (+{HOMEPAGE}) warcio/{warcio_version}"


# What every record extracted by this process stores (computed once: the code is loaded).
EXTRACTOR_VERSION = extractor_version()
