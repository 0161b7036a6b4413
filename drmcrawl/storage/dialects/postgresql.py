"""Everything PostgreSQL-specific: full-text search with its own text search, snapshots
for exports, sequences after a copy.

Search: `article_search` holds one `tsvector` per article (GIN index), built with the
text search configuration of the article's language (`drmcrawl_regconfig`: en -> english,
de -> german..., anything else -> simple, which only lower-cases: Urdu works as words).
Title weighs A, tags B, authors C, body D; ranking is `ts_rank_cd` with the weights of the
SQLite index (title 5, tags and authors 3, body 1). Triggers mark an article `pending`
when its title, body, language or any of its author/tag links change (or a linked tag or
author is renamed); `index_pending` recomputes the pending documents in one statement
just before the writing transaction commits, as the SQLite index does. Why not triggers
that index at once: a new article's links arrive one row at a time after it, so each
article would be indexed once per link."""

from __future__ import annotations

import hashlib

from sqlalchemy import Text, bindparam, case, cast, column, event, func, literal, literal_column, select, table
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.engine import Connection, Engine

from drmcrawl.storage.dialects import views

# Language subtag -> text search configuration (those PostgreSQL 12+ ships).
LANGUAGE_CONFIGS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi",
    "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian",
    "nb": "norwegian", "ne": "nepali", "nl": "dutch", "nn": "norwegian", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish",
    "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
FALLBACK_CONFIG = "simple"
# ts_rank_cd weights in the order {D, C, B, A}: body 1, authors 3, tags 3, title 5 (bm25's
# column weights of the SQLite index), scaled into 0..1 as PostgreSQL expects.
RANK_WEIGHTS = "{0.2, 0.6, 0.6, 1.0}"
# 1: divide the rank by 1 + log(document length), so a long article does not win by
# length alone (bm25 normalises by length too). The two rankers differ (no IDF here); of
# the weights and normalisations tried, this gave the SQLite index's top hit on the fixture
# archive for the README's queries and most others (tests/storage/test_search_backends.py).
RANK_NORMALIZATION = 1
HEADLINE_OPTIONS = "StartSel=[, StopSel=], MaxWords=16, MinWords=8, MaxFragments=1, FragmentDelimiter=\" … \""


def _names_of(link: str, term: str, fk: str, article_id: str) -> str:
    return (f"coalesce((SELECT string_agg(x.name, ' ' ORDER BY l.position) FROM {link} l "
            f"JOIN {term} x ON x.id = l.{fk} WHERE l.article_id = {article_id}), '')")


def _regconfig_function() -> str:
    cases = " ".join(f"WHEN '{code}' THEN '{config}'" for code, config in sorted(LANGUAGE_CONFIGS.items()))
    return ("CREATE FUNCTION drmcrawl_regconfig(language text) RETURNS regconfig LANGUAGE sql IMMUTABLE AS "
            f"$$ SELECT (CASE lower(split_part(coalesce(language, ''), '-', 1)) {cases} "
            f"ELSE '{FALLBACK_CONFIG}' END)::regconfig $$")


_DOCUMENT = ("setweight(to_tsvector(d.config, coalesce(d.title, '')), 'A') || "
             "setweight(to_tsvector(d.config, d.tags), 'B') || "
             "setweight(to_tsvector(d.config, d.authors), 'C') || "
             "setweight(to_tsvector(d.config, coalesce(d.body, '')), 'D')")

_INDEX_PENDING = (
    f"UPDATE article_search s SET config = d.config, document = {_DOCUMENT}, pending = false FROM ("
    "SELECT a.id, drmcrawl_regconfig(a.language) AS config, a.title, a.body, "
    f"{_names_of('article_tags', 'tags', 'tag_id', 'a.id')} AS tags, "
    f"{_names_of('article_authors', 'authors', 'author_id', 'a.id')} AS authors "
    "FROM articles a WHERE a.id IN (SELECT article_id FROM article_search WHERE pending)) d "
    "WHERE s.article_id = d.id")


