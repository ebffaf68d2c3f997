"""Tables for reminders: board calendars, the reminder outbox, the pause ledger, the scheduler lease.

``reminder`` is a contract other features read (monitoring): keep the column names and the
status values of :class:`journey.domain.reminders.ReminderStatus`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from journey.adapters.sql.column_types import UTCDateTime
from journey.adapters.sql.tables import core as _core  # noqa: F401  (foreign keys to app_user, journey_case, municipality)
from journey.domain import limits


class BoardRecord(SQLModel, table=True):
    """A political board of one municipality: KS, KF or a nämnd, with its contact addresses."""

    __tablename__ = "board"
    __table_args__ = (UniqueConstraint("municipality_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id")
    code: str = Field(max_length=limits.BOARD_CODE)
    name: str = Field(default="", max_length=limits.BOARD_NAME)
    secretary_email: str = Field(default="", max_length=limits.EMAIL)
    chair_email: str = Field(default="", max_length=limits.EMAIL)
    kallelse_days: int | None = None  # working days before a meeting that the kallelse goes out (None: 7)


class BoardMeetingRecord(SQLModel, table=True):
    """One meeting. ``sequence`` grows when its date or time changes; ``source_uid`` is the UID of the
    calendar event it was imported from (with the original date for an occurrence of a series)."""

    __tablename__ = "board_meeting"
    __table_args__ = (UniqueConstraint("board_id", "meeting_date"),)
    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    meeting_date: date
    start_time: str = Field(default="", max_length=5)
    location: str = Field(default="", max_length=limits.MEETING_LOCATION)
    title: str = Field(default="", max_length=limits.MEETING_TITLE)
    source: str = Field(default="", max_length=limits.MEETING_SOURCE)
    sequence: int = 0
    source_uid: str = Field(default="", max_length=400)


class ReminderRecord(SQLModel, table=True):
    """One email to one recipient role. ``send_after`` is what the sweep polls (indexed with status):
    the due time, a retry time after a failure, the lease end while SENDING, NULL while paused."""

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_status_send_after", "status", "send_after"),
                      # a case's reminders by status, in due order: its next one is the first (migration 0015)
                      Index("ix_reminder_case_status_due", "case_id", "status", "due_at"))
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="journey_case.id")
    municipality_id: int = Field(foreign_key="municipality.id")
    rule_id: str = Field(max_length=limits.IDENTIFIER)
    state_path: str = Field(max_length=300)
    recipient_role: str = Field(max_length=40)
    template: str = Field(max_length=limits.IDENTIFIER)
    title: str = Field(default="", max_length=limits.REMINDER_TITLE)
    subject: str = Field(default="", max_length=limits.REMINDER_SUBJECT)
    anchor: str = Field(max_length=20)
    board: str = Field(default="", max_length=limits.BOARD_CODE)
    offset_days: int = 0
    local_time: str = Field(default="08:00", max_length=5)
    entered_at: datetime = Field(sa_type=UTCDateTime)
    nominal_date: date | None = None
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    send_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    shift_days: int = 0
    meeting_id: int | None = Field(default=None, foreign_key="board_meeting.id")
    status: str = Field(max_length=20)
    attempts: int = 0
    claimed_by: str = Field(default="", max_length=100)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    idempotency_key: str = Field(max_length=400, unique=True)
    reason: str = Field(default="", max_length=1000)
    last_error: str = Field(default="", max_length=1000)
    round: int = 1  # 2, 3 ... for the repeats of a stall reminder
    created_at: datetime = Field(sa_type=UTCDateTime)


class CasePauseRecord(SQLModel, table=True):
    """The suspension ledger: one row per pause; ``resumed_at`` is NULL while the case is paused."""

    __tablename__ = "case_pause"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="journey_case.id", index=True)
    paused_at: datetime = Field(sa_type=UTCDateTime)
    resumed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    shift_days: int = 0
    reason: str = Field(default="", max_length=limits.PAUSE_REASON)
    actor: str = Field(max_length=limits.USERNAME)


class SchedulerLeaseRecord(SQLModel, table=True):
    """Who may send: one row per lease name; used on SQLite (PostgreSQL uses an advisory lock)."""

    __tablename__ = "scheduler_lease"
    name: str = Field(primary_key=True, max_length=50)
    holder: str = Field(max_length=200)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class ClosedPeriodRecord(SQLModel, table=True):
    """A period when a municipality works no deadlines (sommaruppehåll, klämdagar), both days included."""

    __tablename__ = "closed_period"
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    first_day: date
    last_day: date
    label: str = Field(default="", max_length=200)


class MunicipalitySupporterRecord(SQLModel, table=True):
    """An SKR process supporter assigned to a municipality (gets its SKR reminders)."""

    __tablename__ = "municipality_supporter"
    __table_args__ = (UniqueConstraint("municipality_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id")
    user_id: int = Field(foreign_key="app_user.id")
