"""core: municipalities, users, cases, append-only case history

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from journey.adapters.sql.column_types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = """
CREATE TRIGGER case_history_no_{op} BEFORE {OP} ON case_history
BEGIN SELECT RAISE(ABORT, 'case_history is append-only'); END
"""
APPEND_ONLY_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION case_history_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'case_history is append-only'; END $$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "municipality",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("slug", sa.String(100), nullable=False, unique=True),
        sa.Column("county", sa.String(100), nullable=False, server_default=""),
        sa.Column("workflow", sa.String(100), nullable=False, server_default="handbook"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("email", sa.String(200), nullable=False, server_default=""),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "journey_case",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=False, unique=True),
        sa.Column("workflow", sa.String(100), nullable=False),
        sa.Column("workflow_version", sa.Integer, nullable=False),
        sa.Column("state", sa.String(500), nullable=False),
        sa.Column("stage", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("stage_entered_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_journey_case_stage", "journey_case", ["workflow", "stage"])
    op.create_table(
        "case_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("journey_case.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(500), nullable=True),
        sa.Column("to_state", sa.String(500), nullable=False),
        sa.Column("trigger", sa.String(100), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("comment", sa.String(4000), nullable=False, server_default=""),
        sa.UniqueConstraint("case_id", "seq"),
    )
    op.create_index("ix_case_history_case_id", "case_history", ["case_id"])
    if op.get_bind().dialect.name == "sqlite":
        for name in ("update", "delete"):
            op.execute(APPEND_ONLY_SQLITE.format(op=name, OP=name.upper()))
    else:
        op.execute(APPEND_ONLY_PG_FUNCTION)
        op.execute("CREATE TRIGGER case_history_append_only BEFORE UPDATE OR DELETE ON case_history "
                   "FOR EACH ROW EXECUTE FUNCTION case_history_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS case_history_no_update")
        op.execute("DROP TRIGGER IF EXISTS case_history_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS case_history_append_only ON case_history")
        op.execute("DROP FUNCTION IF EXISTS case_history_append_only()")
    for table in ("case_history", "journey_case", "app_user", "municipality"):
        op.drop_table(table)
