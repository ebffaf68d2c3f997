"""national scale: an index on app_user (role, municipality_id) for the sweep's recipient look-up

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24

The sweep finds a reminder's recipients by role (and municipality) instead of listing every
user per reminder (issue #14), so its cost follows the due reminders, not the users.
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_app_user_role_municipality", "app_user", ["role", "municipality_id"])


def downgrade() -> None:
    op.drop_index("ix_app_user_role_municipality", table_name="app_user")
