"""Bring an archive made by an older drmcrawl up to the current tables.

New tables come from `create_all`; new columns of existing tables are added here. Every
column added since schema 1 is nullable, so `ALTER TABLE ... ADD COLUMN` (portable SQL)
is all an upgrade needs: old rows keep their data, new fields start empty."""

from __future__ import annotations

import logging

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from drmcrawl.storage.models import Article, ArticleVersion, Base
from drmcrawl.storage.records import row_record
from drmcrawl.versions import content_digest

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