def _search_objects() -> dict[str, str]:
    """name -> CREATE statement, in creation order (their digest is the version check)."""
    objects = {
        "article_search": (
            "CREATE TABLE article_search (article_id integer PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE, "
            f"config regconfig NOT NULL DEFAULT '{FALLBACK_CONFIG}', document tsvector, "
            "pending boolean NOT NULL DEFAULT true)"),
        "article_search_document": "CREATE INDEX article_search_document ON article_search USING gin (document)",
        "article_search_pending": "CREATE INDEX article_search_pending ON article_search (article_id) WHERE pending",
        "drmcrawl_regconfig": _regconfig_function(),
        "drmcrawl_search_article": (
            "CREATE FUNCTION drmcrawl_search_article() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO article_search (article_id) VALUES (NEW.id) ON CONFLICT (article_id) "
            "DO UPDATE SET pending = true WHERE NOT article_search.pending; RETURN NULL; END $$"),
        "articles_search": (
            "CREATE TRIGGER articles_search AFTER INSERT OR UPDATE OF title, body, language ON articles "
            "FOR EACH ROW EXECUTE FUNCTION drmcrawl_search_article()"),
        "drmcrawl_search_link": (
            "CREATE FUNCTION drmcrawl_search_link() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP <> 'INSERT' THEN "
            "UPDATE article_search SET pending = true WHERE article_id = OLD.article_id AND NOT pending; END IF; "
            "IF TG_OP <> 'DELETE' THEN "
            "UPDATE article_search SET pending = true WHERE article_id = NEW.article_id AND NOT pending; END IF; "
            "RETURN NULL; END $$"),
        # A renamed tag or author changes the text of every article that carries it.
        "drmcrawl_search_term": (
            "CREATE FUNCTION drmcrawl_search_term() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_TABLE_NAME = 'tags' THEN UPDATE article_search SET pending = true WHERE NOT pending "
            "AND article_id IN (SELECT article_id FROM article_tags WHERE tag_id = NEW.id); "
            "ELSE UPDATE article_search SET pending = true WHERE NOT pending "
            "AND article_id IN (SELECT article_id FROM article_authors WHERE author_id = NEW.id); END IF; "
            "RETURN NULL; END $$"),
    }
    for link, term in (("article_tags", "tags"), ("article_authors", "authors")):
        objects[f"{link}_search"] = (
            f"CREATE TRIGGER {link}_search AFTER INSERT OR UPDATE OR DELETE ON {link} "
            "FOR EACH ROW EXECUTE FUNCTION drmcrawl_search_link()")
        objects[f"{term}_search"] = (
            f"CREATE TRIGGER {term}_search AFTER UPDATE OF name ON {term} FOR EACH ROW "
            f"WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION drmcrawl_search_term()")
    return objects


SEARCH_OBJECTS = _search_objects()
VIEWS = views.view_statements("postgresql")
# Stored as the comment of `article_search`: opening a current archive changes nothing
# (DDL on every open would take locks readers and a running crawl wait for).
VERSION = "drmcrawl search " + hashlib.sha256(
    "\n".join([*SEARCH_OBJECTS.values(), *VIEWS.values()]).encode()).hexdigest()[:16]


def ensure_extras(connection: Connection) -> bool:
    """Views and search objects, created or replaced when their definition changed, and
    every article indexed. Returns True when they were (re)built."""
    stored = connection.exec_driver_sql(
        "SELECT obj_description(to_regclass('article_search'), 'pg_class')").scalar()
    if stored == VERSION:
        if connection.exec_driver_sql("SELECT 1 FROM article_search WHERE pending LIMIT 1").first():
            index_pending(connection)
        return False
    _drop_extras(connection)
    for sql in [*SEARCH_OBJECTS.values(), *VIEWS.values()]:
        connection.exec_driver_sql(sql)
    connection.exec_driver_sql(f"COMMENT ON TABLE article_search IS '{VERSION}'")
    rebuild_search(connection)
    return True


def _drop_extras(connection: Connection) -> None:
    for name in VIEWS:
        connection.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
    for table_name in ("articles", "article_tags", "article_authors", "tags", "authors"):
        for trigger in ("articles_search", f"{table_name}_search"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger} ON {table_name}")
    connection.exec_driver_sql("DROP TABLE IF EXISTS article_search")
    for function in ("drmcrawl_search_article()", "drmcrawl_search_link()", "drmcrawl_search_term()",
                     "drmcrawl_regconfig(text)"):
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}")


