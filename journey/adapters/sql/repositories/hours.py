"""ESF time reporting storage (migrations 0004, 0006): entries, people, meetings, periods, attestations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date as Date
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, case, func, literal_column, update
from sqlmodel import Session, col, select

from journey.adapters.sql.tables.hours import (
    AttestationRecord,
    ClaimPeriodRecord,
    EsfAuditRecord,
    EsfSettingRecord,
    HoursExportRecord,
    NetworkMeetingRecord,
    PersonRecord,
    TimeEntryRecord,
)
from journey.domain.errors import NotFoundError
from journey.domain.esf import Attestation, ClaimPeriod, ClaimStatus, EntryKind, MonthStatus, month_bounds
from journey.domain.hours import Activity, EntryTotal, MeetingKind, NetworkMeeting, TimeEntry
from journey.domain.messages import msg
from journey.domain.people import Person, PersonKind, person_key


def _meeting(r: NetworkMeetingRecord) -> NetworkMeeting:
    return NetworkMeeting(MeetingKind(r.kind), r.date, r.title, r.quarters, r.municipality_id, r.id)


def _entry(r: TimeEntryRecord) -> TimeEntry:
    return TimeEntry(r.municipality_id, r.person_id, r.person, r.date, r.quarters, Activity(r.activity), r.description,
                     r.stage, r.meeting_id, EntryKind(r.kind), r.corrects_id, r.reason, r.claim_period_id, r.id,
                     r.created_by, r.created_at)


def _period(r: ClaimPeriodRecord) -> ClaimPeriod:
    return ClaimPeriod(r.id, r.name, r.start_date, r.end_date, ClaimStatus(r.status), r.locked_by, r.locked_at)


def _person(r: Any) -> Person:
    return Person(r.id, r.municipality_id, r.name, PersonKind(r.kind), r.function, r.department, r.share_percent,
                  r.salary_group, r.unit_cost_ore, r.start_date, r.end_date, r.username, r.review_note)


class SqlHoursRepository:
    """``uow.hours``: writes and reads inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # entries

    def add_entry(self, entry: TimeEntry, actor: str, at: datetime) -> int:
        record = TimeEntryRecord(municipality_id=entry.municipality_id, person_id=entry.person_id, person=entry.person,
                                 date=entry.day, quarters=entry.quarters, activity=entry.activity.value,
                                 description=entry.description, stage=entry.stage, meeting_id=entry.meeting_id,
                                 kind=entry.kind.value, corrects_id=entry.corrects_id, reason=entry.reason,
                                 claim_period_id=entry.claim_period_id, created_by=actor, created_at=at)
        self.session.add(record)
        self.session.flush()
        assert record.id is not None
        return record.id

    def entry(self, entry_id: int) -> TimeEntry | None:
        record = self.session.get(TimeEntryRecord, entry_id)
        return _entry(record) if record else None

    def followers(self, entry_id: int) -> list[TimeEntry]:
        """The rows that correct, reverse or withdraw ``entry_id``, oldest first."""
        stmt = select(TimeEntryRecord).where(TimeEntryRecord.corrects_id == entry_id).order_by(col(TimeEntryRecord.id))
        return [_entry(r) for r in self.session.exec(stmt)]

    def rows(self, first: Date | None = None, last: Date | None = None, municipality_id: int | None = None,
             person_id: int | None = None) -> list[TimeEntry]:
        """Every row in the date range (both ends included), by date, person and id."""
        stmt = select(TimeEntryRecord)
        if first is not None:
            stmt = stmt.where(TimeEntryRecord.date >= first)
        if last is not None:
            stmt = stmt.where(TimeEntryRecord.date <= last)
        if municipality_id is not None:
            stmt = stmt.where(TimeEntryRecord.municipality_id == municipality_id)
        if person_id is not None:
            stmt = stmt.where(TimeEntryRecord.person_id == person_id)
        stmt = stmt.order_by(col(TimeEntryRecord.date), col(TimeEntryRecord.person), col(TimeEntryRecord.id))
        return [_entry(r) for r in self.session.exec(stmt)]

    def totals(self, first: Date | None, last: Date | None,
               municipality_ids: Sequence[int] | None) -> list[EntryTotal]:
        """One GROUP BY: memory follows people, not the number of rows. Within one calendar year the
        year is not computed per row (a fifth of the query's time on SQLite)."""
        t = TimeEntryRecord
        one_year = first is not None and last is not None and first.year == last.year
        year = (literal_column(str(int(first.year)), Integer) if one_year and first is not None
                else func.extract("year", col(t.date)))
        at_meeting = case((col(t.meeting_id).is_(None), 0), else_=col(t.quarters))
        stmt = select(col(t.municipality_id), col(t.person_id), year, func.sum(t.quarters),  # type: ignore[call-overload]
                      func.sum(at_meeting))
        if first is not None:
            stmt = stmt.where(t.date >= first)
        if last is not None:
            stmt = stmt.where(t.date <= last)
        if municipality_ids is not None:
            stmt = stmt.where(col(t.municipality_id).in_(sorted(set(municipality_ids))))
        stmt = stmt.group_by(col(t.municipality_id), col(t.person_id), *([] if one_year else [year]))
        return [EntryTotal(int(m), int(p), int(y), int(q), int(mq)) for m, p, y, q, mq in self.session.exec(stmt)]

    def year_totals(self, person_ids: Sequence[int], first: Date | None = None,
                    last: Date | None = None) -> dict[tuple[int, int], int]:
        t = TimeEntryRecord
        year = func.extract("year", col(t.date))
        stmt = select(col(t.person_id), year, func.sum(t.quarters)).where(col(t.person_id).in_(sorted(set(person_ids))))
        if first is not None:
            stmt = stmt.where(t.date >= first)
        if last is not None:
            stmt = stmt.where(t.date <= last)
        return {(int(p), int(y)): int(q) for p, y, q in self.session.exec(stmt.group_by(col(t.person_id), year))}

    def person_total(self, person_id: int, first: Date, last: Date) -> int:
        stmt = select(func.coalesce(func.sum(TimeEntryRecord.quarters), 0)).where(
            TimeEntryRecord.person_id == person_id, TimeEntryRecord.date >= first, TimeEntryRecord.date <= last)
        return int(self.session.exec(stmt).one())

    def month_rows(self, person_id: int, month: str) -> tuple[int, int]:
        """(total quarter hours, id of the newest row) of the person's month; (0, 0) when empty."""
        first, last = month_bounds(month)
        stmt = select(func.coalesce(func.sum(TimeEntryRecord.quarters), 0), func.coalesce(func.max(TimeEntryRecord.id), 0)
                      ).where(TimeEntryRecord.person_id == person_id, TimeEntryRecord.date >= first,
                              TimeEntryRecord.date <= last)
        total, newest = self.session.exec(stmt).one()
        return int(total), int(newest or 0)

    def attended(self, meeting_id: int, person_id: int) -> bool:
        stmt = select(TimeEntryRecord.id).where(TimeEntryRecord.meeting_id == meeting_id,
                                                TimeEntryRecord.person_id == person_id,
                                                TimeEntryRecord.kind == EntryKind.ENTRY.value)
        return self.session.exec(stmt).first() is not None

    # meetings

    def add_meeting(self, meeting: NetworkMeeting, actor: str, at: datetime) -> NetworkMeeting:
        record = NetworkMeetingRecord(kind=meeting.kind.value, date=meeting.day, title=meeting.title,
                                      quarters=meeting.quarters, municipality_id=meeting.municipality_id,
                                      created_by=actor, created_at=at)
        self.session.add(record)
        self.session.flush()
        return _meeting(record)

    def meeting(self, meeting_id: int) -> NetworkMeeting | None:
        record = self.session.get(NetworkMeetingRecord, meeting_id)
        return _meeting(record) if record else None

    def meetings(self, first: Date, last: Date) -> list[NetworkMeeting]:
        stmt = (select(NetworkMeetingRecord).where(NetworkMeetingRecord.date >= first, NetworkMeetingRecord.date <= last)
                .order_by(col(NetworkMeetingRecord.date), col(NetworkMeetingRecord.id)))
        return [_meeting(r) for r in self.session.exec(stmt)]

    def attendance(self, first: Date, last: Date) -> list[tuple[int, int, int]]:
        """(meeting id, municipality id, person id) of every attendance still standing in the range."""
        stmt = (select(TimeEntryRecord.meeting_id, TimeEntryRecord.municipality_id, TimeEntryRecord.person_id)
                .where(col(TimeEntryRecord.meeting_id).is_not(None), TimeEntryRecord.date >= first,
                       TimeEntryRecord.date <= last)
                .group_by(col(TimeEntryRecord.meeting_id), col(TimeEntryRecord.municipality_id),
                          col(TimeEntryRecord.person_id))
                .having(func.sum(TimeEntryRecord.quarters) > 0))
        return [(int(m or 0), int(mid), int(pid)) for m, mid, pid in self.session.exec(stmt)]

    # claim periods

    def claim_periods(self) -> list[ClaimPeriod]:
        stmt = select(ClaimPeriodRecord).order_by(col(ClaimPeriodRecord.start_date))
        return [_period(r) for r in self.session.exec(stmt)]

    def add_claim_period(self, period: ClaimPeriod, actor: str, at: datetime) -> ClaimPeriod:
        record = ClaimPeriodRecord(name=period.name, start_date=period.start, end_date=period.end,
                                   status=period.status.value, created_by=actor, created_at=at)
        self.session.add(record)
        self.session.flush()
        return _period(record)

    def lock_claim_period(self, period_id: int, actor: str, at: datetime) -> int:
        """Lock the period and pin every unassigned row it covers to it; returns how many rows were pinned."""
        record = self.session.get(ClaimPeriodRecord, period_id)
        if record is None:
            raise NotFoundError(msg("no claim period with id {period_id}", period_id=period_id))
        record.status, record.locked_by, record.locked_at = ClaimStatus.LOCKED.value, actor, at
        self.session.add(record)
        result = self.session.execute(
            update(TimeEntryRecord).where(col(TimeEntryRecord.claim_period_id).is_(None),
                                          col(TimeEntryRecord.date) >= record.start_date,
                                          col(TimeEntryRecord.date) <= record.end_date)
            .values(claim_period_id=period_id))
        self.session.flush()
        return int(getattr(result, "rowcount", 0) or 0)

    # attestations

    def attestations(self, person_ids: Sequence[int] | None = None) -> list[Attestation]:
        stmt = select(AttestationRecord)
        if person_ids is not None:
            stmt = stmt.where(col(AttestationRecord.person_id).in_(list(person_ids)))
        stmt = stmt.order_by(col(AttestationRecord.id))
        return [Attestation(r.person_id, r.month, MonthStatus(r.kind), r.actor, r.at, r.last_entry_id, r.quarters,
                            r.method) for r in self.session.exec(stmt)]

    def add_attestation(self, attestation: Attestation) -> None:
        self.session.add(AttestationRecord(person_id=attestation.person_id, month=attestation.month,
                                           kind=attestation.kind.value, method=attestation.method,
                                           last_entry_id=attestation.last_entry_id, quarters=attestation.quarters,
                                           actor=attestation.actor, at=attestation.at))
        self.session.flush()

    # settings, exports, audit

    def settings(self) -> dict[str, str]:
        return {r.key: r.value for r in self.session.exec(select(EsfSettingRecord))}

    def set_setting(self, key: str, value: str, actor: str, at: datetime) -> None:
        record = self.session.get(EsfSettingRecord, key) or EsfSettingRecord(key=key, value=value, changed_by=actor,
                                                                             changed_at=at)
        record.value, record.changed_by, record.changed_at = value, actor, at
        self.session.add(record)
        self.session.flush()

    def add_export(self, row: dict[str, Any]) -> int:
        record = HoursExportRecord(**row)
        self.session.add(record)
        self.session.flush()
        assert record.id is not None
        return record.id

    def audit(self, action: str, actor: str, at: datetime, municipality_id: int | None, subject: str,
              detail: dict[str, Any]) -> None:
        self.session.add(EsfAuditRecord(at=at, actor=actor, action=action, municipality_id=municipality_id,
                                        subject=subject[:200],
                                        detail=json.dumps(detail, ensure_ascii=False, default=str)[:4000]))
        self.session.flush()

    def audit_log(self, municipality_ids: Sequence[int] | None, limit: int) -> list[dict[str, Any]]:
        stmt = select(EsfAuditRecord)
        if municipality_ids is not None:
            stmt = stmt.where(col(EsfAuditRecord.municipality_id).in_(list(municipality_ids)))
        stmt = stmt.order_by(col(EsfAuditRecord.id).desc()).limit(limit)
        return [{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action, "municipality_id": r.municipality_id,
                 "subject": r.subject, "detail": json.loads(r.detail or "{}")} for r in self.session.exec(stmt)]


