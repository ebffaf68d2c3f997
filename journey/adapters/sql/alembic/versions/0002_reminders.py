"""reminders: board calendars, reminder outbox, pause ledger, scheduler lease

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from journey.adapters.sql.column_types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "board",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("secretary_email", sa.String(200), nullable=False, server_default=""),
        sa.Column("chair_email", sa.String(200), nullable=False, server_default=""),
        sa.UniqueConstraint("municipality_id", "code"),
    )
    op.create_table(
        "board_meeting",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id"), nullable=False),
        sa.Column("meeting_date", sa.Date, nullable=False),
        sa.Column("start_time", sa.String(5), nullable=False, server_default=""),
        sa.Column("location", sa.String(200), nullable=False, server_default=""),
        sa.Column("title", sa.String(200), nullable=False, server_default=""),
        sa.Column("source", sa.String(300), nullable=False, server_default=""),
        sa.UniqueConstraint("board_id", "meeting_date"),
    )
    op.create_index("ix_board_meeting_board_id", "board_meeting", ["board_id"])
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("journey_case.id"), nullable=False),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("state_path", sa.String(300), nullable=False),
        sa.Column("recipient_role", sa.String(40), nullable=False),
        sa.Column("template", sa.String(100), nullable=False),
        sa.Column("title", sa.String(300), nullable=False, server_default=""),
        sa.Column("subject", sa.String(500), nullable=False, server_default=""),
        sa.Column("anchor", sa.String(20), nullable=False),
        sa.Column("board", sa.String(40), nullable=False, server_default=""),
        sa.Column("offset_days", sa.Integer, nullable=False, server_default="0"),
        sa.Column("local_time", sa.String(5), nullable=False, server_default="08:00"),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.Column("nominal_date", sa.Date, nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("send_after", UTCDateTime(), nullable=True),
        sa.Column("shift_days", sa.Integer, nullable=False, server_default="0"),
        sa.Column("meeting_id", sa.Integer, sa.ForeignKey("board_meeting.id"), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claimed_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("idempotency_key", sa.String(400), nullable=False, unique=True),
        sa.Column("reason", sa.String(1000), nullable=False, server_default=""),
        sa.Column("last_error", sa.String(1000), nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_reminder_status_send_after", "reminder", ["status", "send_after"])
    op.create_index("ix_reminder_case_status", "reminder", ["case_id", "status"])
    op.create_table(
        "case_pause",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("journey_case.id"), nullable=False),
        sa.Column("paused_at", UTCDateTime(), nullable=False),
        sa.Column("resumed_at", UTCDateTime(), nullable=True),
        sa.Column("shift_days", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reason", sa.String(1000), nullable=False, server_default=""),
        sa.Column("actor", sa.String(100), nullable=False),
    )
    op.create_index("ix_case_pause_case_id", "case_pause", ["case_id"])
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("scheduler_lease", "case_pause", "reminder", "board_meeting", "board"):
        op.drop_table(table)