def index_pending(connection: Connection) -> None:
    connection.exec_driver_sql(_INDEX_PENDING)


def rebuild_search(connection: Connection) -> None:
    connection.exec_driver_sql(
        "INSERT INTO article_search (article_id) SELECT id FROM articles ON CONFLICT (article_id) DO NOTHING")
    connection.exec_driver_sql("UPDATE article_search SET pending = true")
    index_pending(connection)


def _query(config, match: str):
    return func.websearch_to_tsquery(config, bindparam("fts_query", match))


def _any_config_query(match: str):
    """The query parsed by every configuration in use, OR-ed: what the GIN index can find
    whatever language an article is in (each article is then checked with its own)."""
    configs = sorted({*LANGUAGE_CONFIGS.values(), FALLBACK_CONFIG})
    combined = None
    for config in configs:
        part = _query(literal(config, REGCONFIG), match)
        combined = part if combined is None else combined.op("||")(part)
    return combined


def match_subquery(match: str, limit: int | None = None):
    search = table("article_search", column("article_id"), column("config"), column("document"))
    own = _query(search.c.config, match)
    rank = func.ts_rank_cd(literal_column(f"'{RANK_WEIGHTS}'::float4[]"), search.c.document, own,
                           RANK_NORMALIZATION)
    score = (-rank).label("score")
    query = (select(search.c.article_id.label("rowid"), score)
             .where(search.c.document.op("@@")(_any_config_query(match)), search.c.document.op("@@")(own)))
    if limit is not None:
        query = query.order_by(score, search.c.article_id).limit(limit)
    return query.subquery("fts")


def snippets(connection: Connection, match: str, rowids: list[int]) -> dict[int, str]:
    if not rowids:
        return {}
    search = table("article_search", column("article_id"), column("config"))
    articles = table("articles", column("id"), column("title"), column("body"))
    own = _query(search.c.config, match)
    # From the body where the words are, else from title, tags and authors (as FTS5's
    # snippet takes the column that matches best).
    others = literal_column(
        f"concat_ws(' ', articles.title, {_names_of('article_tags', 'tags', 'tag_id', 'articles.id')}, "
        f"{_names_of('article_authors', 'authors', 'author_id', 'articles.id')})", Text)
    body = func.coalesce(articles.c.body, "")
    text = case((func.to_tsvector(search.c.config, body).op("@@")(own), body), else_=others)
    headline = func.ts_headline(search.c.config, text, own, HEADLINE_OPTIONS)
    query = (select(articles.c.id, headline).join(search, search.c.article_id == articles.c.id)
             .where(articles.c.id.in_(rowids)))
    return dict(connection.execute(query).all())


def begin_read(connection: Connection) -> None:
    """REPEATABLE READ: every statement of the transaction sees the snapshot of its first
    one (PostgreSQL's default, READ COMMITTED, gives each statement a new snapshot). Only
    possible before the transaction's first query; inside a crawl's own transaction its
    reads are consistent anyway."""
    info = getattr(connection.connection.dbapi_connection, "info", None)  # psycopg 3
    status = getattr(info, "transaction_status", None)
    if status is None or int(status) == 0:  # libpq's PQTRANS_IDLE: no statement sent yet
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def joined_terms(link: str, term: str, fk: str, column_name: str, separator: str):
    sep = "'" + separator.replace("'", "''") + "'"
    return literal_column(
        f"(SELECT string_agg(coalesce(x.{column_name}, ''), {sep} ORDER BY l.position) FROM {link} l "
        f"JOIN {term} x ON x.id = l.{fk} WHERE l.article_id = articles.id)", Text)


