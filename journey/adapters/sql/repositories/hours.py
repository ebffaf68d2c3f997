"""ESF time entries and network meetings: SQLModel tables (migration 0004) and their repository."""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import date as Date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from journey.adapters.sql.tables.core import MunicipalityRecord
from journey.adapters.sql.tables.hours import NetworkMeetingRecord, TimeEntryRecord
from journey.domain.hours import Activity, MeetingKind, NetworkMeeting, TimeEntry


def _meeting(r: NetworkMeetingRecord) -> NetworkMeeting:
    return NetworkMeeting(MeetingKind(r.kind), r.date, r.title, r.hours, r.municipality_id, r.id)


def _year(year: int) -> tuple[Date, Date]:
    return Date(year, 1, 1), Date(year, 12, 31)


class SqlHoursRepository:
    """``uow.hours``: writes and reads inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_entry(self, entry: TimeEntry, actor: str) -> int:
        record = TimeEntryRecord(municipality_id=entry.municipality_id, person=entry.person, date=entry.day,
                                 hours=entry.hours, activity=entry.activity.value, description=entry.description,
                                 stage=entry.stage, meeting_id=entry.meeting_id, created_by=actor,
                                 created_at=datetime.now(UTC))
        self.session.add(record)
        self.session.flush()
        assert record.id is not None
        return record.id

    def day_total(self, person: str, day: Date) -> int:
        stmt = select(func.coalesce(func.sum(TimeEntryRecord.hours), 0)).where(
            TimeEntryRecord.person == person, TimeEntryRecord.date == day)
        return int(self.session.exec(stmt).one())

    def attended(self, meeting_id: int, municipality_id: int, person: str) -> bool:
        stmt = select(TimeEntryRecord.id).where(TimeEntryRecord.meeting_id == meeting_id,
                                                TimeEntryRecord.municipality_id == municipality_id,
                                                TimeEntryRecord.person == person)
        return self.session.exec(stmt).first() is not None

    def entries(self, year: int, municipality_id: int | None = None) -> list[dict[str, Any]]:
        """Every entry of ``year`` with its municipality's name and code, by municipality, date, person."""
        first, last = _year(year)
        stmt = (select(TimeEntryRecord, MunicipalityRecord.name, MunicipalityRecord.code)
                .join(MunicipalityRecord, col(MunicipalityRecord.id) == TimeEntryRecord.municipality_id)
                .where(TimeEntryRecord.date >= first, TimeEntryRecord.date <= last))
        if municipality_id is not None:
            stmt = stmt.where(TimeEntryRecord.municipality_id == municipality_id)
        stmt = stmt.order_by(col(MunicipalityRecord.name), col(TimeEntryRecord.date), col(TimeEntryRecord.person),
                             col(TimeEntryRecord.id))
        rows = []
        for r, name, code in self.session.exec(stmt):
            rows.append({"id": r.id, "municipality_id": r.municipality_id, "municipality": name, "code": code,
                         "person": r.person, "date": r.date, "hours": r.hours, "activity": Activity(r.activity).value,
                         "description": r.description, "stage": r.stage, "meeting_id": r.meeting_id})
        return rows

    def add_meeting(self, meeting: NetworkMeeting, actor: str) -> NetworkMeeting:
        record = NetworkMeetingRecord(kind=meeting.kind.value, date=meeting.day, title=meeting.title,
                                      hours=meeting.hours, municipality_id=meeting.municipality_id, created_by=actor,
                                      created_at=datetime.now(UTC))
        self.session.add(record)
        self.session.flush()
        return _meeting(record)

    def meeting(self, meeting_id: int) -> NetworkMeeting | None:
        record = self.session.get(NetworkMeetingRecord, meeting_id)
        return _meeting(record) if record else None

    def meetings(self, year: int) -> list[NetworkMeeting]:
        first, last = _year(year)
        stmt = (select(NetworkMeetingRecord).where(NetworkMeetingRecord.date >= first, NetworkMeetingRecord.date <= last)
                .order_by(col(NetworkMeetingRecord.date), col(NetworkMeetingRecord.id)))
        return [_meeting(r) for r in self.session.exec(stmt)]

    def attendance(self, year: int) -> list[tuple[int, int, str]]:
        """(meeting id, municipality id, person) for every attendance in ``year``."""
        first, last = _year(year)
        stmt = select(TimeEntryRecord.meeting_id, TimeEntryRecord.municipality_id, TimeEntryRecord.person).where(
            col(TimeEntryRecord.meeting_id).is_not(None), TimeEntryRecord.date >= first, TimeEntryRecord.date <= last)
        return [(int(m or 0), int(mid), p) for m, mid, p in self.session.exec(stmt)]
