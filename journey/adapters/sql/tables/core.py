"""SQLModel table classes for the core: municipalities, users, cases and their history.

The schema is owned by Alembic (``journey/adapters/migrations``); ``create_all`` is never used.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from journey.adapters.sql.column_types import UTCDateTime
from journey.domain import limits


def _utc(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class MunicipalityRecord(SQLModel, table=True):
    __tablename__ = "municipality"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=8)
    name: str = Field(unique=True, max_length=limits.MUNICIPALITY_NAME)
    slug: str = Field(unique=True, max_length=limits.MUNICIPALITY_NAME)
    county: str = Field(default="", max_length=limits.MUNICIPALITY_NAME)
    workflow: str = Field(default="handbook", max_length=limits.IDENTIFIER)
    created_at: datetime = _utc()


class UserRecord(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = (Index("ix_app_user_role_municipality", "role", "municipality_id"),)
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=limits.USERNAME)
    display_name: str = Field(default="", max_length=limits.DISPLAY_NAME)
    email: str = Field(default="", max_length=limits.EMAIL)
    phone: str = Field(default="", max_length=40)
    role: str = Field(max_length=20)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    created_at: datetime = _utc()


_case_version = Column("version", Integer, nullable=False)


class CaseRecord(SQLModel, table=True):
    __tablename__ = "journey_case"
    __table_args__ = (Index("ix_journey_case_stage", "workflow", "stage"),)
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", unique=True)
    workflow: str = Field(max_length=limits.IDENTIFIER)
    workflow_version: int
    state: str = Field(max_length=limits.CASE_STATE)
    stage: str = Field(max_length=limits.IDENTIFIER)
    status: str = Field(max_length=20)
    opened_at: datetime = _utc()
    stage_entered_at: datetime = _utc()
    updated_at: datetime = _utc()
    version: int = Field(default=1, sa_column=_case_version)
    __mapper_args__ = {"version_id_col": _case_version}


class HistoryRecord(SQLModel, table=True):
    """Append-only: database triggers refuse UPDATE and DELETE (see migration 0001)."""

    __tablename__ = "case_history"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="journey_case.id", index=True)
    seq: int
    kind: str = Field(max_length=20)
    from_state: str | None = Field(default=None, max_length=limits.CASE_STATE)
    to_state: str = Field(max_length=limits.CASE_STATE)
    trigger: str | None = Field(default=None, max_length=limits.IDENTIFIER)
    actor: str = Field(max_length=limits.USERNAME)
    at: datetime = _utc()
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    comment: str = Field(default="", max_length=limits.COMMENT)
