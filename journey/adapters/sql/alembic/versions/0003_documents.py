"""documents: the register of generated documents with provenance

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from journey.adapters.sql.column_types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("journey_case.id"), nullable=False),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=False),
        sa.Column("state_path", sa.String(500), nullable=False),
        sa.Column("doc_id", sa.String(100), nullable=False),
        sa.Column("title", sa.String(300), nullable=False, server_default=""),
        sa.Column("template", sa.String(200), nullable=False),
        sa.Column("template_source", sa.String(1000), nullable=False, server_default=""),
        sa.Column("overridden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("template_hash", sa.String(64), nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("sha256", sa.String(64), nullable=False, server_default=""),
        sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
        sa.Column("reason", sa.String(20), nullable=False, server_default="ENTERED"),
        sa.Column("actor", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("case_id", "doc_id", "revision", "format"),
    )
    op.create_index("ix_document_case_id", "document", ["case_id"])
    op.create_index("ix_document_municipality", "document", ["municipality_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_document_municipality", "document")
    op.drop_index("ix_document_case_id", "document")
    op.drop_table("document")
