"""ESF hours tables (migrations 0004 and 0006).

Time entries are append-only: a correction or withdrawal adds rows (a negative reversal, and for a
correction the new version) and never changes or deletes the original. Attendance at a network
meeting is a time entry linked to the meeting. People, claim periods, attestations, the
network's ESF settings, export records and an audit log complete the feature.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from journey.adapters.sql.column_types import UTCDateTime
from journey.adapters.sql.tables import core as _core  # noqa: F401  (foreign keys to municipality)
from journey.domain import limits


class NetworkMeetingRecord(SQLModel, table=True):
    __tablename__ = "network_meeting"
    __table_args__ = (Index("ix_network_meeting_date", "date"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    date: Date
    title: str = Field(max_length=limits.NETWORK_MEETING_TITLE)
    quarters: int  # the meeting's length in quarter hours
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    created_by: str = Field(max_length=limits.USERNAME)
    created_at: datetime = Field(sa_type=UTCDateTime)


class PersonRecord(SQLModel, table=True):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("municipality_id", "name_key", name="uq_person_municipality_name"),)
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id")
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    function: str = Field(default="", max_length=200)
    department: str = Field(default="", max_length=200)
    share_percent: int | None = None
    salary_group: str = Field(default="", max_length=3)
    unit_cost_ore: int | None = None
    start_date: Date | None = None
    end_date: Date | None = None
    username: str = Field(default="", max_length=100)
    review_note: str = Field(default="", max_length=1000)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_by: str = Field(default="", max_length=100)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ClaimPeriodRecord(SQLModel, table=True):
    __tablename__ = "claim_period"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    start_date: Date
    end_date: Date
    status: str = Field(max_length=20)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_type=UTCDateTime)
    locked_by: str = Field(default="", max_length=100)
    locked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TimeEntryRecord(SQLModel, table=True):
    __tablename__ = "time_entry"
    __table_args__ = (
        CheckConstraint("quarters <> 0", name="ck_time_entry_quarters_nonzero"),
        # a municipality's entries by date, covering the columns the monitor's yearly sum reads (migration 0015)
        Index("ix_time_entry_municipality_hours", "municipality_id", "date", "meeting_id", "quarters"),
        Index("ix_time_entry_person_date", "person_id", "date"),
        Index("uq_time_entry_attendance", "meeting_id", "person_id", unique=True,
              sqlite_where=text("kind = 'ENTRY' AND meeting_id IS NOT NULL"),
              postgresql_where=text("kind = 'ENTRY' AND meeting_id IS NOT NULL")),
    )
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id")
    person_id: int = Field(foreign_key="person.id")
    person: str = Field(max_length=limits.PERSON)
    date: Date
    quarters: int
    activity: str = Field(max_length=40)
    description: str = Field(max_length=limits.DESCRIPTION)
    stage: str = Field(default="", max_length=limits.IDENTIFIER)
    meeting_id: int | None = Field(default=None, foreign_key="network_meeting.id")
    kind: str = Field(default="ENTRY", max_length=20)
    corrects_id: int | None = Field(default=None, foreign_key="time_entry.id")
    reason: str = Field(default="", max_length=500)
    claim_period_id: int | None = Field(default=None, foreign_key="claim_period.id")
    created_by: str = Field(max_length=limits.USERNAME)
    created_at: datetime = Field(sa_type=UTCDateTime)


class AttestationRecord(SQLModel, table=True):
    __tablename__ = "hours_attestation"
    __table_args__ = (Index("ix_hours_attestation_person_month", "person_id", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    month: str = Field(max_length=7)
    kind: str = Field(max_length=20)
    method: str = Field(default="", max_length=20)
    last_entry_id: int
    quarters: int
    actor: str = Field(max_length=100)
    at: datetime = Field(sa_type=UTCDateTime)


class EsfSettingRecord(SQLModel, table=True):
    __tablename__ = "esf_setting"
    key: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=200)
    changed_by: str = Field(max_length=100)
    changed_at: datetime = Field(sa_type=UTCDateTime)


class HoursExportRecord(SQLModel, table=True):
    __tablename__ = "hours_export"
    id: int | None = Field(default=None, primary_key=True)
    claim_period_id: int | None = Field(default=None, foreign_key="claim_period.id")
    year: int | None = None
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    settings: str = Field(max_length=20000)  # JSON: every setting and unit cost the export used
    files: str = Field(default="", max_length=2000)
    actor: str = Field(max_length=100)
    at: datetime = Field(sa_type=UTCDateTime)


class EsfAuditRecord(SQLModel, table=True):
    __tablename__ = "esf_audit"
    __table_args__ = (Index("ix_esf_audit_at", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=40)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    subject: str = Field(default="", max_length=200)
    detail: str = Field(default="", max_length=4000)
