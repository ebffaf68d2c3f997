"""Migration runs and the cases each one moved (migration 0005), so a run can be rolled back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from journey.adapters.types import UTCDateTime


class MigrationRunRecord(SQLModel, table=True):
    __tablename__ = "migration_run"
    id: int | None = Field(default=None, primary_key=True)
    workflows: str = Field(max_length=500)  # comma-separated workflow names the run covered
    to_version: int
    actor: str = Field(max_length=100)
    status: str = Field(max_length=20)  # RUNNING | APPLIED | ROLLED_BACK
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    migrated: int = 0
    not_migrated: int = 0
    rolled_back_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rolled_back_by: str = Field(default="", max_length=100)


class CaseMigrationRecord(SQLModel, table=True):
    """What one case was before and after a run: enough to put it back exactly."""

    __tablename__ = "case_migration"
    __table_args__ = (UniqueConstraint("run_id", "case_id"), Index("ix_case_migration_case", "case_id"))
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="migration_run.id")
    case_id: int = Field(foreign_key="journey_case.id")
    workflow: str = Field(max_length=100)
    from_version: int
    to_version: int
    from_state: str = Field(max_length=500)
    to_state: str = Field(max_length=500)
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    from_stage_entered_at: datetime = Field(sa_type=UTCDateTime)
    case_version: int  # the case's lock counter right after migrating: rollback refuses if it moved on
    migrated_at: datetime = Field(sa_type=UTCDateTime)
    rolled_back_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SqlMigrationRepository:
    """The ``migrations`` extension of a unit of work."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def start_run(self, workflows: list[str], to_version: int, actor: str, at: datetime) -> int:
        record = MigrationRunRecord(workflows=",".join(workflows), to_version=to_version, actor=actor,
                                    status="RUNNING", started_at=at)
        self.session.add(record)
        self.session.flush()
        assert record.id is not None
        return record.id

    def finish_run(self, run_id: int, at: datetime, migrated: int, not_migrated: int) -> None:
        record = self._run(run_id)
        record.status, record.finished_at = "APPLIED", at
        record.migrated, record.not_migrated = migrated, not_migrated
        self.session.flush()

    def mark_rolled_back(self, run_id: int, at: datetime, actor: str) -> None:
        record = self._run(run_id)
        record.status, record.rolled_back_at, record.rolled_back_by = "ROLLED_BACK", at, actor
        self.session.flush()

    def record_case(self, run_id: int, row: dict[str, Any]) -> None:
        self.session.add(CaseMigrationRecord(run_id=run_id, **row))
        self.session.flush()

    def case_rolled_back(self, run_id: int, case_id: int, at: datetime) -> None:
        stmt = select(CaseMigrationRecord).where(CaseMigrationRecord.run_id == run_id,
                                                 CaseMigrationRecord.case_id == case_id)
        record = self.session.exec(stmt).one()
        record.rolled_back_at = at
        self.session.flush()

    def _run(self, run_id: int) -> MigrationRunRecord:
        record = self.session.get(MigrationRunRecord, run_id)
        assert record is not None
        return record

    def run(self, run_id: int) -> dict[str, Any] | None:
        record = self.session.get(MigrationRunRecord, run_id)
        return record.model_dump() if record else None

    def runs(self) -> list[dict[str, Any]]:
        stmt = select(MigrationRunRecord).order_by(col(MigrationRunRecord.id))
        return [r.model_dump() for r in self.session.exec(stmt)]

    def cases(self, run_id: int) -> list[dict[str, Any]]:
        stmt = select(CaseMigrationRecord).where(CaseMigrationRecord.run_id == run_id)
        return [r.model_dump() for r in self.session.exec(stmt.order_by(col(CaseMigrationRecord.id)))]
