"""``uow.webhooks``: subscriptions and the delivery outbox (claimed like the reminder outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from journey.adapters.sql.tables.webhooks import WebhookDeliveryRow, WebhookRow
from journey.domain.webhooks import DeliveryStatus
from journey.ports.webhooks import Delivery, Subscription

PLANNED, SENDING = DeliveryStatus.PLANNED.value, DeliveryStatus.SENDING.value


def _subscription(r: WebhookRow) -> Subscription:
    assert r.id is not None
    return Subscription(r.id, r.url, r.secret, tuple(r.event_types.split()), r.municipality_id, r.active,
                        r.created_at, r.created_by)


def _delivery(r: WebhookDeliveryRow) -> Delivery:
    assert r.id is not None
    return Delivery(r.id, r.webhook_id, r.event_id, r.event_type, r.body, r.status, r.attempts, r.send_after,
                    r.created_at, r.last_error, r.last_status, r.sent_at)


class SqlWebhookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_subscription(self, url: str, secret: str, event_types: tuple[str, ...], municipality_id: int | None,
                         at: datetime, created_by: str) -> int:
        row = WebhookRow(url=url, secret=secret, event_types=" ".join(event_types), municipality_id=municipality_id,
                         active=True, created_at=at, created_by=created_by)
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        return row.id

    def subscriptions(self, active_only: bool = True) -> list[Subscription]:
        stmt = select(WebhookRow)
        if active_only:
            stmt = stmt.where(WebhookRow.active == True)  # noqa: E712
        return [_subscription(r) for r in self.session.exec(stmt.order_by(col(WebhookRow.id)))]

    def subscription(self, webhook_id: int) -> Subscription | None:
        row = self.session.get(WebhookRow, webhook_id)
        return _subscription(row) if row else None

    def deactivate(self, webhook_id: int) -> bool:
        row = self.session.get(WebhookRow, webhook_id)
        if row is None or not row.active:
            return False
        row.active = False
        self.session.flush()
        return True

    def plan(self, webhook_id: int, event_id: str, event_type: str, body: str, at: datetime) -> None:
        self.session.add(WebhookDeliveryRow(webhook_id=webhook_id, event_id=event_id, event_type=event_type, body=body,
                                            status=PLANNED, attempts=0, send_after=at, created_at=at))
        self.session.flush()

    def claim_due(self, now: datetime, limit: int, worker: str, lease_until: datetime) -> list[Delivery]:
        """Compare-and-set claim of due rows (and rows whose SENDING lease ran out), as for reminders."""
        due = (col(WebhookDeliveryRow.status).in_([PLANNED, SENDING])) & (col(WebhookDeliveryRow.send_after) <= now)
        ids_stmt = (select(WebhookDeliveryRow.id).where(due).order_by(col(WebhookDeliveryRow.send_after),
                                                                      col(WebhookDeliveryRow.id))
                    .limit(limit).with_for_update(skip_locked=True))
        ids = list(self.session.exec(ids_stmt))
        if not ids:
            return []
        self.session.execute(update(WebhookDeliveryRow).where(col(WebhookDeliveryRow.id).in_(ids), due).values(
            status=SENDING, claimed_by=worker, send_after=lease_until, attempts=WebhookDeliveryRow.attempts + 1)
            .execution_options(synchronize_session=False))
        self.session.expire_all()
        stmt = select(WebhookDeliveryRow).where(col(WebhookDeliveryRow.id).in_(ids),
                                                WebhookDeliveryRow.claimed_by == worker,
                                                WebhookDeliveryRow.status == SENDING)
        return [_delivery(r) for r in self.session.exec(stmt.order_by(col(WebhookDeliveryRow.id)))]

    def finish(self, delivery_id: int, worker: str, **values: Any) -> bool:
        stmt = (update(WebhookDeliveryRow).where(col(WebhookDeliveryRow.id) == delivery_id,
                                                 col(WebhookDeliveryRow.status) == SENDING,
                                                 col(WebhookDeliveryRow.claimed_by) == worker)
                .values(**values).execution_options(synchronize_session=False))
        return bool(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def deliveries(self, status: str | None = None, limit: int = 100) -> list[Delivery]:
        stmt = select(WebhookDeliveryRow)
        if status is not None:
            stmt = stmt.where(WebhookDeliveryRow.status == status)
        return [_delivery(r) for r in self.session.exec(stmt.order_by(col(WebhookDeliveryRow.id).desc()).limit(limit))]
