"""Datasette metadata for the archive (titles, descriptions, column docs, labelled foreign
keys, facets, the search index). Datasette itself is the optional `datasette` extra.

The metadata names the database `drmcrawl`, which is what Datasette calls
data/drmcrawl.sqlite (the file's stem); `metadata_for` renames it for other files."""

from __future__ import annotations

import json
from pathlib import Path

METADATA_PATH = Path(__file__).with_name("metadata.json")
DEFAULT_NAME = "drmcrawl"


def metadata_for(database: str | Path) -> dict:
    """The shipped metadata with its database entry named as Datasette names `database`."""
    metadata = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    name = Path(database).stem
    databases = metadata["databases"]
    databases[name] = databases.pop(DEFAULT_NAME)
    return metadata
