"""The raw archive: writing, reading and re-extracting WARC files (warcio)."""
