"""SQL repository of matters: ``MatterRecord``/``MatterDecisionRecord`` <-> domain ``Matter``/``Decision``."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from journey.adapters.sql.tables.matters import MatterDecisionRecord, MatterRecord
from journey.domain.errors import ConcurrentChangeError
from journey.domain.matters import Decision, Matter, MatterStatus, Outcome
from journey.domain.messages import msg


def _decision(r: MatterDecisionRecord) -> Decision:
    return Decision(r.body, Outcome(r.outcome), r.meeting_date, r.paragraph, r.recorded_at, r.actor, r.history_seq,
                    r.seq, r.id)


class SqlMatterRepository:
    """Bound to one unit of work's session (``uow.matters``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _matter(self, r: MatterRecord) -> Matter:
        stmt = select(MatterDecisionRecord).where(MatterDecisionRecord.matter_id == r.id).order_by(
            col(MatterDecisionRecord.seq))
        return Matter(r.id, r.case_id, r.state_path, r.title, tuple(r.bodies or ()), r.opened_at, r.opened_by,
                      MatterStatus(r.status), r.diarienummer, r.handlaggare, r.forvaltning, dict(r.proposal or {}),
                      r.target_meeting, r.closed_at, r.updated_at, [_decision(d) for d in self.session.exec(stmt)],
                      r.planned_meeting)

    def add(self, matter: Matter) -> Matter:
        record = MatterRecord(case_id=matter.case_id, state_path=matter.state_path, opened_at=matter.opened_at,
                              updated_at=matter.updated_at or matter.opened_at, status=matter.status.value)
        self.session.add(record)
        self.session.flush()
        matter.id = record.id
        self.save(matter)
        return matter

    def save(self, matter: Matter) -> None:
        record = self.session.get(MatterRecord, matter.id)
        assert record is not None, f"matter {matter.id} was never added"
        record.title, record.bodies, record.status = matter.title, list(matter.bodies), matter.status.value
        record.diarienummer, record.handlaggare, record.forvaltning = (matter.diarienummer, matter.handlaggare,
                                                                       matter.forvaltning)
        record.proposal, record.target_meeting = dict(matter.proposal), matter.target_meeting
        record.planned_meeting = matter.planned_meeting
        record.opened_by, record.closed_at = matter.opened_by, matter.closed_at
        record.updated_at = matter.updated_at or matter.opened_at
        for d in matter.decisions:
            row = self.session.get(MatterDecisionRecord, d.id) if d.id is not None else None
            if row is None:
                row = MatterDecisionRecord(matter_id=record.id or 0, seq=d.seq, body=d.body, outcome=d.outcome.value,
                                           meeting_date=d.meeting_date, recorded_at=d.recorded_at)
                self.session.add(row)
            row.body, row.outcome, row.meeting_date, row.paragraph = d.body, d.outcome.value, d.meeting_date, d.paragraph
            row.actor, row.history_seq = d.actor, d.history_seq
        try:
            self.session.flush()
        except IntegrityError:
            raise ConcurrentChangeError(msg("another user recorded a decision on this matter at the same time; nothing "
                                            "was saved, try again")) from None
        for d, row in zip(matter.decisions, self._decision_rows(record.id or 0), strict=False):
            d.id = row.id

    def _decision_rows(self, matter_id: int) -> list[MatterDecisionRecord]:
        stmt = select(MatterDecisionRecord).where(MatterDecisionRecord.matter_id == matter_id).order_by(
            col(MatterDecisionRecord.seq))
        return list(self.session.exec(stmt))

    def for_case(self, case_id: int) -> list[Matter]:
        stmt = select(MatterRecord).where(MatterRecord.case_id == case_id).order_by(col(MatterRecord.id))
        return [self._matter(r) for r in self.session.exec(stmt)]

    def open_for(self, case_id: int, state_path: str | None = None) -> Matter | None:
        stmt = select(MatterRecord).where(MatterRecord.case_id == case_id, MatterRecord.status == MatterStatus.OPEN.value)
        if state_path is not None:
            stmt = stmt.where(MatterRecord.state_path == state_path)
        record = self.session.exec(stmt.order_by(col(MatterRecord.id).desc())).first()
        return self._matter(record) if record else None
