"""SQLAlchemy engines from a URL: SQLite tuned for several CLI processes, or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

from journey.adapters.sql.urls import normalize_url, sqlite_path


def make_engine(url: str, *, busy_timeout_ms: int = 5000) -> Engine:
    """Build an engine. SQLite gets WAL, busy_timeout, foreign keys and ``BEGIN IMMEDIATE`` writes."""
    url = normalize_url(url)
    path = sqlite_path(url)
    if path is None:
        return create_engine(url, pool_pre_ping=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # Take the write lock up front: a deferred transaction that upgrades later can fail
        # with SQLITE_BUSY without waiting (SQLAlchemy pysqlite transaction recipe).
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
