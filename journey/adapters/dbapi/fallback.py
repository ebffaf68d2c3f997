"""The ORM repositories of the features that have no plain one yet, on the unit of work's own
connection and transaction: SQLAlchemy loads only when a command touches such a feature."""

from __future__ import annotations

import threading
from typing import Any

from journey.adapters.dbapi.connection import Db


class _Borrowed:
    """The unit of work's DB-API connection as SQLAlchemy sees it: it may not close or end it."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def close(self) -> None:
        """The unit of work closes (or pools) its connection, not SQLAlchemy."""

    def commit(self) -> None:
        """The unit of work commits."""

    def rollback(self) -> None:
        """The unit of work rolls back; SQLAlchemy's reset on release must not end its transaction."""


class Fallback:
    """One SQLAlchemy engine per database whose connections are the running units of work's."""

    def __init__(self, pg: bool) -> None:
        self.pg = pg
        self._engine: Any = None
        self._lock = threading.Lock()
        self._local = threading.local()

    def _stack(self) -> list[Db]:
        stack: list[Db] | None = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def push(self, db: Db) -> None:
        self._stack().append(db)

    def pop(self, db: Db) -> None:
        stack = self._stack()
        if stack and stack[-1] is db:
            stack.pop()
        elif db in stack:
            stack.remove(db)

    def session(self) -> Any:
        """A session on the transaction of this thread's innermost unit of work (the one pushed last);
        flushes go to it, commits are the unit of work's."""
        from sqlmodel import Session

        return Session(self._engine_for(), expire_on_commit=False, autoflush=True)

    def _engine_for(self) -> Any:
        with self._lock:
            if self._engine is None:
                from sqlalchemy import create_engine, event
                from sqlalchemy.pool import NullPool

                stack = self._stack

                def creator() -> Any:
                    return _Borrowed(stack()[-1].conn)

                options: dict[str, Any] = {"use_native_hstore": False} if self.pg else {}  # no type lookups
                url = "postgresql+psycopg://" if self.pg else "sqlite://"
                engine = create_engine(url, creator=creator, poolclass=NullPool, **options)

                @event.listens_for(engine, "begin")
                def _begin(connection: Any) -> None:
                    stack()[-1].begin()

                self._engine = engine
            return self._engine
