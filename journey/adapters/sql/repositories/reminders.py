"""SQL repositories for reminders, board calendars and the pause ledger (one session = one transaction)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, update
from sqlmodel import Session, col, select

from journey.adapters.sql.tables.core import UserRecord
from journey.adapters.sql.tables.reminders import (
    BoardMeetingRecord,
    BoardRecord,
    CasePauseRecord,
    ClosedPeriodRecord,
    MunicipalitySupporterRecord,
    ReminderRecord,
)
from journey.domain.deadlines import ClosedPeriod
from journey.domain.reminders import INTERRUPTED, Meeting, Reminder, ReminderStatus

_FIELDS = [f.name for f in dataclasses.fields(Reminder)]
PLANNED, SENDING = ReminderStatus.PLANNED.value, ReminderStatus.SENDING.value


def _reminder(r: ReminderRecord) -> Reminder:
    values = {name: getattr(r, name) for name in _FIELDS}
    values["status"] = ReminderStatus(r.status)
    return Reminder(**values)


class SqlReminderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, reminder: Reminder) -> bool:
        """Insert unless a row with the same idempotency key exists; True when inserted."""
        exists = self.session.exec(select(ReminderRecord.id).where(
            ReminderRecord.idempotency_key == reminder.idempotency_key)).first()
        if exists is not None:
            return False
        values = {k: v for k, v in dataclasses.asdict(reminder).items() if k != "id"}
        record = ReminderRecord(**values | {"status": reminder.status.value})
        self.session.add(record)
        self.session.flush()
        reminder.id = record.id
        return True

    def save(self, reminder: Reminder) -> None:
        record = self.session.get(ReminderRecord, reminder.id)
        assert record is not None
        for name in _FIELDS:
            if name != "id":
                setattr(record, name, getattr(reminder, name))
        record.status = reminder.status.value
        self.session.flush()

    def get(self, reminder_id: int) -> Reminder | None:
        record = self.session.get(ReminderRecord, reminder_id)
        return _reminder(record) if record else None

    def planned(self, *, case_id: int | None = None, municipality_id: int | None = None,
                state_path: str | None = None, anchor: str | None = None) -> list[Reminder]:
        stmt = select(ReminderRecord).where(ReminderRecord.status == PLANNED)
        if case_id is not None:
            stmt = stmt.where(ReminderRecord.case_id == case_id)
        if municipality_id is not None:
            stmt = stmt.where(ReminderRecord.municipality_id == municipality_id)
        if state_path is not None:
            stmt = stmt.where(ReminderRecord.state_path == state_path)
        if anchor is not None:
            stmt = stmt.where(ReminderRecord.anchor == anchor)
        return [_reminder(r) for r in self.session.exec(stmt.order_by(col(ReminderRecord.id)))]

    def for_case(self, case_id: int, state_path: str | None = None) -> list[Reminder]:
        """Every row of the case (of ``state_path``, when given), whatever its status, oldest first."""
        stmt = select(ReminderRecord).where(ReminderRecord.case_id == case_id)
        if state_path is not None:
            stmt = stmt.where(ReminderRecord.state_path == state_path)
        return [_reminder(r) for r in self.session.exec(stmt.order_by(col(ReminderRecord.id)))]

    def failed(self, *, municipality_id: int | None = None, reminder_id: int | None = None) -> list[Reminder]:
        stmt = select(ReminderRecord).where(ReminderRecord.status == ReminderStatus.FAILED.value)
        if municipality_id is not None:
            stmt = stmt.where(ReminderRecord.municipality_id == municipality_id)
        if reminder_id is not None:
            stmt = stmt.where(ReminderRecord.id == reminder_id)
        return [_reminder(r) for r in self.session.exec(stmt.order_by(col(ReminderRecord.id)))]

    def claim_due(self, now: datetime, limit: int, worker: str, lease_until: datetime) -> list[Reminder]:
        """Claim due rows (and rows whose SENDING lease ran out) for ``worker``: a compare-and-set.

        PostgreSQL skips rows another sweep has locked; SQLite serialises writers (BEGIN IMMEDIATE).
        No attempt is counted here (only a send that reached the server counts); a row taken over
        from a sender that stopped mid-send is marked :data:`INTERRUPTED` in ``last_error``.
        """
        due = (col(ReminderRecord.status).in_([PLANNED, SENDING])) & (col(ReminderRecord.send_after) <= now)
        ids_stmt = (select(ReminderRecord.id).where(due).order_by(col(ReminderRecord.send_after))
                    .limit(limit).with_for_update(skip_locked=True))
        ids = list(self.session.exec(ids_stmt))
        if not ids:
            return []
        interrupted = case((col(ReminderRecord.status) == SENDING, INTERRUPTED), else_=col(ReminderRecord.last_error))
        self.session.execute(update(ReminderRecord).where(col(ReminderRecord.id).in_(ids), due).values(
            status=SENDING, claimed_by=worker, send_after=lease_until, last_error=interrupted)
            .execution_options(synchronize_session=False))
        self.session.expire_all()
        stmt = select(ReminderRecord).where(col(ReminderRecord.id).in_(ids), ReminderRecord.claimed_by == worker,
                                            ReminderRecord.status == SENDING)
        return [_reminder(r) for r in self.session.exec(stmt.order_by(col(ReminderRecord.due_at)))]

    def hold(self, reminder_id: int, worker: str, now: datetime, lease: timedelta) -> bool:
        """Checked just before sending: the row is still SENDING for ``worker`` with half a lease left.

        A read while more than half the lease remains (no other sender may claim the row before
        it ends); otherwise the claim is renewed to ``now + lease`` by compare-and-set.
        """
        row = self.session.exec(select(ReminderRecord.status, ReminderRecord.claimed_by, ReminderRecord.send_after)
                                .where(ReminderRecord.id == reminder_id)).first()
        if row is None or row[0] != SENDING or row[1] != worker:
            return False
        if row[2] is not None and row[2] - now >= lease / 2:
            return True
        stmt = (update(ReminderRecord).where(col(ReminderRecord.id) == reminder_id,
                                             col(ReminderRecord.status) == SENDING,
                                             col(ReminderRecord.claimed_by) == worker)
                .values(send_after=now + lease).execution_options(synchronize_session=False))
        return bool(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def finish(self, reminder_id: int, worker: str, **values: Any) -> bool:
        """Compare-and-set on a claimed row: only the claiming worker may settle it."""
        stmt = (update(ReminderRecord).where(col(ReminderRecord.id) == reminder_id, col(ReminderRecord.status) == SENDING,
                                             col(ReminderRecord.claimed_by) == worker)
                .values(**values).execution_options(synchronize_session=False))
        return bool(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def _meeting(m: BoardMeetingRecord, b: BoardRecord) -> Meeting:
    assert m.id is not None
    return Meeting(m.id, b.code, b.name or b.code, m.meeting_date, m.start_time, m.location, m.title, m.sequence,
                   b.kallelse_days)


class SqlMeetingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def board(self, municipality_id: int, code: str) -> dict[str, Any] | None:
        record = self._board(municipality_id, code)
        return record.model_dump() if record else None

    def _board(self, municipality_id: int, code: str) -> BoardRecord | None:
        stmt = select(BoardRecord).where(BoardRecord.municipality_id == municipality_id)
        for record in self.session.exec(stmt):
            if record.code.casefold() == code.casefold() or (record.name and record.name.casefold() == code.casefold()):
                return record
        return None

    def boards(self, municipality_id: int) -> list[dict[str, Any]]:
        stmt = select(BoardRecord).where(BoardRecord.municipality_id == municipality_id).order_by(BoardRecord.code)
        return [r.model_dump() for r in self.session.exec(stmt)]

    def upsert_board(self, municipality_id: int, code: str, **details: str | int | None) -> int:
        record = self._board(municipality_id, code)
        if record is None:
            record = BoardRecord(municipality_id=municipality_id, code=code)
            self.session.add(record)
        for key, value in details.items():
            if value is not None and value != "":
                setattr(record, key, value)
        self.session.flush()
        assert record.id is not None
        return record.id

    def meetings(self, municipality_id: int, board_code: str | None = None) -> list[Meeting]:
        stmt = (select(BoardMeetingRecord, BoardRecord).join(BoardRecord)
                .where(BoardRecord.municipality_id == municipality_id))
        rows = [(m, b) for m, b in self.session.exec(stmt)]
        board = self._board(municipality_id, board_code) if board_code else None
        if board_code:
            rows = [(m, b) for m, b in rows if board is not None and b.id == board.id]
        return sorted((_meeting(m, b) for m, b in rows), key=lambda m: (m.day, m.board_code))

    def meeting(self, meeting_id: int) -> Meeting | None:
        m = self.session.get(BoardMeetingRecord, meeting_id)
        return _meeting(m, self.session.get(BoardRecord, m.board_id)) if m else None  # type: ignore[arg-type]

    def _meeting_record(self, board_id: int, day: date) -> BoardMeetingRecord | None:
        stmt = select(BoardMeetingRecord).where(BoardMeetingRecord.board_id == board_id,
                                                BoardMeetingRecord.meeting_date == day)
        return self.session.exec(stmt).first()

    def find_meeting(self, board_id: int, *, day: date | None = None, uid: str = "") -> Meeting | None:
        """The board's meeting on ``day``, or the one imported from the calendar event ``uid``."""
        if day is not None:
            record = self._meeting_record(board_id, day)
        elif uid:
            record = self.session.exec(select(BoardMeetingRecord).where(
                BoardMeetingRecord.board_id == board_id, BoardMeetingRecord.source_uid == uid)).first()
        else:
            return None
        return self.meeting(record.id) if record is not None and record.id is not None else None

    def upsert_meeting(self, board_id: int, day: date, **details: str) -> bool:
        """Add the meeting or update its details (empty values keep what is there); True when it is new.

        A changed start time counts as a new version of the meeting (its ``sequence`` grows).
        """
        record = self._meeting_record(board_id, day)
        created = record is None
        if record is None:
            record = BoardMeetingRecord(board_id=board_id, meeting_date=day)
            self.session.add(record)
        elif details.get("start_time") and details["start_time"] != record.start_time:
            record.sequence += 1
        for key, value in details.items():
            if value:
                setattr(record, key, value)
        self.session.flush()
        return created

    def move_meeting(self, board_id: int, day: date, new_day: date) -> bool:
        record = self._meeting_record(board_id, day)
        if record is None:
            return False
        if new_day != day:
            record.meeting_date = new_day
            record.sequence += 1
        self.session.flush()
        return True

    def remove_meeting(self, board_id: int, day: date) -> bool:
        record = self._meeting_record(board_id, day)
        if record is None:
            return False
        self.session.execute(update(ReminderRecord).where(col(ReminderRecord.meeting_id) == record.id)
                             .values(meeting_id=None).execution_options(synchronize_session=False))
        self.session.delete(record)
        self.session.flush()
        return True


    def closed_periods(self, municipality_id: int) -> list[ClosedPeriod]:
        stmt = select(ClosedPeriodRecord).where(ClosedPeriodRecord.municipality_id == municipality_id)
        return [ClosedPeriod(r.first_day, r.last_day, r.label)
                for r in self.session.exec(stmt.order_by(col(ClosedPeriodRecord.first_day)))]

    def add_closed_period(self, municipality_id: int, period: ClosedPeriod) -> None:
        self.session.add(ClosedPeriodRecord(municipality_id=municipality_id, first_day=period.first_day,
                                            last_day=period.last_day, label=period.label))
        self.session.flush()

    def remove_closed_periods(self, municipality_id: int, day: date | None = None) -> int:
        """Remove the periods that contain ``day`` (every period when None); returns how many."""
        stmt = select(ClosedPeriodRecord).where(ClosedPeriodRecord.municipality_id == municipality_id)
        found = [r for r in self.session.exec(stmt) if day is None or r.first_day <= day <= r.last_day]
        for r in found:
            self.session.delete(r)
        self.session.flush()
        return len(found)

    def supporters(self, municipality_id: int) -> list[dict[str, Any]]:
        """The SKR process supporters assigned to the municipality (user rows)."""
        stmt = (select(UserRecord).join(MunicipalitySupporterRecord, col(MunicipalitySupporterRecord.user_id)
                                        == col(UserRecord.id))
                .where(MunicipalitySupporterRecord.municipality_id == municipality_id).order_by(UserRecord.username))
        return [r.model_dump() for r in self.session.exec(stmt)]

    def set_supporter(self, municipality_id: int, user_id: int, assigned: bool) -> bool:
        """Assign (or unassign) a process supporter; True when something changed."""
        stmt = select(MunicipalitySupporterRecord).where(MunicipalitySupporterRecord.municipality_id == municipality_id,
                                                         MunicipalitySupporterRecord.user_id == user_id)
        record = self.session.exec(stmt).first()
        if assigned == (record is not None):
            return False
        if record is None:
            self.session.add(MunicipalitySupporterRecord(municipality_id=municipality_id, user_id=user_id))
        else:
            self.session.delete(record)
        self.session.flush()
        return True


class SqlPauseRepository:
    """The suspension ledger."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def open_pause(self, case_id: int) -> dict[str, Any] | None:
        stmt = select(CasePauseRecord).where(CasePauseRecord.case_id == case_id,
                                             col(CasePauseRecord.resumed_at).is_(None))
        record = self.session.exec(stmt).first()
        return record.model_dump() if record else None

    def start(self, case_id: int, at: datetime, reason: str, actor: str) -> None:
        self.session.add(CasePauseRecord(case_id=case_id, paused_at=at, reason=reason, actor=actor))
        self.session.flush()

    def finish(self, pause_id: int, at: datetime, shift_days: int) -> None:
        record = self.session.get(CasePauseRecord, pause_id)
        assert record is not None
        record.resumed_at, record.shift_days = at, shift_days
        self.session.flush()

    def ledger(self, case_id: int) -> list[dict[str, Any]]:
        stmt = select(CasePauseRecord).where(CasePauseRecord.case_id == case_id).order_by(col(CasePauseRecord.id))
        return [r.model_dump() for r in self.session.exec(stmt)]
