"""Only one scheduler sends: a PostgreSQL advisory lock, or a lease row on SQLite.

The advisory lock belongs to a connection held for the scheduler's life, so it is released
the moment the process dies. The lease row expires after ``ttl`` of wall-clock time unless
renewed (every poll, and before every message of a sweep: :meth:`LeaseLock.hold`); a holder
on this host whose process is gone is taken over at once.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

LOCK_KEY = 0x6A6F7572  # "jour": the advisory lock class of the reminder scheduler; the schema is the other half,
# so installations in different schemas of one database (and parallel test schemas) do not block each other


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _dead_local(holder: str) -> bool:
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class AdvisoryLock:
    def __init__(self, engine: Engine, key: int = LOCK_KEY) -> None:
        self.engine, self.key = engine, key
        self._conn: Any = None

    def acquire(self) -> bool:
        """True while this process holds the lock (call on every tick; re-acquires after a lost connection)."""
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                self._conn.commit()  # never idle in a transaction (a server timeout would end the session)
                return True
            except Exception:  # the session is gone, and its lock with it
                conn, self._conn = self._conn, None
                try:
                    conn.close()
                except Exception:
                    pass
        conn = self.engine.connect()
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))"),
                                {"k": self.key}).scalar())
        conn.commit()
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def hold(self) -> bool:
        """Checked before every message of a sweep: the lock's session is still alive."""
        return self.acquire()

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k, hashtext(current_schema()))"), {"k": self.key})
                conn.commit()
            except Exception:  # the session is gone, and its lock with it
                pass
            finally:
                conn.close()


class LeaseLock:
    def __init__(self, engine: Engine, ttl: timedelta, holder: str | None = None, name: str = "reminders") -> None:
        self.engine, self.ttl, self.name = engine, ttl, name
        self.holder = holder or holder_id()
        self._renewed: float | None = None  # time.monotonic() of the last renewal

    def acquire(self) -> bool:
        self._renewed = None
        started = time.monotonic()
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            row = conn.execute(text("SELECT holder, expires_at FROM scheduler_lease WHERE name = :n"),
                               {"n": self.name}).first()
            params = {"n": self.name, "h": self.holder, "e": (now + self.ttl).isoformat(sep=" ")}
            if row is None:
                conn.execute(text("INSERT INTO scheduler_lease (name, holder, expires_at) VALUES (:n, :h, :e)"), params)
            else:
                expires = datetime.fromisoformat(str(row[1]))
                expires = expires.replace(tzinfo=UTC) if expires.tzinfo is None else expires
                if not (row[0] == self.holder or expires < now or _dead_local(row[0])):
                    return False
                conn.execute(text("UPDATE scheduler_lease SET holder = :h, expires_at = :e WHERE name = :n"), params)
        self._renewed = started
        return True

    def hold(self) -> bool:
        """Checked before every message of a sweep, so a long sweep keeps the lease.

        Renewed (a write) once a third of the lease has passed since the last renewal; until then
        no other scheduler can have taken it. A process that was stopped finds that time passed
        (the monotonic clock runs on) and so checks the row again.
        """
        if self._renewed is not None and time.monotonic() - self._renewed < self.ttl.total_seconds() / 3:
            return True
        return self.acquire()

    def release(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM scheduler_lease WHERE name = :n AND holder = :h"),
                         {"n": self.name, "h": self.holder})


def make_lock(engine: Engine, ttl: timedelta) -> AdvisoryLock | LeaseLock:
    return AdvisoryLock(engine) if engine.dialect.name == "postgresql" else LeaseLock(engine, ttl)
