"""Migration runs and the cases each one moved (migration 0005), so a run can be rolled back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from journey.adapters.sql.tables.case_migrations import CaseMigrationRecord, MigrationRunRecord


class SqlMigrationRepository:
    """``uow.case_migrations``: runs and moved cases, inside the caller's transaction."""

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
