"""The archive's tables at the current revision, through Alembic.

Migrations ship inside the package (`storage/migrations/versions/`) and run on every open
(`Archive`) or by `drmcrawl db upgrade`: a new database is created at the current
revision; an archive made before migrations existed (no `alembic_version`) gets the
columns added since its schema by hand, is stamped at the baseline (0001, the tables of
schema 2) and then upgraded like any other. Every column added since schema 1 is
nullable, so `ALTER TABLE ... ADD COLUMN` is all that legacy step needs."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import selectinload

from drmcrawl.storage.models import Article, ArticleVersion
from drmcrawl.storage.records import row_record
from drmcrawl.versions import content_digest

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, dialect) -> tuple[str | None, str]:
    """Bring the database to the current revision; returns (revision before, after).
    Cheap when current: one read of `alembic_version`."""
    with engine.connect() as connection:
        before = current(connection) if inspect(connection).has_table("alembic_version") else None
        connection.rollback()
    target = head()
    if before == target:
        with engine.begin() as connection:
            dialect.ensure_extras(connection)
        return before, target
    with engine.begin() as connection:
        dialect.lock_schema(connection)
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" not in tables and "articles" in tables:
            _legacy_to_baseline(connection, tables)
            command.stamp(alembic_config(connection), BASELINE)
            logger.info("Archive made before migrations: stamped at revision %s", BASELINE)
        command.upgrade(alembic_config(connection), "head")
        dialect.ensure_extras(connection)
    return before, target


def _legacy_to_baseline(connection: Connection, tables: set[str]) -> None:
    """An archive of schema 1 or 2: the baseline's missing tables and columns (the
    baseline's own frozen tables, so a later revision's columns are left to it)."""
    baseline = ScriptDirectory.from_config(alembic_config()).get_revision(BASELINE).module.tables()
    add_missing_columns(connection, baseline, tables)
    baseline.create_all(connection, tables=[t for t in baseline.sorted_tables if t.name not in tables])


def add_missing_columns(connection: Connection, metadata, existing_tables: set[str]) -> list[str]:
    inspector = inspect(connection)
    added = []
    for table in metadata.sorted_tables:
        if table.name not in existing_tables:
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            kind = column.type.compile(dialect=connection.dialect)
            connection.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
            added.append(f"{table.name}.{column.name}")
    if added:
        logger.info("Upgraded the archive: added columns %s", ", ".join(added))
    return added


def add_first_versions(archive) -> int:
    """Articles stored before schema 2 have no versions: their current content becomes
    version 1, and their content hash is recomputed the schema 2 way (normalised content)
    so the next crawl does not mistake the new hash for an edit."""

    done = 0
    with archive.session() as s:
        rows = s.scalars(select(Article).where(Article.version_count.is_(None)).options(
            selectinload(Article.author_links), selectinload(Article.tag_links), selectinload(Article.category_links)))
        for row in rows:
            record = row_record(row)
            row.content_hash = content_digest(record)
            row.version_count = 1
            row.last_checked = row.last_checked or row.last_seen
            s.add(ArticleVersion(article_id=row.id, version=1, content_hash=row.content_hash, record=record,
                                 first_seen=row.first_seen, last_seen=row.last_seen, run_id=row.last_run_id))
            done += 1
    if done:
        logger.info("Upgraded the archive: %d articles got their first version", done)
    return done
