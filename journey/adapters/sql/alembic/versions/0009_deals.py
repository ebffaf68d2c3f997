"""deals: the deals register (deal, append-only deal_event) and document.deal_id

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from journey.adapters.sql.column_types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = """
CREATE TRIGGER deal_event_no_{op} BEFORE {OP} ON deal_event
BEGIN SELECT RAISE(ABORT, 'deal_event is append-only'); END
"""
APPEND_ONLY_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION deal_event_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'deal_event is append-only'; END $$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "deal",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("journey_case.id"), nullable=False),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("form", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_date", sa.Date, nullable=False),
        sa.Column("title", sa.String(300), nullable=False, server_default=""),
        sa.Column("counterparty", sa.String(300), nullable=False, server_default=""),
        sa.Column("org_number", sa.String(11), nullable=False, server_default=""),
        sa.Column("value_sek", sa.BigInteger, nullable=True),
        sa.Column("value_basis", sa.String(10), nullable=True),
        sa.Column("period_start", sa.Date, nullable=True),
        sa.Column("period_end", sa.Date, nullable=True),
        sa.Column("decided_date", sa.Date, nullable=True),
        sa.Column("diarienummer", sa.String(100), nullable=False, server_default=""),
        sa.Column("special_services", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("limit_sek", sa.BigInteger, nullable=True),
        sa.Column("limit_day", sa.Date, nullable=True),
        sa.Column("limit_reference", sa.String(200), nullable=False, server_default=""),
        sa.Column("reserved_main_aim", sa.Boolean, nullable=True),
        sa.Column("reserved_share", sa.Integer, nullable=True),
        sa.Column("social_considerations", sa.String(2000), nullable=False, server_default=""),
        sa.Column("contract_conditions", sa.String(2000), nullable=False, server_default=""),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("case_id", "number", name="uq_deal_case_number"),
        sa.CheckConstraint("value_sek IS NULL OR value_sek >= 0", name="ck_deal_value_not_negative"),
        sa.CheckConstraint("reserved_share IS NULL OR (reserved_share >= 0 AND reserved_share <= 100)",
                           name="ck_deal_reserved_share_percent"),
    )
    op.create_index("ix_deal_municipality", "deal", ["municipality_id"])
    op.create_table(
        "deal_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("deal_id", sa.Integer, sa.ForeignKey("deal.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("comment", sa.String(4000), nullable=False, server_default=""),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.UniqueConstraint("deal_id", "seq", name="uq_deal_event_seq"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for name in ("update", "delete"):
            op.execute(APPEND_ONLY_SQLITE.format(op=name, OP=name.upper()))
    else:
        op.execute(APPEND_ONLY_PG_FUNCTION)
        op.execute("CREATE TRIGGER deal_event_append_only BEFORE UPDATE OR DELETE ON deal_event "
                   "FOR EACH ROW EXECUTE FUNCTION deal_event_append_only()")
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("deal_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_document_deal", "deal", ["deal_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_constraint("fk_document_deal", type_="foreignkey")
        batch.drop_column("deal_id")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS deal_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS deal_event_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS deal_event_append_only ON deal_event")
        op.execute("DROP FUNCTION IF EXISTS deal_event_append_only()")
    op.drop_table("deal_event")
    op.drop_index("ix_deal_municipality", table_name="deal")
    op.drop_table("deal")
