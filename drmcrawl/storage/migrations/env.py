"""Alembic's entry point for the archive's migrations. Run programmatically by
`drmcrawl.storage.schema.upgrade` (every open, `drmcrawl db upgrade`), which hands over
the connection; the `alembic` command line works too with `-x db=URL`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from drmcrawl.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    # render_as_batch: SQLite alters a table by copying it; Alembic's batch mode does that.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("db") or config.get_main_option("sqlalchemy.url")
    with create_engine(url).begin() as own:
        _run(own)