def iso_time(name: str):
    """As Python's isoformat: microseconds only when not zero, +HH:MM, naive without offset."""
    utc, offset = f"articles.{name}_utc", f"articles.{name}_offset"
    fraction = (f"(CASE WHEN extract(microseconds FROM {utc})::bigint % 1000000 = 0 THEN '' "
                f"ELSE '.' || to_char({utc}, 'US') END)")
    clock = "'YYYY-MM-DD\"T\"HH24:MI:SS'"
    return literal_column(
        f"(CASE WHEN {utc} IS NULL THEN NULL "
        f"WHEN {offset} IS NULL THEN to_char({utc}, {clock}) || {fraction} "
        f"ELSE to_char({utc} + make_interval(mins => {offset}), {clock}) || {fraction} "
        f"|| (CASE WHEN {offset} < 0 THEN '-' ELSE '+' END) || lpad((abs({offset}) / 60)::text, 2, '0') "
        f"|| ':' || lpad((abs({offset}) % 60)::text, 2, '0') END)", Text)


class PostgreSQL:
    """The PostgreSQL implementation of `dialects.Dialect`."""

    name = "postgresql"
    # add_articles in multi-row statements: every statement is a round trip to the server.
    batched_inserts = True

    def configure(self, engine: Engine) -> None:
        """JIT off for the archive's connections: its statements are short, and on a new
        archive (no statistics yet) the planner's guesses made PostgreSQL JIT-compile the
        one-article index update for 1.8 s. (MVCC needs nothing else: readers and the
        crawl's writer never block each other.)"""

        @event.listens_for(engine, "connect")
        def _no_jit(dbapi_connection, _record) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET jit = off")
            dbapi_connection.commit()

    def ensure_extras(self, connection: Connection) -> None:
        ensure_extras(connection)

    def announce_new_article(self, connection, tags: str, authors: str) -> None:
        return None  # the insert trigger marks the article pending

    def index_new_article(self, connection, announced, article_id: int) -> None:
        pass

    def index_pending(self, connection) -> None:
        index_pending(connection)

    def rebuild_search(self, connection) -> None:
        rebuild_search(connection)

    def insert_term(self, connection, table, values: dict, lookup) -> int:
        # Committed at once, on a connection of its own: terms are shared by the crawl
        # workers writing together (crawl --frontier), and a term held by one worker's open
        # transaction made another wait on it, then fail on the unique key or deadlock.
        # A term whose article is rolled back stays, unused, as any unused term may.
        from sqlalchemy.dialects.postgresql import insert

        with connection.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as own:
            own.execute(insert(table).values(values).on_conflict_do_nothing())
            return own.execute(lookup, values).scalar_one()

    def transaction_lost(self, session) -> bool:
        """PostgreSQL keeps the transaction after a failed statement (its savepoint is rolled
        back); only a connection that is gone loses it."""
        try:
            return bool(session.connection().connection.dbapi_connection.closed)
        except Exception:
            return True

    def begin_read(self, connection) -> None:
        begin_read(connection)

    def match_subquery(self, match: str, limit: int | None = None):
        return match_subquery(match, limit)

    def snippets(self, connection, match: str, rowids: list[int]) -> dict[int, str]:
        return snippets(connection, match, rowids)

    def bad_query(self, exc) -> bool:
        return False  # websearch_to_tsquery accepts any text

    def joined_terms(self, link: str, term: str, fk: str, column_name: str, separator: str):
        return joined_terms(link, term, fk, column_name, separator)

    def iso_time(self, name: str):
        return iso_time(name)

    def utc_time_text(self, name: str):
        return literal_column(
            f"(CASE WHEN {name} IS NULL THEN NULL ELSE to_char({name}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || '+00:00' END)",
            Text)

    def json_text(self, column):
        return cast(column, Text)  # json::text is the stored text; psycopg would parse it

    def lock_schema(self, connection) -> None:
        """Two processes opening a new database at once: one creates the tables, the other
        waits (a lock held until the transaction ends)."""
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('drmcrawl schema'))")

    def after_copy(self, connection) -> None:
        """Rows copied with their ids leave the sequences behind: move each past max(id)."""
        tables = connection.exec_driver_sql(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND column_name = 'id' AND starts_with(column_default, 'nextval')").scalars().all()
        for name in tables:
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), coalesce(max(id), 0) + 1, false) FROM {name}")
