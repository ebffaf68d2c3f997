"""Values as journey's columns store them, for the code that speaks SQL without the ORM (the units of
work's repositories, the read model, export and import): date-times in UTC (text on SQLite, as
SQLAlchemy's DateTime writes it), dates, JSON documents. Imports nothing heavy."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any


def utc(value: Any) -> Any:
    """A stored date-time as an aware UTC datetime (SQLite keeps text, PostgreSQL timestamptz); None and
    other values as they are."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def sqlite_utc_text(value: datetime) -> str:
    """An aware date-time as SQLAlchemy's DateTime stores it on SQLite: 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC
    (the year in four digits, the fraction always written)."""
    return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def day(value: Any) -> Any:
    """A stored date as a :class:`date`."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def loads(value: Any) -> Any:
    """A stored JSON column's value (text on SQLite; PostgreSQL may hand back the object)."""
    return json.loads(value) if isinstance(value, str | bytes) else value
