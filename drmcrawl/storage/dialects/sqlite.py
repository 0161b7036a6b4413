"""Everything SQLite-specific, in one place so another database can be added:
connection pragmas (WAL so analysts can read during a crawl) and the full-text index
`articles_fts` (FTS5) with the triggers that keep it in sync."""

from __future__ import annotations

from sqlalchemy import Text, bindparam, column, event, func, literal_column, select, table, type_coerce
from sqlalchemy.engine import Connection, Engine

from drmcrawl.storage.dialects import fastsql, views

BUSY_TIMEOUT_MS = 30_000


def configure(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        # WAL: readers never block the crawl's writer and see only committed articles.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()
        # The sqlite3 module's own transaction handling breaks SAVEPOINT (a crawl's writes
        # are savepoints in one long transaction): SQLAlchemy emits BEGIN itself instead.
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN")


def transaction_lost(session) -> bool:
    """After an error: did SQLite roll back the session's whole transaction on its own?
    (It does for SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM.)"""
    if session.bind.dialect.name != "sqlite":
        return False
    try:
        return not session.connection().connection.driver_connection.in_transaction
    except Exception:  # the connection itself is gone: nothing of the transaction is left
        return True


# -- full-text search ----------------------------------------------------------------
# `articles_fts` is an FTS5 external-content table (Datasette finds it by name). Its content
# is the view `article_search_source`: title and body straight from `articles` (never
# copied) plus tags and authors as space-joined text from `article_search_terms`, a small
# denormalised table that triggers on the link tables keep current. Every trigger hands FTS5
# the exact old values it indexed before, which external-content tables require.
# unicode61 splits on Unicode letters/digits, so Urdu (Arabic script) tokenises like
# English; remove_diacritics 2 makes "cafe" match "café" and ignores Urdu harakat.
FTS_TABLE = "articles_fts"
FTS_COLUMNS = ("title", "body", "tags", "authors")
TOKENIZER = "unicode61 remove_diacritics 2"


def _names_of(link: str, term: str, fk: str, article_id: str) -> str:
    """Space-joined names linked to one article, in page order."""
    return (f"coalesce((SELECT group_concat(name, ' ') FROM (SELECT x.name AS name FROM {link} l "
            f"JOIN {term} x ON x.id = l.{fk} WHERE l.article_id = {article_id} ORDER BY l.position)), '')")


def _refresh_terms(column: str, article_id: str) -> str:
    link, term, fk = _TERM_SOURCES[column]
    return (f"UPDATE article_search_terms SET {column} = {_names_of(link, term, fk, article_id)} "
            f"WHERE article_id = {article_id};")


_TERM_SOURCES = {
    "tags": ("article_tags", "tags", "tag_id"),
    "authors": ("article_authors", "authors", "author_id"),
}
_FTS_DELETE = "INSERT INTO articles_fts(articles_fts, rowid, title, body, tags, authors) SELECT 'delete', "
_FTS_INSERT = "INSERT INTO articles_fts(rowid, title, body, tags, authors) SELECT "
# A new article is not indexed when it is inserted: its row in article_search_terms says
# `pending = 1` until `index_pending` indexes every pending article at once, just before
# the transaction commits (readers see it indexed with the commit that shows it). Why:
# FTS5 writes out its pending terms at every SAVEPOINT, and each of a crawl's writes is
# one, so indexing articles one by one cost 0.25 ms an article, 40% of storing it (scratch
# A/B of 1,000 mirror articles, commits every 250: 0.86 against 0.61 ms). While pending,
# the triggers leave the index alone (no text of it is indexed yet, and an external-content
# index must only be told to delete what it holds); its link rows (inserted one at a
# time) only update its tags/authors text.
_NOT_PENDING = (" WHEN (SELECT pending FROM article_search_terms WHERE article_id = NEW.article_id) "
                "IS NOT 1")
_INDEXED = "(SELECT pending FROM article_search_terms WHERE article_id = {}) IS NOT 1"


def _search_objects() -> dict[str, str]:
    """name -> CREATE statement, in creation order (the text is also the version check)."""
    objects = {
        "article_search_terms": (
            "CREATE TABLE article_search_terms (article_id INTEGER PRIMARY KEY, "
            "tags TEXT NOT NULL DEFAULT '', authors TEXT NOT NULL DEFAULT '', "
            "pending INTEGER NOT NULL DEFAULT 0)"),
        "article_search_pending": (
            "CREATE INDEX article_search_pending ON article_search_terms(article_id) WHERE pending = 1"),
        "article_search_source": (
            "CREATE VIEW article_search_source AS SELECT a.id AS id, a.title AS title, a.body AS body, "
            "t.tags AS tags, t.authors AS authors FROM articles a JOIN article_search_terms t ON t.article_id = a.id"),
        FTS_TABLE: (
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({', '.join(FTS_COLUMNS)}, "
            f"content='article_search_source', content_rowid='id', tokenize='{TOKENIZER}')"),
        "articles_fts_insert": (
            "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
            "INSERT OR IGNORE INTO article_search_terms(article_id) VALUES (NEW.id); "
            + _FTS_INSERT + "NEW.id, NEW.title, NEW.body, t.tags, t.authors "
            "FROM article_search_terms t WHERE t.article_id = NEW.id AND t.pending IS NOT 1; END"),
        "articles_fts_update": (
            "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles "
            f"WHEN {_INDEXED.format('OLD.id')} BEGIN "
            + _FTS_DELETE + "OLD.id, OLD.title, OLD.body, t.tags, t.authors "
            "FROM article_search_terms t WHERE t.article_id = OLD.id; "
            + _FTS_INSERT + "NEW.id, NEW.title, NEW.body, t.tags, t.authors "
            "FROM article_search_terms t WHERE t.article_id = NEW.id; END"),
        # BEFORE: the row and its links are still there, so the indexed values are known.
        "articles_fts_delete": (
            "CREATE TRIGGER articles_fts_delete BEFORE DELETE ON articles BEGIN "
            + _FTS_DELETE + "OLD.id, OLD.title, OLD.body, t.tags, t.authors "
            "FROM article_search_terms t WHERE t.article_id = OLD.id AND t.pending IS NOT 1; "
            "DELETE FROM article_search_terms WHERE article_id = OLD.id; END"),
        "article_search_terms_update": (
            "CREATE TRIGGER article_search_terms_update AFTER UPDATE ON article_search_terms "
            "WHEN OLD.pending IS NOT 1 AND (OLD.tags IS NOT NEW.tags OR OLD.authors IS NOT NEW.authors) BEGIN "
            + _FTS_DELETE + "a.id, a.title, a.body, OLD.tags, OLD.authors FROM articles a WHERE a.id = OLD.article_id; "
            + _FTS_INSERT + "a.id, a.title, a.body, NEW.tags, NEW.authors FROM articles a "
            "WHERE a.id = NEW.article_id; END"),
    }
    for field, (link, term, fk) in _TERM_SOURCES.items():
        for event_name, refs in (("insert", ("NEW",)), ("delete", ("OLD",)), ("update", ("OLD", "NEW"))):
            name = f"{link}_fts_{event_name}"
            body = " ".join(_refresh_terms(field, f"{ref}.article_id") for ref in refs)
            when = _NOT_PENDING if event_name == "insert" else ""
            objects[name] = f"CREATE TRIGGER {name} AFTER {event_name.upper()} ON {link}{when} BEGIN {body} END"
        # A renamed tag/author changes the text of every article that carries it.
        name = f"{term}_fts_rename"
        objects[name] = (
            f"CREATE TRIGGER {name} AFTER UPDATE OF name ON {term} BEGIN "
            f"UPDATE article_search_terms SET {field} = {_names_of(link, term, fk, 'article_search_terms.article_id')} "
            f"WHERE article_id IN (SELECT article_id FROM {link} WHERE {fk} = NEW.id); END")
    return objects


SEARCH_OBJECTS = _search_objects()


def ensure_search(connection: Connection) -> bool:
    """Create (or replace an outdated) full-text index and fill it. Cheap when current:
    one read of sqlite_master. Returns True when the index was (re)built."""
    stored = dict(connection.exec_driver_sql("SELECT name, sql FROM sqlite_master").all())
    if all(stored.get(name) == sql for name, sql in SEARCH_OBJECTS.items()):
        # Pending articles are indexed before every commit; any found committed unindexed
        # (a writer that bypassed the repository) are indexed now. A read first: opening
        # an archive for reading must not take the write lock a crawl holds.
        if connection.exec_driver_sql("SELECT 1 FROM article_search_terms WHERE pending = 1 LIMIT 1").first():
            index_pending(connection)
        return False
    _drop_search(connection)
    for sql in SEARCH_OBJECTS.values():
        connection.exec_driver_sql(sql)
    rebuild_search(connection)
    return True


def _drop_search(connection: Connection) -> None:
    kinds = dict(connection.exec_driver_sql("SELECT name, type FROM sqlite_master").all())
    for name in reversed(list(SEARCH_OBJECTS)):
        kind = kinds.get(name)
        if kind in ("trigger", "view", "table", "index"):
            connection.exec_driver_sql(f"DROP {kind.upper()} {name}")


def announce_new_article(connection: Connection, tags: str, authors: str) -> int | None:
    """Before a new article is inserted: its search row, pending (see `_NOT_PENDING`), so
    that neither the insert trigger nor its link rows index it. Returns the id the article
    will get (the next rowid: the crawl's transaction holds the write lock), which
    `index_new_article` is given afterwards. None when the archive is not SQLite."""
    if connection.dialect.name != "sqlite":
        return None
    return fastsql.execute(
        connection, "INSERT OR REPLACE INTO article_search_terms(article_id, tags, authors, pending) "
        "SELECT coalesce(max(id), 0) + 1, ?, ?, 1 FROM articles", (tags, authors)).lastrowid


def index_new_article(connection: Connection, announced: int | None, article_id: int) -> None:
    """After the article and its links. The announced text is the links' names as the
    triggers join them (terms are looked up by exact name); only a wrong announcement
    needs the text recomputed from the links: the article got a row of its own, indexed
    by the insert trigger, and the update trigger hands FTS5 the text it indexed."""
    if announced is None or announced == article_id:
        return
    # Not the next rowid after all: drop the stray row, fix the article's own.
    fastsql.execute(
        connection, "DELETE FROM article_search_terms WHERE article_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM articles WHERE id = ?)", (announced, announced))
    fastsql.execute(
        connection, f"UPDATE article_search_terms SET "
        f"tags = {_names_of('article_tags', 'tags', 'tag_id', '?')}, "
        f"authors = {_names_of('article_authors', 'authors', 'author_id', '?')} "
        "WHERE article_id = ?", (article_id, article_id, article_id))


def index_pending(connection: Connection) -> None:
    """Index every pending article with its current text, in one statement (FTS5 writes
    them out once). Run just before the transaction that stored them commits."""
    if connection.dialect.name != "sqlite":
        return
    fastsql.execute(connection, _FTS_INSERT + "a.id, a.title, a.body, t.tags, t.authors "
                    "FROM article_search_terms t JOIN articles a ON a.id = t.article_id WHERE t.pending = 1")
    fastsql.execute(connection, "UPDATE article_search_terms SET pending = 0 WHERE pending = 1")


def rebuild_search(connection: Connection) -> None:
    """Recompute the tags/authors text of every article and rebuild the index from
    scratch (after a bulk load with triggers off, or to repair a damaged index)."""
    connection.exec_driver_sql("DELETE FROM article_search_terms")
    connection.exec_driver_sql(
        "INSERT INTO article_search_terms(article_id, tags, authors) SELECT a.id, "
        f"{_names_of('article_tags', 'tags', 'tag_id', 'a.id')}, "
        f"{_names_of('article_authors', 'authors', 'author_id', 'a.id')} FROM articles a")
    connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


SNIPPET_TOKENS = 16
# bm25 weight per FTS column (title, body, tags, authors): a word in the headline or a
# tag says more about what an article is about than the same word once in the body.
BM25_WEIGHTS = (5.0, 1.0, 3.0, 3.0)


def match_subquery(match: str, limit: int | None = None):
    """rowid and bm25 score (lower = better) of the articles matching the FTS5 query
    `match` (a bound parameter). `limit`: only the best that many, ranked inside the index
    (without filters on article columns nothing else can reorder them): joining every
    match to `articles` before sorting took 3x longer for a word in 76,000 of 100,000."""
    fts = literal_column(FTS_TABLE)
    score = func.bm25(fts, *BM25_WEIGHTS).label("score")
    query = (select(column("rowid"), score)
             .select_from(table(FTS_TABLE))
             .where(fts.op("MATCH")(bindparam("fts_query", match))))
    if limit is not None:
        query = query.order_by(score, column("rowid")).limit(limit)
    return query.subquery("fts")


def snippets(connection: Connection, match: str, rowids: list[int]) -> dict[int, str]:
    """rowid -> a snippet with the matches wrapped in [ ], for these rows only."""
    if not rowids:
        return {}
    fts = literal_column(FTS_TABLE)
    query = (select(column("rowid"), func.snippet(fts, -1, "[", "]", "…", SNIPPET_TOKENS))
             .select_from(table(FTS_TABLE))
             .where(fts.op("MATCH")(bindparam("fts_query", match)), column("rowid").in_(rowids)))
    return dict(connection.execute(query).all())


def begin_read(connection: Connection) -> None:
    """Start the transaction now, so every following read sees one snapshot. (Python's
    sqlite3 opens transactions only before writes: plain SELECTs each see the latest
    commit, and a crawl could add rows between a count and the rows it counted.)"""
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


def check_search(connection: Connection) -> None:
    """FTS5's own consistency check of the index against its content (raises if damaged)."""
    connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")


# -- flat export rows ---------------------------------------------------------------------
# Pieces of the one-query CSV export (`query.iter_flat_rows`): SQL expressions that give,
# per `articles` row, the exact text the record path (repository.record_of) produces in
# Python, so no per-row Python assembly is needed.
def joined_terms(link: str, term: str, fk: str, column_name: str, separator: str):
    """One article's term names (or slugs) in page order joined with `separator`, NULL
    when it has none. SQLite before 3.44 has no ORDER BY inside group_concat; it keeps the
    order of an ordered subquery (the query flattener's rule 16 keeps the subquery for
    exactly this use), as the search index's `_names_of` relies on too."""
    sep = "'" + separator.replace("'", "''") + "'"
    return literal_column(
        f"(SELECT group_concat(v, {sep}) FROM (SELECT coalesce(x.{column_name}, '') AS v FROM {link} l "
        f"JOIN {term} x ON x.id = l.{fk} WHERE l.article_id = articles.id ORDER BY l.position))", Text)


def iso_time(name: str):
    """`<name>_utc` and `<name>_offset` as the text `join_time(...).isoformat()` gives:
    local time in the stored offset with +HH:MM, microseconds only when not zero, naive
    UTC when there is no offset. The clock arithmetic runs on whole seconds (the first 19
    characters of the stored time) and the stored fraction is appended as is: SQLite
    rounds fractions to milliseconds, which could move a .9995 s time by a second."""
    utc, offset = f"articles.{name}_utc", f"articles.{name}_offset"
    fraction = f"coalesce(nullif(substr({utc}, 20), '.000000'), '')"
    return literal_column(
        f"(CASE WHEN {utc} IS NULL THEN NULL "
        f"WHEN {offset} IS NULL THEN replace(substr({utc}, 1, 19), ' ', 'T') || {fraction} "
        f"ELSE strftime('%Y-%m-%dT%H:%M:%S', substr({utc}, 1, 19), {offset} || ' minutes') || {fraction} "
        f"|| printf('%s%02d:%02d', CASE WHEN {offset} < 0 THEN '-' ELSE '+' END, "
        f"abs({offset}) / 60, abs({offset}) % 60) END)", Text)


class SQLite:
    """The SQLite implementation of `dialects.Dialect`: the functions above. Looked up by
    name at each call, so a test can replace one of them."""

    name = "sqlite"
    # Not for SQLite: its per-row cursor inserts are faster (no round trips), and its search
    # index is announced article by article.
    batched_inserts = False

    def configure(self, engine: Engine) -> None:
        configure(engine)

    def ensure_extras(self, connection: Connection) -> None:
        """On every open (tables new or not): the human views and the search index exist
        and are current."""
        views.ensure_views(connection)
        ensure_search(connection)

    def announce_new_article(self, connection, tags: str, authors: str):
        return announce_new_article(connection, tags, authors)

    def index_new_article(self, connection, announced, article_id: int) -> None:
        index_new_article(connection, announced, article_id)

    def index_pending(self, connection) -> None:
        index_pending(connection)

    def rebuild_search(self, connection) -> None:
        rebuild_search(connection)

    def insert_term(self, connection, table, values: dict, lookup) -> int:
        return fastsql.insert(connection, table, values)  # one writer: in the crawl's own transaction

    def transaction_lost(self, session) -> bool:
        return transaction_lost(session)

    def begin_read(self, connection) -> None:
        begin_read(connection)

    def match_subquery(self, match: str, limit: int | None = None):
        return match_subquery(match, limit)

    def snippets(self, connection, match: str, rowids: list[int]) -> dict[int, str]:
        return snippets(connection, match, rowids)

    def bad_query(self, exc) -> bool:
        return "fts5" in str(getattr(exc, "orig", exc))

    def joined_terms(self, link: str, term: str, fk: str, column_name: str, separator: str):
        return joined_terms(link, term, fk, column_name, separator)

    def iso_time(self, name: str):
        return iso_time(name)

    def utc_time_text(self, name: str):
        return literal_column(
            f"(CASE WHEN {name} IS NULL THEN NULL ELSE replace(substr({name}, 1, 19), ' ', 'T') || '+00:00' END)",
            Text)

    def json_text(self, column):
        return type_coerce(column, Text)  # SQLite hands JSON columns over as their text

    def lock_schema(self, connection) -> None:
        """Nothing: SQLite's write lock serialises two processes creating the tables."""

    def after_copy(self, connection) -> None:
        """Rows copied in with their ids: SQLite's rowids follow max(id) by themselves."""
