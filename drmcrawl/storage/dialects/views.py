"""Views for humans browsing the archive in SQL or Datasette.

- `articles_latest`: one row per article as last stored (the `articles` row is updated in
  place on every re-crawl, so it is the latest version), with authors, tags and
  categories flattened to `; `-joined text in page order, like the CSV export.
- `article_terms`: one row per (article, author/tag/category), long format: the shape
  to count or facet by (`kind`, `name`).

Plain SQL; only "join these names in order" differs between databases, so it is chosen
per dialect below."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)

SEPARATOR = "; "
# column -> (link table, term table, link foreign key, term column)
_FLATTENED = {
    "authors": ("article_authors", "authors", "author_id", "name"),
    "tags": ("article_tags", "tags", "tag_id", "name"),
    "tag_slugs": ("article_tags", "tags", "tag_id", "slug"),
    "categories": ("article_categories", "categories", "category_id", "name"),
    "category_slugs": ("article_categories", "categories", "category_id", "slug"),
}
_ARTICLE_COLUMNS = (
    "id", "site", "post_id", "title", "published_utc", "published_offset", "modified_utc",
    "modified_offset", "language", "access", "word_count", "description", "url", "canonical_url",
    "image_url", "first_seen", "last_seen", "first_run_id", "last_run_id",
)


def _joined(dialect: str, link: str, term: str, fk: str, column: str) -> str:
    where = f"FROM {link} l JOIN {term} x ON x.id = l.{fk} WHERE l.article_id = a.id"
    if dialect == "sqlite":  # group_concat keeps the order of an ordered subquery
        return f"(SELECT group_concat(v, '{SEPARATOR}') FROM (SELECT x.{column} AS v {where} ORDER BY l.position))"
    if dialect == "postgresql":
        return f"(SELECT string_agg(x.{column}, '{SEPARATOR}' ORDER BY l.position) {where})"
    if dialect in ("mysql", "mariadb"):
        return f"(SELECT group_concat(x.{column} ORDER BY l.position SEPARATOR '{SEPARATOR}') {where})"
    raise NotImplementedError(dialect)


def view_statements(dialect: str) -> dict[str, str]:
    """view name -> CREATE VIEW statement for this SQL dialect."""
    flattened = [f"{_joined(dialect, *spec)} AS {name}" for name, spec in _FLATTENED.items()]
    columns = [f"a.{c} AS {c}" for c in _ARTICLE_COLUMNS]
    latest = (
        "CREATE VIEW articles_latest AS SELECT "
        + ", ".join(columns[:8] + flattened + columns[8:])
        + ", a.body AS body FROM articles a"
    )
    parts = []
    for kind, (link, term, fk) in (("author", ("article_authors", "authors", "author_id")),
                                   ("tag", ("article_tags", "tags", "tag_id")),
                                   ("category", ("article_categories", "categories", "category_id"))):
        slug = "NULL" if kind == "author" else "x.slug"
        parts.append(
            f"SELECT l.article_id AS article_id, a.title AS title, a.published_utc AS published_utc, "
            f"a.site AS site, '{kind}' AS kind, x.name AS name, {slug} AS slug, l.position AS position "
            f"FROM {link} l JOIN {term} x ON x.id = l.{fk} JOIN articles a ON a.id = l.article_id"
        )
    terms = "CREATE VIEW article_terms AS " + " UNION ALL ".join(parts)
    return {"articles_latest": latest, "article_terms": terms}


def ensure_views(connection: Connection) -> None:
    """Create the views, or replace them when their definition changed."""
    dialect = connection.dialect.name
    try:
        statements = view_statements(dialect)
    except NotImplementedError:
        log.warning("no human views for the %s dialect yet", dialect)
        return
    if dialect == "sqlite":
        stored = dict(connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'view'").all())
    else:
        stored = {}
    for name, sql in statements.items():
        if stored.get(name) == sql:
            continue
        connection.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
        connection.exec_driver_sql(sql)
