"""What differs between the databases the archive runs on, behind one interface.

`for_engine(engine)` gives the `Dialect` of an engine: `sqlite.SQLite` (pragmas, FTS5,
cursor-level inserts) or `postgresql.PostgreSQL` (tsvector search, REPEATABLE READ
snapshots, sequences). The repository and the query layer call only these operations,
so neither tests which database it is talking to."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.engine import Connection, Engine


class Dialect(Protocol):
    name: str
    batched_inserts: bool  # bulk loads in multi-row statements (worth it where statements are round trips)

    def configure(self, engine: Engine) -> None:
        """Connection settings, once per engine."""

    def ensure_extras(self, connection: Connection) -> None:
        """On every open, after the tables are at the current revision: the human views and
        the full-text index exist, are current, and hold every committed article."""

    def announce_new_article(self, connection: Connection, tags: str, authors: str) -> int | None:
        """Before a new article's insert (SQLite defers its indexing); None where unused."""

    def index_new_article(self, connection: Connection, announced: int | None, article_id: int) -> None:
        """After the new article and its links."""

    def index_pending(self, connection: Connection) -> None:
        """Index the articles written in this transaction; run just before it commits."""

    def rebuild_search(self, connection: Connection) -> None:
        """Rebuild the whole full-text index from the tables."""

    def insert_term(self, connection: Connection, table, values: dict, lookup) -> int:
        """A new author, tag or category row (`lookup`: the SELECT of its id by `values`)."""

    def transaction_lost(self, session) -> bool:
        """After an error: did the database roll the whole transaction back on its own?"""

    def begin_read(self, connection: Connection) -> None:
        """Start a transaction whose reads all see one snapshot (a bundle, a search)."""

    def match_subquery(self, match: str, limit: int | None = None):
        """Subquery (rowid, score) of the articles matching `match`, lower score = better."""

    def snippets(self, connection: Connection, match: str, rowids: list[int]) -> dict[int, str]:
        """rowid -> text around the matches, the matches in [ ]."""

    def bad_query(self, exc: Exception) -> bool:
        """Whether a database error is a malformed raw search query."""

    def joined_terms(self, link: str, term: str, fk: str, column_name: str, separator: str):
        """SQL: an article's term names (or slugs) in page order, joined; NULL when none."""

    def iso_time(self, name: str):
        """SQL: `<name>_utc` + `<name>_offset` as the text the records give (isoformat)."""

    def utc_time_text(self, name: str):
        """SQL: the naive UTC time column `name` as 2024-01-01T00:00:00+00:00 (to the second)."""

    def json_text(self, column):
        """SQL: a JSON column as its stored text."""

    def lock_schema(self, connection: Connection) -> None:
        """Serialise schema creation and upgrades between processes (held to commit)."""

    def after_copy(self, connection: Connection) -> None:
        """After rows were copied in with their own ids (`drmcrawl db copy`)."""


def for_engine(engine: Engine | Connection) -> Dialect:
    name = engine.dialect.name
    if name == "sqlite":
        from drmcrawl.storage.dialects.sqlite import SQLite

        return SQLite()
    if name == "postgresql":
        from drmcrawl.storage.dialects.postgresql import PostgreSQL

        return PostgreSQL()
    raise ValueError(f"unsupported database {name!r}: drmcrawl runs on SQLite and PostgreSQL")
