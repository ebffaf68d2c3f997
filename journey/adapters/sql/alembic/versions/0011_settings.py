"""settings: one key/value table for facts about the database itself (a demo database is marked demo=true)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journey_setting",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.String(1000), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("journey_setting")
