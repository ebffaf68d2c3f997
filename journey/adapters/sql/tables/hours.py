"""ESF hours tables: time entries and network meetings (attendance is a time entry linked to a meeting)."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from journey.adapters.sql.column_types import UTCDateTime
from journey.domain import limits


class NetworkMeetingRecord(SQLModel, table=True):
    __tablename__ = "network_meeting"
    __table_args__ = (Index("ix_network_meeting_date", "date"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    date: Date
    title: str = Field(max_length=limits.NETWORK_MEETING_TITLE)
    hours: int
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    created_by: str = Field(max_length=limits.USERNAME)
    created_at: datetime = Field(sa_type=UTCDateTime)


class TimeEntryRecord(SQLModel, table=True):
    __tablename__ = "time_entry"
    __table_args__ = (
        CheckConstraint("hours > 0", name="ck_time_entry_hours_positive"),
        UniqueConstraint("meeting_id", "municipality_id", "person", name="uq_time_entry_meeting_person"),
        Index("ix_time_entry_municipality_date", "municipality_id", "date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id")
    person: str = Field(max_length=limits.PERSON)
    date: Date
    hours: int
    activity: str = Field(max_length=40)
    description: str = Field(max_length=limits.DESCRIPTION)
    stage: str = Field(default="", max_length=limits.IDENTIFIER)
    meeting_id: int | None = Field(default=None, foreign_key="network_meeting.id")
    created_by: str = Field(max_length=limits.USERNAME)
    created_at: datetime = Field(sa_type=UTCDateTime)
