"""document outbox: documents rendered after the change that asks for them commits

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23

A change that enters a state records a ``document_job`` in its own transaction; the documents are
rendered after it commits and registered with the job marked done in one transaction (issue #14 §3),
so a slow or failing template never holds the write lock nor fails the change.
"""

import sqlalchemy as sa
from alembic import op

from journey.adapters.sql.column_types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_job",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("journey_case.id"), nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("conditional", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.String(2000), nullable=False),
        sa.Column("claimed_by", sa.String(100), nullable=False),
        sa.Column("retry_at", UTCDateTime(), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_document_job_case_id", "document_job", ["case_id"])
    op.create_index("ix_document_job_due", "document_job", ["status", "retry_at"])


def downgrade() -> None:
    op.drop_table("document_job")
