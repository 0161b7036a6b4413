"""crawl_runs.health: the site health at the end of a run (issue 22), empty on older runs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 00:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An archive made by a build between this column and migrations already has it.
    if "health" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("crawl_runs")}:
        return
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("health", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("health")
