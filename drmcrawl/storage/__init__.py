"""The archive: SQLAlchemy models and a repository API. No Scrapy or CLI imports."""

from drmcrawl.storage.repository import Archive, StorageError, resolve_db_url

__all__ = ["Archive", "StorageError", "resolve_db_url"]
