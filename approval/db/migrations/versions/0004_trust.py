"""Trust: PDF checksum and revisions of versions, revocable sessions, case-insensitive
user names, login throttling.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _refuse_case_duplicates() -> None:
    rows = op.get_bind().execute(
        sa.text("SELECT lower(username) FROM users GROUP BY lower(username) HAVING count(*) > 1")
    ).fetchall()
    if rows:
        names = ", ".join(r[0] for r in rows)
        raise RuntimeError(
            f"användarnamn som bara skiljer sig i versaler/gemener finns flera gånger: {names}; "
            "byt namn på eller ta bort de överflödiga kontona innan uppgraderingen"
        )


def upgrade() -> None:
    """Add the columns and the throttle table."""
    with op.batch_alter_table("report_versions") as batch:
        batch.add_column(sa.Column("pdf_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("revision_of", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("revision_reason", sa.Text(), nullable=True))
    _refuse_case_duplicates()
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_index("uq_users_username_ci", "users", [sa.text("lower(username)")], unique=True)
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    """Remove them again."""
    op.drop_table("login_throttle")
    op.drop_index("uq_users_username_ci", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
    with op.batch_alter_table("report_versions") as batch:
        batch.drop_column("revision_reason")
        batch.drop_column("revision_of")
        batch.drop_column("pdf_sha256")
