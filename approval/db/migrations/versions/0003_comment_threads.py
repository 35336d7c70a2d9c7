"""Comments in place (section, replies, resolved, origin) and e-mail addresses of users.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the comment thread columns and ``users.email``."""
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("section", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("section_title", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolved_by", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("origin", sa.String(length=16), nullable=False, server_default="portal")
        )
        batch.create_foreign_key("fk_comments_parent", "comments", ["parent_id"], ["id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(length=255), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
    with op.batch_alter_table("comments") as batch:
        batch.drop_constraint("fk_comments_parent", type_="foreignkey")
        for name in ("origin", "resolved_by", "resolved_at", "parent_id", "section_title",
                     "section"):  # fmt: skip
            batch.drop_column(name)
