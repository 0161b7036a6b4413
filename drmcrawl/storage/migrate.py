"""Bring an archive made by an older drmcrawl up to the current tables.

New tables come from `create_all`; new columns of existing tables are added here. Every
column added since schema 1 is nullable, so `ALTER TABLE ... ADD COLUMN` (portable SQL)
is all an upgrade needs: old rows keep their data, new fields start empty."""

from __future__ import annotations

import logging

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from drmcrawl.storage.models import Base

logger = logging.getLogger(__name__)


def add_missing_columns(engine: Engine) -> list[str]:
    inspector = inspect(engine)
    existing_tables = set(inspector.get_table_names())
    added = []
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                connection.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
                added.append(f"{table.name}.{column.name}")
    if added:
        logger.info("Upgraded the archive: added columns %s", ", ".join(added))
    return added
