"""Case migration tables: runs of `journey migrate` and each case they moved (for rollback)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from journey.adapters.sql.column_types import UTCDateTime
from journey.adapters.sql.tables import core as _core  # noqa: F401  (foreign keys to journey_case)
from journey.domain import limits


class MigrationRunRecord(SQLModel, table=True):
    __tablename__ = "migration_run"
    id: int | None = Field(default=None, primary_key=True)
    workflows: str = Field(max_length=limits.MIGRATION_WORKFLOWS)  # comma-separated workflow names the run covered
    to_version: int
    actor: str = Field(max_length=limits.USERNAME)
    status: str = Field(max_length=20)  # RUNNING | APPLIED | ROLLED_BACK
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    migrated: int = 0
    not_migrated: int = 0
    rolled_back_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rolled_back_by: str = Field(default="", max_length=limits.USERNAME)


class CaseMigrationRecord(SQLModel, table=True):
    """What one case was before and after a run: enough to put it back exactly."""

    __tablename__ = "case_migration"
    __table_args__ = (UniqueConstraint("run_id", "case_id"), Index("ix_case_migration_case", "case_id"))
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="migration_run.id")
    case_id: int = Field(foreign_key="journey_case.id")
    workflow: str = Field(max_length=limits.IDENTIFIER)
    from_version: int
    to_version: int
    from_state: str = Field(max_length=limits.CASE_STATE)
    to_state: str = Field(max_length=limits.CASE_STATE)
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    from_stage_entered_at: datetime = Field(sa_type=UTCDateTime)
    case_version: int  # the case's lock counter right after migrating: rollback refuses if it moved on
    migrated_at: datetime = Field(sa_type=UTCDateTime)
    rolled_back_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
