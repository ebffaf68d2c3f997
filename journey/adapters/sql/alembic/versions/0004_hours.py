"""hours: ESF time entries and network meetings (attendance is a time entry linked to a meeting)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from journey.adapters.sql.column_types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_meeting",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("hours", sa.Integer, nullable=False),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_network_meeting_date", "network_meeting", ["date"])
    op.create_table(
        "time_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=False),
        sa.Column("person", sa.String(200), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("hours", sa.Integer, nullable=False),
        sa.Column("activity", sa.String(40), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("stage", sa.String(100), nullable=False, server_default=""),
        sa.Column("meeting_id", sa.Integer, sa.ForeignKey("network_meeting.id"), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("hours > 0", name="ck_time_entry_hours_positive"),
        sa.UniqueConstraint("meeting_id", "municipality_id", "person", name="uq_time_entry_meeting_person"),
    )
    op.create_index("ix_time_entry_municipality_date", "time_entry", ["municipality_id", "date"])


def downgrade() -> None:
    op.drop_table("time_entry")
    op.drop_table("network_meeting")
