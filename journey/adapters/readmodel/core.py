"""Read-only queries over plain DB-API connections: ``sqlite3`` or psycopg2, never the ORM.

Commands such as ``journey status`` run often and must start fast; SQLAlchemy alone costs
several times Python's own start-up, so the read side speaks SQL directly (cosmicpython's views).
On PostgreSQL it reads through psycopg2: importing psycopg 3 (the write side's and the export's
driver) costs about three times ``import click``, psycopg2 about as much as click itself
(docs/performance.md). Both are libpq underneath and take the same connection string and
``%s`` placeholders.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from journey.adapters.sql.errors import classify
from journey.adapters.sql.stored import utc
from journey.adapters.sql.urls import display, existing_sqlite_file, psycopg_conninfo
from journey.domain.errors import DatabaseConfigError, NotInitialisedError
from journey.domain.messages import msg

CASE_COLUMNS = ("c.id, c.municipality_id, m.name, m.code, m.county, c.workflow, c.workflow_version, c.state, c.stage, "
                "c.status, c.opened_at, c.stage_entered_at, c.updated_at, c.version")
CASE_KEYS = ("id", "municipality_id", "municipality", "code", "county", "workflow", "workflow_version", "state", "stage",
             "status", "opened_at", "stage_entered_at", "updated_at", "version")
TIME_KEYS = {"opened_at", "stage_entered_at", "updated_at", "at", "created_at"}


@cache
def _time_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """Which of ``keys`` hold times: worked out once per query's keys, not for each of its rows."""
    return tuple(key for key in keys if key in TIME_KEYS)


def _row(keys: tuple[str, ...], values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(keys, values, strict=True))
    for key in _time_keys(keys):
        row[key] = utc(row[key])
    if isinstance(row.get("evidence"), str):
        row["evidence"] = json.loads(row["evidence"])
    return row


class SqlReadModel:
    """Opens its connection lazily; ``?`` placeholders are rewritten for psycopg2."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Any = None
        self._pg = not url.startswith("sqlite")

    def _connect(self) -> Any:
        if self._conn is None:
            if not self.url.startswith(("sqlite", "postgresql", "postgres")):
                raise DatabaseConfigError(msg("the database URL cannot be used: {value!r} is not a supported "
                                              "back end (expected sqlite:///PATH or postgresql://USER@HOST/DATABASE)",
                    value=self.url.split(':', 1)[0]))
            if self._pg:
                import psycopg2

                conninfo = psycopg_conninfo(self.url)
                try:
                    conn = psycopg2.connect(conninfo)
                except psycopg2.Error as exc:
                    raise classify(exc, display(self.url)) or exc from None
                conn.autocommit = True  # each query sees what has committed, and no transaction is left open
                self._conn = conn
            else:
                import sqlite3

                path = existing_sqlite_file(self.url)
                try:
                    self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
                except sqlite3.OperationalError:
                    raise NotInitialisedError(msg("no database at {path}: run `journey init`", path=path)) from None
        return self._conn

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        conn = self._connect()
        if self._pg:
            sql = sql.replace("?", "%s")
        try:
            cursor = conn.cursor()
            if self._pg:
                cursor.execute(sql, params or None)  # no parameters: a literal % stays as it is
            else:
                cursor.execute(sql, params)
            return list(cursor.fetchall())
        except Exception as exc:
            mapped = classify(exc, display(self.url))
            if mapped is None:
                raise
            raise mapped from None

    def table_names(self) -> set[str]:
        """The tables the database has now (an older schema lacks those that later features add)."""
        sql = ("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()" if self._pg
               else "SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(r[0]) for r in self.query(sql)}

    def user(self, username: str) -> dict[str, Any] | None:
        keys = ("id", "username", "display_name", "email", "role", "municipality_id")
        rows = self.query(f"SELECT {', '.join(keys)} FROM app_user WHERE username = ?", (username,))
        return _row(keys, rows[0]) if rows else None

    def user_count(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM app_user")[0][0])

    def municipalities(self) -> list[dict[str, Any]]:
        keys = ("id", "code", "name", "slug", "county", "workflow")
        return [_row(keys, r) for r in self.query(f"SELECT {', '.join(keys)} FROM municipality ORDER BY name")]

    def cases(self, municipality_id: int | None = None) -> list[dict[str, Any]]:
        sql = f"SELECT {CASE_COLUMNS} FROM journey_case c JOIN municipality m ON m.id = c.municipality_id"
        params: tuple[Any, ...] = ()
        if municipality_id is not None:
            sql, params = sql + " WHERE c.municipality_id = ?", (municipality_id,)
        rows = [_row(CASE_KEYS, r) for r in self.query(sql + " ORDER BY m.name", params)]
        if rows:
            last = self.last_changes([r["id"] for r in rows])
            for row in rows:
                row["last_change"] = last.get(row["id"])
        return rows

    def last_changes(self, case_ids: list[int]) -> dict[int, dict[str, Any]]:
        keys = ("case_id", "seq", "kind", "trigger", "actor", "at", "to_state")
        marks = ", ".join("?" for _ in case_ids)
        sql = (f"SELECT h.{', h.'.join(keys)} FROM case_history h JOIN (SELECT case_id, MAX(seq) AS seq "
               f"FROM case_history WHERE case_id IN ({marks}) GROUP BY case_id) last "
               "ON last.case_id = h.case_id AND last.seq = h.seq")
        return {r[0]: _row(keys, r) for r in self.query(sql, tuple(case_ids))}

    def history(self, case_id: int) -> list[dict[str, Any]]:
        keys = ("seq", "kind", "from_state", "to_state", "trigger", "actor", "at", "evidence", "comment")
        sql = f"SELECT {', '.join(keys)} FROM case_history WHERE case_id = ? ORDER BY seq"
        return [_row(keys, r) for r in self.query(sql, (case_id,))]

    def awarded_deals(self, case_id: int) -> list[dict[str, Any]]:
        """The case's deals that are awarded (tilldelad/avtal tecknat) or later, first awarded first."""
        keys = ("number", "form", "counterparty", "status")
        sql = (f"SELECT {', '.join(keys)} FROM deal WHERE case_id = ? AND status IN ('AWARDED', 'ONGOING', "
               "'COMPLETED') ORDER BY COALESCE(decided_date, status_date), number")
        return [_row(keys, r) for r in self.query(sql, (case_id,))]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
