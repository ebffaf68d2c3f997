"""Imports every module that defines tables, so Alembic and tests see the whole schema."""

from journey.adapters import db, document_db, hours_db, migration_db, reminder_db  # noqa: F401
