"""deadlines: a matter's planned meeting, repeated reminders, kallelse days, phones, closed periods, process supporters

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23

- ``matter.planned_meeting``: the meeting the matter's reminders aim at (a miss is detected against it);
- ``reminder.round``: 1 for the first reminder of a rule, 2, 3 ... for repeats of a stall reminder;
- ``board.kallelse_days``: working days before a meeting that the board's kallelse goes out (NULL: 7);
- ``app_user.phone``: shown in reminders as the coordinator's telephone number;
- ``closed_period``: a municipality's closed periods (sommaruppehåll, klämdagar), no deadline falls in one;
- ``municipality_supporter``: the SKR process supporters of each municipality (they get its SKR reminders).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("matter") as batch:
        batch.add_column(sa.Column("planned_meeting", sa.Date, nullable=True))
    with op.batch_alter_table("reminder") as batch:
        batch.add_column(sa.Column("round", sa.Integer, nullable=False, server_default="1"))
    with op.batch_alter_table("board") as batch:
        batch.add_column(sa.Column("kallelse_days", sa.Integer, nullable=True))
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("phone", sa.String(40), nullable=False, server_default=""))
    op.create_table(
        "closed_period",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=False),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("label", sa.String(200), nullable=False, server_default=""),
    )
    op.create_index("ix_closed_period_municipality_id", "closed_period", ["municipality_id"])
    op.create_table(
        "municipality_supporter",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id"), nullable=False),
        sa.UniqueConstraint("municipality_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("municipality_supporter")
    op.drop_index("ix_closed_period_municipality_id", table_name="closed_period")
    op.drop_table("closed_period")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("phone")
    with op.batch_alter_table("board") as batch:
        batch.drop_column("kallelse_days")
    with op.batch_alter_table("reminder") as batch:
        batch.drop_column("round")
    with op.batch_alter_table("matter") as batch:
        batch.drop_column("planned_meeting")
