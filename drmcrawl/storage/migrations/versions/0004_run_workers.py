"""crawl_run_workers: the workers of a run spread over several processes (issue 21).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 01:05:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An archive whose tables were made from the models of this build already has it.
    if sa.inspect(op.get_bind()).has_table("crawl_run_workers"):
        return
    op.create_table(
        "crawl_run_workers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("crawl_runs.id"), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("finish_reason", sa.String(length=64), nullable=True),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.UniqueConstraint("run_id", "worker"),
    )
    op.create_index("ix_crawl_run_workers_run_id", "crawl_run_workers", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_crawl_run_workers_run_id", table_name="crawl_run_workers")
    op.drop_table("crawl_run_workers")
