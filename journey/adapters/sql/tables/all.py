"""Imports every module that defines tables, so Alembic and tests see the whole schema."""

from journey.adapters.sql.tables import (  # noqa: F401
    auth,
    case_migrations,
    core,
    deals,
    documents,
    hours,
    matters,
    reminders,
    settings,
    webhooks,
)
