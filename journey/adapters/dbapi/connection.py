"""Plain DB-API connections for the write side: opened with the engine's settings, pooled per app,
with ``?`` placeholders and the column layouts SQLAlchemy stores (docs/operations.md)."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from journey.adapters.sql.errors import classify
from journey.adapters.sql.sqlite_settings import apply_sqlite_settings
from journey.adapters.sql.stored import sqlite_utc_text
from journey.adapters.sql.urls import display, existing_sqlite_file, psycopg_conninfo
from journey.domain.messages import msg


def among(column: str, ids: Sequence[int]) -> tuple[str, list[int]]:
    """``column IN (?, ...)`` and its parameters; an empty list matches nothing (as SQLAlchemy's empty IN does)."""
    if not ids:
        return "1 <> 1", []
    return f"{column} IN ({', '.join('?' for _ in ids)})", list(ids)


class Db:
    """One connection inside one unit of work: begins on first use, ``?`` placeholders on both back ends."""

    def __init__(self, conn: Any, pg: bool) -> None:
        self.conn = conn
        self.pg = pg
        self.open = False
        if pg:
            from psycopg.types.json import Json

            self._json: Any = Json
        else:
            self._json = json.dumps

    def begin(self) -> None:
        """Start the transaction if none is open (SQLite: take the write lock up front, as the engine does)."""
        if not self.open:
            if not self.pg:
                self.conn.execute("BEGIN IMMEDIATE")
            self.open = True

    def value(self, value: Any) -> Any:
        """A Python value as the driver should bind it for the stored layout."""
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(msg("naive datetime given to a UTC column"))
            return value.astimezone(UTC) if self.pg else sqlite_utc_text(value)
        if isinstance(value, date):
            return value if self.pg else value.isoformat()
        if isinstance(value, dict | list):
            return self._json(value)
        return value

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        self.begin()
        cursor = self.conn.cursor()
        cursor.execute(sql.replace("?", "%s") if self.pg else sql, [self.value(p) for p in params])
        return cursor

    def all(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.execute(sql, params).fetchall())

    def one(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.execute(sql, params).fetchone()
        return row

    def scalar(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def insert(self, table: str, values: dict[str, Any]) -> int:
        """INSERT one row; its new id."""
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        return int(self.scalar(f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING id", list(values.values())))

    def commit(self) -> None:
        if self.open:
            self.conn.commit()
            self.open = False

    def rollback(self) -> None:
        self.open = False
        self.conn.rollback()


class ConnectionPool:
    """Connections of one database, one unit of work at a time (any thread), kept idle for the next
    unit of work (opening a SQLite connection and reading its schema costs about a millisecond and a
    half, nearly a third of an audited advance). :meth:`close` closes the idle ones: `journey import` does before its load,
    which may leave WAL mode only when no other connection has the database open."""

    def __init__(self, url: str, busy_timeout_ms: int) -> None:
        self.url = url
        self.where = display(url)
        self.pg = not url.startswith("sqlite")
        self.busy_timeout_ms = busy_timeout_ms
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    def take(self) -> Any:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        try:
            return self._connect()
        except Exception as exc:
            mapped = classify(exc, self.where)
            if mapped is None:
                raise
            raise mapped from None

    def give_back(self, conn: Any, broken: bool = False) -> None:
        if broken:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - a broken connection is dropped whatever it says
                pass
            return
        with self._lock:
            self._idle.append(conn)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def _connect(self) -> Any:
        if self.pg:
            import psycopg

            return psycopg.connect(psycopg_conninfo(self.url))
        import sqlite3

        path = existing_sqlite_file(self.url)
        conn = sqlite3.connect(str(path), timeout=self.busy_timeout_ms / 1000, check_same_thread=False)
        apply_sqlite_settings(conn, self.busy_timeout_ms)  # the engine's (adapters/sql/engine.py)
        return conn
