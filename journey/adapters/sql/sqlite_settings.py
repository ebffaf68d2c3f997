"""The settings every SQLite connection of journey gets, the engine's and the units of work's alike
(why each: docs/operations.md, "SQLite settings"; checked by tests/test_sqlite_settings.py)."""

from __future__ import annotations

from typing import Any


def apply_sqlite_settings(conn: Any, busy_timeout_ms: int) -> None:
    """Set them on a fresh ``sqlite3`` connection; journey issues BEGIN itself (``BEGIN IMMEDIATE``)."""
    conn.isolation_level = None  # we issue BEGIN ourselves
    cursor = conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer, nor it them
    cursor.execute("PRAGMA synchronous=FULL")  # a commit survives a power loss, not only a crash
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
