"""A real PostgreSQL for the tests: one database per test session (dropped at its end),
one schema per test inside it (dropped after the test).

The server is `$DRMCRAWL_TEST_POSTGRES` (default postgresql+psycopg://postgres@127.0.0.1:5432/test:
the database the session connects to in order to create its own). Under CI=true a missing
server fails the tests; elsewhere they are skipped with how to run them."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

ENV = "DRMCRAWL_TEST_POSTGRES"
DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HOW = (f"PostgreSQL tests need a server: start one (127.0.0.1:5432, trust auth) or set {ENV}="
       "postgresql+psycopg://USER@HOST:PORT/DB")


def server_url() -> URL:
    return make_url(os.environ.get(ENV) or DEFAULT)


def unavailable(reason: str):
    """Fail under CI, skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; {HOW}", pytrace=False)
    pytest.skip(f"{reason}; {HOW}")


def create_session_database() -> URL:
    url = server_url()
    name = f"drmcrawl_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any reason the server cannot be used
        unavailable(f"no PostgreSQL at {url.render_as_string(hide_password=True)} ({type(exc).__name__}: "
                    f"{str(exc).splitlines()[0] if str(exc) else ''})")
    return url.set(database=name)


def drop_database(url: URL) -> None:
    engine = create_engine(server_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    engine.dispose()


def new_schema(database: URL) -> tuple[str, str]:
    """(name, URL whose connections use only that schema)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(database, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {name}"))
    engine.dispose()
    url = database.update_query_dict({"options": f"-csearch_path={name}"})
    return name, url.render_as_string(hide_password=False)


def drop_schema(database: URL, name: str) -> None:
    engine = create_engine(database, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        # Connections a test left open lose their locks with the database at session end.
        connection.execute(text("SET lock_timeout = '5s'"))
        try:
            connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
        except Exception:  # noqa: BLE001 - dropped with the session's database instead
            pass
    engine.dispose()
