"""SQLAlchemy engines from a URL: SQLite tuned for several CLI processes, or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

from journey.adapters.sql.errors import bad_url, classify
from journey.adapters.sql.urls import normalize_url, sqlite_path
from journey.domain.errors import DatabaseConfigError, NotInitialisedError
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
    if path.is_dir():
        raise DatabaseConfigError(msg("{path} is a directory, not a database: check --db / JOURNEY_DATABASE_URL",
            path=path))
    if not path.exists():
        if not create:
            raise NotInitialisedError(msg("no database at {path}: run `journey init` (or check --db / "
                                          "JOURNEY_DATABASE_URL)", path=path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseConfigError(msg("cannot create the database at {path}: {value}",
                path=path, value=exc.strerror or exc)) from None
    engine = _create(url)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer, nor it them
        cursor.execute("PRAGMA synchronous=FULL")  # a commit survives a power loss, not only a crash
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

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
