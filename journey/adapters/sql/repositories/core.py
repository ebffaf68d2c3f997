"""SQL repositories: the only place where records and domain objects are mapped to each other."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from journey.adapters.sql.tables.core import CaseRecord, HistoryRecord, MunicipalityRecord, UserRecord
from journey.domain.case import Case, CaseStatus, HistoryEntry, HistoryKind
from journey.domain.errors import NotFoundError
from journey.domain.messages import msg
from journey.domain.municipality import Municipality, normalize_name, slugify


def _municipality(r: MunicipalityRecord) -> Municipality:
    return Municipality(r.id, r.code, r.name, r.county, r.workflow)


class SqlMunicipalityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, m: Municipality) -> Municipality:
        record = MunicipalityRecord(code=m.code, name=normalize_name(m.name), slug=slugify(m.name), county=m.county,
                                    workflow=m.workflow, created_at=datetime.now(UTC))
        self.session.add(record)
        self.session.flush()
        return _municipality(record)

    def find(self, query: str) -> Municipality | None:
        q = normalize_name(query)
        stmt = select(MunicipalityRecord).where(
            (MunicipalityRecord.code == q) | (MunicipalityRecord.slug == slugify(q)) | (MunicipalityRecord.name == q))
        record = self.session.exec(stmt).first()
        return _municipality(record) if record else None

    def get(self, municipality_id: int) -> Municipality:
        record = self.session.get(MunicipalityRecord, municipality_id)
        if record is None:
            raise NotFoundError(msg("no municipality with id {municipality_id}", municipality_id=municipality_id))
        return _municipality(record)

    def list(self) -> list[Municipality]:
        return [_municipality(r) for r in self.session.exec(select(MunicipalityRecord).order_by(MunicipalityRecord.name))]

    def set_workflow(self, municipality_id: int, workflow: str) -> None:
        record = self.session.get(MunicipalityRecord, municipality_id)
        assert record is not None
        record.workflow = workflow


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, username: str, role: str, municipality_id: int | None, display_name: str, email: str,
            phone: str = "") -> None:
        self.session.add(UserRecord(username=username, role=role, municipality_id=municipality_id,
                                    display_name=display_name, email=email, phone=phone, created_at=datetime.now(UTC)))
        self.session.flush()

    def find(self, username: str) -> dict[str, Any] | None:
        r = self.session.exec(select(UserRecord).where(UserRecord.username == username)).first()
        return r.model_dump() if r else None

    def count(self) -> int:
        return int(self.session.exec(select(func.count()).select_from(UserRecord)).one())

    def list(self) -> list[dict[str, Any]]:
        return [r.model_dump() for r in self.session.exec(select(UserRecord).order_by(UserRecord.username))]

    def with_role(self, role: str, municipality_id: int | None = None) -> builtins.list[dict[str, Any]]:
        stmt = select(UserRecord).where(UserRecord.role == role)
        if municipality_id is not None:
            stmt = stmt.where(UserRecord.municipality_id == municipality_id)
        return [r.model_dump() for r in self.session.exec(stmt.order_by(UserRecord.username))]


def _case(r: CaseRecord) -> Case:
    assert r.id is not None
    return Case(r.id, r.municipality_id, r.workflow, r.workflow_version, r.state, CaseStatus(r.status), r.opened_at,
                r.stage_entered_at, r.updated_at, r.version)


def _entry(r: HistoryRecord) -> HistoryEntry:
    return HistoryEntry(r.case_id, HistoryKind(r.kind), r.from_state, r.to_state, r.trigger, r.actor, r.at,
                        dict(r.evidence or {}), r.comment, r.seq)


class SqlCaseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._records: dict[int, CaseRecord] = {}

    def _track(self, record: CaseRecord) -> Case:
        assert record.id is not None
        self._records[record.id] = record
        return _case(record)

    def for_municipality(self, municipality_id: int) -> Case | None:
        record = self.session.exec(select(CaseRecord).where(CaseRecord.municipality_id == municipality_id)).first()
        return self._track(record) if record else None

    def get(self, case_id: int) -> Case:
        record = self.session.get(CaseRecord, case_id)
        if record is None:
            raise NotFoundError(msg("no case with id {case_id}", case_id=case_id))
        return self._track(record)

    def all(self) -> list[Case]:
        return [self._track(r) for r in self.session.exec(select(CaseRecord).order_by(col(CaseRecord.id)))]

    def add(self, case: Case) -> Case:
        record = CaseRecord(municipality_id=case.municipality_id, workflow=case.workflow,
                            workflow_version=case.workflow_version, state=case.state, stage=case.stage,
                            status=case.status.value, opened_at=case.opened_at, stage_entered_at=case.stage_entered_at,
                            updated_at=case.updated_at)
        self.session.add(record)
        self.session.flush()
        created = self._track(record)
        case.id, case.version = created.id, created.version
        return case

    def save(self, case: Case) -> None:
        """Write changes; the UPDATE carries ``WHERE version = <loaded>`` (optimistic lock)."""
        assert case.id is not None
        record = self._records[case.id]
        record.workflow, record.workflow_version = case.workflow, case.workflow_version
        record.state, record.stage, record.status = case.state, case.stage, case.status.value
        record.stage_entered_at, record.updated_at = case.stage_entered_at, case.updated_at
        self.session.flush()
        case.version = record.version

    def append_history(self, entry: HistoryEntry) -> HistoryEntry:
        last = self.session.exec(select(func.max(HistoryRecord.seq)).where(HistoryRecord.case_id == entry.case_id)).one()
        record = HistoryRecord(case_id=entry.case_id, seq=(last or 0) + 1, kind=entry.kind.value,
                               from_state=entry.from_state, to_state=entry.to_state, trigger=entry.trigger,
                               actor=entry.actor, at=entry.at, evidence=entry.evidence, comment=entry.comment)
        self.session.add(record)
        self.session.flush()
        return _entry(record)

    def history(self, case_id: int) -> list[HistoryEntry]:
        stmt = select(HistoryRecord).where(HistoryRecord.case_id == case_id).order_by(col(HistoryRecord.seq))
        return [_entry(r) for r in self.session.exec(stmt)]
