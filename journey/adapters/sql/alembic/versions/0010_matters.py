"""matters: ärenden beside the case and each body's decision; decisions in the history become decided matters

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23

Every history row whose evidence holds a ``board_decision`` becomes a decided matter of the
stage the step left (bifall by the organ named, at the meeting and § given). The title stays
empty: the read side names such a matter after its state in the case's workflow.
"""

import json
from datetime import date

import sqlalchemy as sa
from alembic import op

from journey.adapters.sql.column_types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    matter = op.create_table(
        "matter",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("journey_case.id"), nullable=False),
        sa.Column("state_path", sa.String(500), nullable=False),
        sa.Column("title", sa.String(300), nullable=False, server_default=""),
        sa.Column("bodies", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("diarienummer", sa.String(100), nullable=False, server_default=""),
        sa.Column("handlaggare", sa.String(200), nullable=False, server_default=""),
        sa.Column("forvaltning", sa.String(200), nullable=False, server_default=""),
        sa.Column("proposal", sa.JSON, nullable=False),
        sa.Column("target_meeting", sa.Date, nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_matter_case", "matter", ["case_id", "state_path"])
    decision = op.create_table(
        "matter_decision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("matter_id", sa.Integer, sa.ForeignKey("matter.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("body", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("meeting_date", sa.Date, nullable=False),
        sa.Column("paragraph", sa.Integer, nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False, server_default=""),
        sa.Column("history_seq", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("matter_id", "seq"),
    )
    op.create_index("ix_matter_decision_matter_id", "matter_decision", ["matter_id"])
    _reconstruct(matter, decision)


def _reconstruct(matter: sa.Table, decision: sa.Table) -> None:
    """Decided matters from the board decisions already in the history (nothing is guessed beyond them)."""
    bind = op.get_bind()
    history = sa.table("case_history", sa.column("case_id"), sa.column("seq"), sa.column("from_state"),
                       sa.column("to_state"), sa.column("actor"), sa.column("at", UTCDateTime()),
                       sa.column("evidence", sa.JSON))
    rows = bind.execute(sa.select(history).order_by(history.c.case_id, history.c.seq)).fetchall()
    for row in rows:
        evidence = json.loads(row.evidence) if isinstance(row.evidence, str) else (row.evidence or {})
        found = evidence.get("board_decision") if isinstance(evidence, dict) else None
        if not isinstance(found, dict) or not found.get("organ") or not found.get("meeting_date"):
            continue
        try:
            meeting = date.fromisoformat(str(found["meeting_date"]))
        except ValueError:
            continue
        stage = str(row.from_state or row.to_state).split(",", 1)[0].split(".", 1)[0]
        paragraph = found.get("paragraph")
        key = bind.execute(matter.insert().values(
            case_id=row.case_id, state_path=stage, title="", bodies=[str(found["organ"])], status="DECIDED",
            diarienummer=str(found.get("diarienummer") or ""), handlaggare="", forvaltning="", proposal={},
            opened_at=row.at, opened_by=row.actor, closed_at=row.at, updated_at=row.at)).inserted_primary_key
        assert key is not None
        bind.execute(decision.insert().values(
            matter_id=key[0], seq=1, body=str(found["organ"]), outcome="bifall", meeting_date=meeting,
            paragraph=int(str(paragraph)) if str(paragraph).isdigit() else None,
            recorded_at=row.at, actor=row.actor, history_seq=row.seq))


def downgrade() -> None:
    op.drop_index("ix_matter_decision_matter_id", table_name="matter_decision")
    op.drop_table("matter_decision")
    op.drop_index("ix_matter_case", table_name="matter")
    op.drop_table("matter")