class SqlPeopleRepository:
    """``uow.people``: the people who report time, per municipality."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, person: Person, actor: str, at: datetime) -> Person:
        record = PersonRecord(municipality_id=person.municipality_id, name=person.name, name_key=person_key(person.name),
                              created_by=actor, created_at=at, kind=person.kind.value)
        self._fill(record, person)
        self.session.add(record)
        self.session.flush()
        return _person(record)

    def save(self, person: Person, actor: str, at: datetime) -> None:
        record = self.session.get(PersonRecord, person.id)
        if record is None:
            raise NotFoundError(msg("no person with id {id}", id=person.id))
        record.name, record.name_key = person.name, person_key(person.name)
        self._fill(record, person)
        record.updated_by, record.updated_at = actor, at
        self.session.add(record)
        self.session.flush()

    @staticmethod
    def _fill(record: PersonRecord, person: Person) -> None:
        record.kind, record.function, record.department = person.kind.value, person.function, person.department
        record.share_percent, record.salary_group, record.unit_cost_ore = (person.share_percent, person.salary_group,
                                                                           person.unit_cost_ore)
        record.start_date, record.end_date, record.username = person.start, person.end, person.username
        record.review_note = person.review_note

    def get(self, person_id: int) -> Person:
        record = self.session.get(PersonRecord, person_id)
        if record is None:
            raise NotFoundError(msg("no person with id {person_id}", person_id=person_id))
        return _person(record)

    def lock(self, person_id: int) -> None:
        self.session.exec(select(PersonRecord.id).where(PersonRecord.id == person_id).with_for_update()).first()

    def list(self, municipality_id: int | None = None) -> list[Person]:
        """Read as plain rows (no ORM objects): a national summary reads thousands of people."""
        stmt = select(*PersonRecord.__table__.columns)  # type: ignore[attr-defined]
        if municipality_id is not None:
            stmt = stmt.where(PersonRecord.municipality_id == municipality_id)
        stmt = stmt.order_by(col(PersonRecord.municipality_id), col(PersonRecord.name_key))
        return [_person(r) for r in self.session.execute(stmt)]
