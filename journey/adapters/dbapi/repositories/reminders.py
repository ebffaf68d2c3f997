"""The reminder outbox in plain SQL (the ORM's twin: adapters/sql/repositories/reminders.py, kept for
tests/test_plain_reminders.py), and the hot reads of boards and meetings."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from journey.adapters.dbapi.connection import Db, among
from journey.adapters.dbapi.repositories.base import PlainReads
from journey.adapters.sql.stored import day, utc
from journey.domain.reminders import INTERRUPTED, Meeting, Reminder, ReminderStatus

_FIELDS = [f.name for f in dataclasses.fields(Reminder)]
_TIMES = {"entered_at", "due_at", "send_after", "sent_at", "created_at"}
_SELECT = f"SELECT {', '.join(_FIELDS)} FROM reminder"
PLANNED, SENDING = ReminderStatus.PLANNED.value, ReminderStatus.SENDING.value


def _reminder(r: tuple[Any, ...]) -> Reminder:
    values = dict(zip(_FIELDS, r, strict=True))
    for name in _TIMES:
        values[name] = utc(values[name])
    values["nominal_date"] = day(values["nominal_date"])
    values["status"] = ReminderStatus(values["status"])
    return Reminder(**values)


class PlainReminderRepository:
    """``uow.reminders`` (the reminder outbox) on the unit of work's connection."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def add(self, reminder: Reminder) -> bool:
        """Insert unless a row with the same idempotency key exists; True when inserted."""
        if self.db.one("SELECT id FROM reminder WHERE idempotency_key = ?", (reminder.idempotency_key,)) is not None:
            return False
        values = {name: getattr(reminder, name) for name in _FIELDS if name != "id"}
        reminder.id = self.db.insert("reminder", values | {"status": reminder.status.value})
        return True

    def save(self, reminder: Reminder) -> None:
        names = [name for name in _FIELDS if name != "id"]
        values = [getattr(reminder, name) for name in names]
        values[names.index("status")] = reminder.status.value
        self.db.execute(f"UPDATE reminder SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
                        [*values, reminder.id])

    def get(self, reminder_id: int) -> Reminder | None:
        row = self.db.one(f"{_SELECT} WHERE id = ?", (reminder_id,))
        return _reminder(row) if row else None

    def planned(self, *, case_id: int | None = None, municipality_id: int | None = None,
                state_path: str | None = None, anchor: str | None = None) -> list[Reminder]:
        return self._where([("status", PLANNED), ("case_id", case_id), ("municipality_id", municipality_id),
                            ("state_path", state_path), ("anchor", anchor)], "id")

    def for_case(self, case_id: int, state_path: str | None = None) -> list[Reminder]:
        """Every row of the case (of ``state_path``, when given), whatever its status, oldest first."""
        return self._where([("case_id", case_id), ("state_path", state_path)], "id")

    def failed(self, *, municipality_id: int | None = None, reminder_id: int | None = None) -> list[Reminder]:
        return self._where([("status", ReminderStatus.FAILED.value), ("municipality_id", municipality_id),
                            ("id", reminder_id)], "id")

    def claim_due(self, now: datetime, limit: int, worker: str, lease_until: datetime) -> list[Reminder]:
        """Claim due rows (and rows whose SENDING lease ran out) for ``worker``: a compare-and-set.

        PostgreSQL skips rows another sweep has locked; SQLite serialises writers (BEGIN IMMEDIATE).
        No attempt is counted here (only a send that reached the server counts); a row taken over
        from a sender that stopped mid-send is marked :data:`INTERRUPTED` in ``last_error``.
        """
        due = "status IN (?, ?) AND send_after <= ?"
        lock = " FOR UPDATE SKIP LOCKED" if self.db.pg else ""
        ids = [r[0] for r in self.db.all(f"SELECT id FROM reminder WHERE {due} ORDER BY send_after LIMIT ?{lock}",
                                         (PLANNED, SENDING, now, limit))]
        if not ids:
            return []
        claimed, ids = among("id", ids)
        self.db.execute("UPDATE reminder SET status = ?, claimed_by = ?, send_after = ?, "
                        f"last_error = CASE WHEN status = ? THEN ? ELSE last_error END WHERE {claimed} AND {due}",
                        (SENDING, worker, lease_until, SENDING, INTERRUPTED, *ids, PLANNED, SENDING, now))
        rows = self.db.all(f"{_SELECT} WHERE {claimed} AND claimed_by = ? AND status = ? ORDER BY due_at",
                           (*ids, worker, SENDING))
        return [_reminder(r) for r in rows]

    def hold(self, reminder_id: int, worker: str, now: datetime, lease: timedelta) -> bool:
        """Checked just before sending: the row is still SENDING for ``worker`` with half a lease left.

        A read while more than half the lease remains (no other sender may claim the row before
        it ends); otherwise the claim is renewed to ``now + lease`` by compare-and-set.
        """
        row = self.db.one("SELECT status, claimed_by, send_after FROM reminder WHERE id = ?", (reminder_id,))
        if row is None or row[0] != SENDING or row[1] != worker:
            return False
        send_after = utc(row[2])
        if send_after is not None and send_after - now >= lease / 2:
            return True
        done = self.db.execute("UPDATE reminder SET send_after = ? WHERE id = ? AND status = ? AND claimed_by = ?",
                               (now + lease, reminder_id, SENDING, worker))
        return bool(done.rowcount)

    def finish(self, reminder_id: int, worker: str, **values: Any) -> bool:
        """Compare-and-set on a claimed row: only the claiming worker may settle it."""
        unknown = set(values) - set(_FIELDS)
        if unknown:
            raise TypeError(f"unknown reminder column {sorted(unknown)[0]!r}")
        sets = ", ".join(f"{name} = ?" for name in values)
        done = self.db.execute(f"UPDATE reminder SET {sets} WHERE id = ? AND status = ? AND claimed_by = ?",
                               (*[_stored(v) for v in values.values()], reminder_id, SENDING, worker))
        return bool(done.rowcount)

    def _where(self, conditions: list[tuple[str, Any]], order: str) -> list[Reminder]:
        given = [(column, value) for column, value in conditions if value is not None]
        where = " AND ".join(f"{column} = ?" for column, _ in given)
        rows = self.db.all(f"{_SELECT}{' WHERE ' + where if where else ''} ORDER BY {order}", [v for _, v in given])
        return [_reminder(r) for r in rows]


