"""articles.access: free | paywalled (issue 22), empty on older rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 23:50:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An archive made by a build between this column and migrations already has it.
    if "access" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("articles")}:
        return
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("access", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("access")
