"""board meetings: iCalendar SEQUENCE and the UID of the imported event

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("board_meeting") as batch:
        batch.add_column(sa.Column("sequence", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("source_uid", sa.String(400), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("board_meeting") as batch:
        batch.drop_column("source_uid")
        batch.drop_column("sequence")