def _stored(value: Any) -> Any:
    """An enum as its stored value (``finish(status=ReminderStatus.SENT)``), anything else as given."""
    return value.value if isinstance(value, ReminderStatus) else value


_BOARD = ("id", "municipality_id", "code", "name", "secretary_email", "chair_email", "kallelse_days")


class PlainMeetingReads(PlainReads):
    """A municipality's boards and meetings, which every document and reminder plan reads."""

    def boards(self, municipality_id: int) -> list[dict[str, Any]]:
        rows = self._all(f"SELECT {', '.join(_BOARD)} FROM board WHERE municipality_id = ? ORDER BY code",
                         (municipality_id,))
        return [dict(zip(_BOARD, r, strict=True)) for r in rows]

    def meetings(self, municipality_id: int, board_code: str | None = None) -> list[Meeting]:
        boards = self.boards(municipality_id)
        if board_code:  # the board by code or name, case-folded, as the ORM repository finds it
            wanted = board_code.casefold()
            found = next((b for b in sorted(boards, key=lambda b: b["id"]) if b["code"].casefold() == wanted
                          or (b["name"] and b["name"].casefold() == wanted)), None)
            boards = [found] if found is not None else []
        if not boards:
            return []
        by_id = {b["id"]: b for b in boards}
        of_boards, ids = among("board_id", list(by_id))
        rows = self.db.all("SELECT id, board_id, meeting_date, start_time, location, title, sequence FROM board_meeting "
                           f"WHERE {of_boards}", ids)
        meetings = [Meeting(r[0], (b := by_id[r[1]])["code"], b["name"] or b["code"], day(r[2]), r[3], r[4], r[5], r[6],
                            b["kallelse_days"]) for r in rows]
        return sorted(meetings, key=lambda m: (m.day, m.board_code))
