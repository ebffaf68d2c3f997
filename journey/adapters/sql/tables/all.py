"""Imports every module that defines tables, so Alembic and tests see the whole schema."""

from journey.adapters.sql.tables import case_migrations, core, documents, hours, matters, reminders  # noqa: F401
