"""Baseline: the tables of schema 2, as drmcrawl made them before migrations.

Frozen here (not read from models.py, which moves on): `schema.upgrade` also uses
`tables()` to bring an archive made before migrations up to this revision.

Revision ID: 0001
Revises:
Create Date: 2026-12-07 23:16:06.645963
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def tables() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table('authors', metadata,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=128), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site', 'name')
    )
    sa.Table('categories', metadata,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=128), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('slug', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site', 'name', 'slug')
    )
    sa.Table('crawl_runs', metadata,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spider', sa.String(length=64), nullable=False),
    sa.Column('base_url', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('finish_reason', sa.String(length=64), nullable=True),
    sa.Column('settings', sa.JSON(), nullable=True),
    sa.Column('pages_fetched', sa.Integer(), nullable=False),
    sa.Column('articles_new', sa.Integer(), nullable=False),
    sa.Column('articles_updated', sa.Integer(), nullable=False),
    sa.Column('articles_unchanged', sa.Integer(), nullable=False),
    sa.Column('articles_failed', sa.Integer(), nullable=False),
    sa.Column('duplicates_dropped', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=True),
    sa.Column('full', sa.Boolean(), nullable=True),
    sa.Column('resumed_from', sa.Integer(), nullable=True),
    sa.Column('discovered', sa.Integer(), nullable=True),
    sa.Column('skipped', sa.Integer(), nullable=True),
    sa.Column('not_modified', sa.Integer(), nullable=True),
    sa.Column('articles_removed', sa.Integer(), nullable=True),
    sa.Column('robots_blocked', sa.Integer(), nullable=True),
    sa.Column('failed_by_reason', sa.JSON(), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('requested_by_reason', sa.JSON(), nullable=True),
    sa.Column('discovery', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    sa.Table('tags', metadata,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=128), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('slug', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site', 'name', 'slug')
    )
    sa.Table('articles', metadata,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=128), nullable=False),
    sa.Column('url_key', sa.Text(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('canonical_url', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('published_utc', sa.DateTime(), nullable=True),
    sa.Column('published_offset', sa.Integer(), nullable=True),
    sa.Column('modified_utc', sa.DateTime(), nullable=True),
    sa.Column('modified_offset', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('image_url', sa.Text(), nullable=True),
    sa.Column('image_caption', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('word_count', sa.Integer(), nullable=True),
    sa.Column('sources', sa.JSON(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('first_run_id', sa.Integer(), nullable=True),
    sa.Column('last_run_id', sa.Integer(), nullable=True),
    sa.Column('last_checked', sa.DateTime(), nullable=True),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('removed_status', sa.Integer(), nullable=True),
    sa.Column('extractor_version', sa.String(length=64), nullable=True),
    sa.Column('version_count', sa.Integer(), nullable=True),
    sa.Column('sitemap_lastmod', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['first_run_id'], ['crawl_runs.id'], ),
    sa.ForeignKeyConstraint(['last_run_id'], ['crawl_runs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site', 'post_id', name='uq_articles_site_post_id'),
    sa.UniqueConstraint('site', 'url_key', name='uq_articles_site_url_key')
    )
    sa.Index('ix_articles_published', metadata.tables['articles'].c.published_utc)

    sa.Table('failures', metadata,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    sa.Index('ix_failures_run_id', metadata.tables['failures'].c.run_id)

    sa.Table('fetches', metadata,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('site', sa.String(length=128), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('final_url', sa.Text(), nullable=False),
    sa.Column('page_key', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.Text(), nullable=True),
    sa.Column('content_length', sa.Integer(), nullable=True),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('fetched_at', sa.DateTime(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=True),
    sa.Column('record_type', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('refers_to', sa.Integer(), nullable=True),
    sa.Column('warc_file', sa.Text(), nullable=False),
    sa.Column('warc_offset', sa.Integer(), nullable=False),
    sa.Column('warc_length', sa.Integer(), nullable=False),
    sa.Column('warc_end', sa.Integer(), nullable=False),
    sa.Column('page_kind', sa.String(length=16), nullable=True),
    sa.Column('page_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    sa.Index('ix_fetches_digest', metadata.tables['fetches'].c.digest)
    sa.Index('ix_fetches_final_url', metadata.tables['fetches'].c.final_url)
    sa.Index('ix_fetches_page', metadata.tables['fetches'].c.site, metadata.tables['fetches'].c.page_key)
    sa.Index('ix_fetches_run_id', metadata.tables['fetches'].c.run_id)
    sa.Index('ix_fetches_url', metadata.tables['fetches'].c.url)

    sa.Table('article_authors', metadata,
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['authors.id'], ),
    sa.PrimaryKeyConstraint('article_id', 'author_id')
    )
    sa.Index('ix_article_authors_author_id', metadata.tables['article_authors'].c.author_id)

    sa.Table('article_categories', metadata,
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], ),
    sa.PrimaryKeyConstraint('article_id', 'category_id')
    )
    sa.Index('ix_article_categories_category_id', metadata.tables['article_categories'].c.category_id)

    sa.Table('article_tags', metadata,
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], ),
    sa.PrimaryKeyConstraint('article_id', 'tag_id')
    )
    sa.Index('ix_article_tags_tag_id', metadata.tables['article_tags'].c.tag_id)

    sa.Table('article_versions', metadata,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('record', sa.JSON(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('fetch_id', sa.Integer(), nullable=True),
    sa.Column('extractor_version', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fetch_id'], ['fetches.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('article_id', 'version', name='uq_article_versions')
    )
    sa.Index('ix_article_versions_article_id', metadata.tables['article_versions'].c.article_id)
    return metadata


def upgrade() -> None:
    tables().create_all(op.get_bind())


def downgrade() -> None:
    tables().drop_all(op.get_bind())
