"""Imports every module that defines tables, so Alembic and tests see the whole schema."""

from journey.adapters import db  # noqa: F401
