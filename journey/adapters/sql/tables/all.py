"""Imports every module that defines tables, so Alembic and tests see the whole schema."""

from journey.adapters.sql.tables import auth, case_migrations, core, documents, hours, reminders, webhooks  # noqa: F401
