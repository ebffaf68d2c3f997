"""The deals register: SQLModel records (migration 0007) mapped to domain deals and their history."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from journey.adapters.sql.tables.deals import DealEventRecord, DealRecord
from journey.domain.deals import Deal, DealDetails, DealEvent, DealEventKind, DealForm, DealStatus, ValueBasis
from journey.domain.errors import ConcurrentChangeError
from journey.domain.messages import msg

_COPIED = ("case_id", "municipality_id", "number", "status_date", "title", "counterparty", "org_number", "value_sek",
           "period_start", "period_end", "decided_date", "diarienummer", "special_services", "limit_sek",
           "limit_day", "limit_reference", "reserved_main_aim", "reserved_share", "social_considerations",
           "contract_conditions", "created_by", "created_at", "updated_at")


def _deal(r: DealRecord) -> Deal:
    values = {name: getattr(r, name) for name in _COPIED}
    return Deal(id=r.id, form=DealForm(r.form), status=DealStatus(r.status),
                value_basis=ValueBasis(r.value_basis) if r.value_basis else None,
                details=DealDetails.from_json(r.details), version=r.version, **values)


def _fill(record: DealRecord, deal: Deal) -> None:
    for name in _COPIED:
        if getattr(deal, name) is not None or name not in ("created_at", "updated_at"):
            setattr(record, name, getattr(deal, name))
    record.form, record.status = deal.form.value, deal.status.value
    record.value_basis = deal.value_basis.value if deal.value_basis else None
    record.details = deal.details.to_json()  # a new dict: JSON columns notice reassignment only


def _event(r: DealEventRecord) -> DealEvent:
    return DealEvent(r.deal_id, DealEventKind(r.kind), DealStatus(r.status), r.day, r.actor, r.at, r.comment,
                     dict(r.changes or {}), r.seq)


class SqlDealRepository:
    """``uow.deals``: bound to one unit of work's session; updates carry the deal's lock version."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._records: dict[int, DealRecord] = {}

    def _track(self, record: DealRecord) -> Deal:
        assert record.id is not None
        self._records[record.id] = record
        return _deal(record)

    def next_number(self, case_id: int) -> int:
        last = self.session.exec(select(func.max(DealRecord.number)).where(DealRecord.case_id == case_id)).one()
        return int(last or 0) + 1

    def add(self, deal: Deal) -> Deal:
        record = DealRecord(form=deal.form.value, status=deal.status.value, number=deal.number,
                            case_id=deal.case_id, municipality_id=deal.municipality_id, status_date=deal.status_date,
                            created_by=deal.created_by, created_at=deal.created_at or datetime.now(UTC),
                            updated_at=deal.updated_at or datetime.now(UTC))
        _fill(record, deal)
        self.session.add(record)
        try:
            self.session.flush()
        except IntegrityError:
            raise ConcurrentChangeError(msg("deal {number} was added by someone else at the same time; nothing "
                                            "was saved, try again", number=deal.number)) from None
        return self._track(record)

    def save(self, deal: Deal) -> None:
        """Write the deal's facts; the UPDATE carries ``WHERE version = <loaded>`` (optimistic lock)."""
        assert deal.id is not None
        record = self._records.get(deal.id) or self.session.get(DealRecord, deal.id)
        assert record is not None
        _fill(record, deal)
        self.session.flush()
        deal.version = record.version

    def get(self, case_id: int, number: int) -> Deal | None:
        stmt = select(DealRecord).where(DealRecord.case_id == case_id, DealRecord.number == number)
        record = self.session.exec(stmt).first()
        return self._track(record) if record else None

    def for_case(self, case_id: int) -> list[Deal]:
        stmt = select(DealRecord).where(DealRecord.case_id == case_id).order_by(col(DealRecord.number))
        return [self._track(r) for r in self.session.exec(stmt)]

    def all(self) -> list[Deal]:
        stmt = select(DealRecord).order_by(col(DealRecord.municipality_id), col(DealRecord.number))
        return [self._track(r) for r in self.session.exec(stmt)]

    def add_event(self, event: DealEvent) -> DealEvent:
        last = self.session.exec(select(func.max(DealEventRecord.seq)).where(
            DealEventRecord.deal_id == event.deal_id)).one()
        record = DealEventRecord(deal_id=event.deal_id, seq=(last or 0) + 1, kind=event.kind.value,
                                 status=event.status.value, day=event.day, actor=event.actor, at=event.at,
                                 comment=event.comment, changes=dict(event.changes))
        self.session.add(record)
        try:
            self.session.flush()
        except IntegrityError:
            raise ConcurrentChangeError(msg("this deal was changed by someone else at the same time; nothing was saved, "
                                            "try again")) from None
        return _event(record)

    def events(self, deal_id: int) -> list[DealEvent]:
        stmt = select(DealEventRecord).where(DealEventRecord.deal_id == deal_id).order_by(col(DealEventRecord.seq))
        return [_event(r) for r in self.session.exec(stmt)]

