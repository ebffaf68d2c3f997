"""covering indexes for the national monitor: the year's ESF hours and each case's next reminder

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23

``journey monitor`` sums a year's hours per municipality and finds each case's earliest planned
reminder (issue #14). Two indexes are widened so both are read from the index alone:

- ``time_entry (municipality_id, date)`` becomes ``(municipality_id, date, meeting_id, quarters)``:
  the year's entries of a municipality and the columns summed, without visiting the rows;
- ``reminder (case_id, status)`` becomes ``(case_id, status, due_at)``: a case's earliest planned
  reminder is the first entry of its range, its overdue ones a range.

Each replaces the narrower index whose columns it begins with, so every query that used that one
can use it, and a write maintains as many indexes as before.
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_time_entry_municipality_hours", "time_entry",
                    ["municipality_id", "date", "meeting_id", "quarters"])
    op.drop_index("ix_time_entry_municipality_date", table_name="time_entry")
    op.create_index("ix_reminder_case_status_due", "reminder", ["case_id", "status", "due_at"])
    op.drop_index("ix_reminder_case_status", table_name="reminder")


def downgrade() -> None:
    op.create_index("ix_reminder_case_status", "reminder", ["case_id", "status"])
    op.drop_index("ix_reminder_case_status_due", table_name="reminder")
    op.create_index("ix_time_entry_municipality_date", "time_entry", ["municipality_id", "date"])
    op.drop_index("ix_time_entry_municipality_hours", table_name="time_entry")
