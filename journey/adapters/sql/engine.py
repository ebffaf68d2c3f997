"""SQLAlchemy engines from a URL: SQLite tuned for several CLI processes, or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

from journey.adapters.sql.errors import bad_url, classify
from journey.adapters.sql.sqlite_settings import apply_sqlite_settings
from journey.adapters.sql.urls import existing_sqlite_file, normalize_url, sqlite_path
from journey.domain.errors import DatabaseConfigError
from journey.domain.messages import msg


def make_engine(url: str, *, busy_timeout_ms: int = 15000, create: bool = True) -> Engine:
    """Build an engine. SQLite gets WAL, synchronous=FULL, busy_timeout, foreign keys and ``BEGIN
    IMMEDIATE`` writes (why each: docs/operations.md, "SQLite settings").

    ``create=False``: a missing SQLite file is an error (:class:`NotInitialisedError`) and nothing is
    created, neither the file nor its directory. A URL or driver that cannot be used is a
    :class:`DatabaseConfigError`.
    """
    url = normalize_url(url)
    path = sqlite_path(url)
    if path is None:
        return _create(url, pool_pre_ping=True)
    if not create or path.exists():
        existing_sqlite_file(url)
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseConfigError(msg("cannot create the database at {path}: {value}",
                path=path, value=exc.strerror or exc)) from None
    engine = _create(url)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        apply_sqlite_settings(dbapi_connection, busy_timeout_ms)

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # Take the write lock up front: a deferred transaction that upgrades later can fail
        # with SQLITE_BUSY without waiting (SQLAlchemy pysqlite transaction recipe).
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _create(url: str, **kwargs: Any) -> Engine:
    try:
        return create_engine(url, **kwargs)
    except ImportError as exc:  # the dialect's driver is not installed (mysql://, oracle://)
        raise bad_url(exc) from None
    except Exception as exc:  # a URL SQLAlchemy cannot parse, an unknown dialect
        mapped = classify(exc)
        if mapped is None:
            raise
        raise mapped from None
