"""case migrations: runs of `journey migrate` and each case they moved (for rollback)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from journey.adapters.sql.column_types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "migration_run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workflows", sa.String(500), nullable=False),
        sa.Column("to_version", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("migrated", sa.Integer, nullable=False, server_default="0"),
        sa.Column("not_migrated", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rolled_back_at", UTCDateTime(), nullable=True),
        sa.Column("rolled_back_by", sa.String(100), nullable=False, server_default=""),
    )
    op.create_table(
        "case_migration",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("migration_run.id"), nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("journey_case.id"), nullable=False),
        sa.Column("workflow", sa.String(100), nullable=False),
        sa.Column("from_version", sa.Integer, nullable=False),
        sa.Column("to_version", sa.Integer, nullable=False),
        sa.Column("from_state", sa.String(500), nullable=False),
        sa.Column("to_state", sa.String(500), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=False),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("from_stage_entered_at", UTCDateTime(), nullable=False),
        sa.Column("case_version", sa.Integer, nullable=False),
        sa.Column("migrated_at", UTCDateTime(), nullable=False),
        sa.Column("rolled_back_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("run_id", "case_id"),
    )
    op.create_index("ix_case_migration_case", "case_migration", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_migration_case", table_name="case_migration")
    op.drop_table("case_migration")
    op.drop_table("migration_run")
