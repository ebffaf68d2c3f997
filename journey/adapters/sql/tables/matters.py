"""Matters (ärenden) beside the case, and each body's decision on them (tables ``matter``, ``matter_decision``)."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from journey.adapters.sql.column_types import UTCDateTime
from journey.adapters.sql.tables import core as _core  # noqa: F401  (foreign keys to journey_case)


class MatterRecord(SQLModel, table=True):
    __tablename__ = "matter"
    __table_args__ = (Index("ix_matter_case", "case_id", "state_path"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="journey_case.id")
    state_path: str = Field(max_length=500)
    title: str = Field(default="", max_length=300)
    bodies: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(max_length=20)
    diarienummer: str = Field(default="", max_length=100)
    handlaggare: str = Field(default="", max_length=200)
    forvaltning: str = Field(default="", max_length=200)
    proposal: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    target_meeting: Date | None = None
    planned_meeting: Date | None = None  # the meeting the reminders aim at (a miss is found against it)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    opened_by: str = Field(default="", max_length=100)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class MatterDecisionRecord(SQLModel, table=True):
    __tablename__ = "matter_decision"
    __table_args__ = (UniqueConstraint("matter_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    matter_id: int = Field(foreign_key="matter.id", index=True)
    seq: int
    body: str = Field(max_length=100)
    outcome: str = Field(max_length=20)
    meeting_date: Date
    paragraph: int | None = None
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(default="", max_length=100)
    history_seq: int = 0
