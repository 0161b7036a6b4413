"""Database specifics (today SQLite: pragmas, FTS5, views, fast executemany)."""
