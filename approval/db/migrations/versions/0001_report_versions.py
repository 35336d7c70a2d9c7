"""report_versions: the version record (as ``make_engine`` created it before Alembic).

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``report_versions`` exactly as ``approval.db.models.ReportVersion``."""
    op.create_table(
        "report_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("docx_sha256", sa.String(length=64), nullable=False),
        sa.Column("inputs_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("directory", sa.String(length=1024), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("area", "year", "version", name="uq_report_version"),
    )
    op.create_index("ix_report_versions_area", "report_versions", ["area"])
    op.create_index("ix_report_versions_year", "report_versions", ["year"])


def downgrade() -> None:
    """Drop ``report_versions``."""
    op.drop_index("ix_report_versions_year", table_name="report_versions")
    op.drop_index("ix_report_versions_area", table_name="report_versions")
    op.drop_table("report_versions")
