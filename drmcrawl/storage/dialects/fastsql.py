"""The crawl's hot statements run on the DBAPI cursor, compiled once by SQLAlchemy for the
archive's dialect (same SQL, same type conversions, same error classes).

Why: per statement, SQLAlchemy Core's Python work (cache key, execution context, result
object, savepoint bookkeeping) cost more than SQLite's own work storing the row: 18% of
the crawl process in a 1,000-page crawl (py-spy). Only SQLite takes this path (it relies
on `cursor.lastrowid` and positional parameters); other databases run the same statements
through Core."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Table, bindparam
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

SAVEPOINT = "drmcrawl_write"


class _Compiled:
    """One statement's SQL, its parameter names in order and their bind processors."""

    def __init__(self, statement, dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.names = list(compiled.positiontup or ())
        binds = compiled.binds
        self.processors = [binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self.names]

    def parameters(self, values: dict) -> list:
        return [value if process is None else process(value)
                for value, process in zip((values[name] for name in self.names), self.processors, strict=True)]


_CACHE: dict[tuple, _Compiled] = {}


def _fast(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _compiled(conn: Connection, key: tuple, build) -> _Compiled:
    compiled = _CACHE.get(key)
    if compiled is None:
        compiled = _CACHE[key] = _Compiled(build(), conn.dialect)
    return compiled


def execute(conn: Connection, sql: str, parameters=(), many: bool = False):
    """Plain SQL on the DBAPI cursor (errors as Core's); returns the cursor."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
    except conn.dialect.loaded_dbapi.Error as exc:
        # What Core raises (sqlalchemy.exc.OperationalError...), so callers see one kind.
        raise DBAPIError.instance(sql, parameters, exc, conn.dialect.loaded_dbapi.Error) from exc
    return cursor


def _insert_compiled(conn: Connection, table: Table, names: tuple[str, ...]) -> _Compiled:
    def build():
        _check_defaults(table, names)
        return table.insert().values({name: bindparam(name) for name in names})
    return _compiled(conn, ("insert", table.name, names), build)


def insert(conn: Connection, table: Table, row: dict) -> int:
    """INSERT one row; returns its primary key."""
    if not _fast(conn):
        return conn.execute(table.insert(), row).inserted_primary_key[0]
    compiled = _insert_compiled(conn, table, tuple(row))
    return execute(conn, compiled.sql, compiled.parameters(row)).lastrowid


def insert_many(conn: Connection, table: Table, rows: list[dict]) -> None:
    """INSERT rows that all have the same keys."""
    if not _fast(conn):
        conn.execute(table.insert(), rows)
        return
    compiled = _insert_compiled(conn, table, tuple(rows[0]))
    execute(conn, compiled.sql, [compiled.parameters(row) for row in rows], many=True)


def rows(conn: Connection, name: str, statement: Executable, values: dict) -> list[tuple]:
    """The rows of a SELECT with bound parameters; `name` keys its compiled form."""
    if not _fast(conn):
        return [tuple(row) for row in conn.execute(statement, values)]
    compiled = _compiled(conn, ("select", name), lambda: statement)
    return execute(conn, compiled.sql, compiled.parameters(values)).fetchall()


def _check_defaults(table: Table, names: tuple[str, ...]) -> None:
    """Core fills a Python-side column default the row leaves out; this path cannot."""
    missing = [c.name for c in table.columns if c.default is not None and c.name not in names]
    if missing:
        raise ValueError(f"{table.name}: give {missing} explicitly (their defaults are Python-side)")


@contextmanager
def savepoint(conn: Connection) -> Iterator[None]:
    """A SAVEPOINT around one write in the crawl's held transaction. If SQLite rolled the
    whole transaction back itself (disk full), there is nothing left to undo."""
    if not _fast(conn):
        with conn.begin_nested():
            yield
        return
    execute(conn, f"SAVEPOINT {SAVEPOINT}")
    try:
        yield
    except BaseException:
        if conn.connection.dbapi_connection.in_transaction:
            execute(conn, f"ROLLBACK TO {SAVEPOINT}")
            execute(conn, f"RELEASE {SAVEPOINT}")
        raise
    execute(conn, f"RELEASE {SAVEPOINT}")
