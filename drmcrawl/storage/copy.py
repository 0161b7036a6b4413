"""`drmcrawl db copy`: an archive moved to another database, every row of every table
with its own id (articles, versions, terms and links, the fetch index, runs, failures).

The fetch index keeps naming WARC files by file name inside the WARC folder, so the files
stay where they are; the copied rows point at them as the original did. The source is
read in one snapshot, the target written in one transaction: a failed copy leaves the
target as it was."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from drmcrawl.storage.models import Base
from drmcrawl.storage.repository import Archive, StorageError

CHUNK = 2_000  # rows per executemany: large enough to amortise round trips, small in memory


def copy_archive(source: Archive, target: Archive, chunk: int = CHUNK) -> dict[str, int]:
    """Copy every table of `source` into the empty `target`; returns rows per table."""
    tables = Base.metadata.sorted_tables  # parents before children (foreign keys)
    copied: dict[str, int] = {}
    try:
        with source.engine.connect() as reader, reader.begin(), target.engine.begin() as writer:
            for table in tables:
                if writer.execute(select(func.count()).select_from(table)).scalar():
                    raise StorageError(f"{target.location} is not empty ({table.name} has rows): "
                                       "copy into a new database")
            source.dialect.begin_read(reader)
            for table in tables:
                copied[table.name] = 0
                query = select(table).order_by(*table.primary_key.columns)
                result = reader.execution_options(yield_per=chunk).execute(query)
                for part in result.partitions():
                    writer.execute(table.insert(), [dict(row._mapping) for row in part])
                    copied[table.name] += len(part)
            target.dialect.after_copy(writer)
            target.dialect.rebuild_search(writer)
    except SQLAlchemyError as exc:
        raise StorageError(f"copy failed: {getattr(exc, 'orig', None) or exc}") from exc
    return copied
