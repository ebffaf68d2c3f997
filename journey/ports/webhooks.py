"""Ports of outbound webhooks: subscriptions and the delivery outbox (``uow.webhooks``), and the sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Subscription:
    id: int
    url: str
    secret: str
    event_types: tuple[str, ...]  # empty: every type
    municipality_id: int | None  # None: every municipality
    active: bool
    created_at: datetime
    created_by: str

    def wants(self, event_type: str, municipality_id: int | None) -> bool:
        return self.active and (not self.event_types or event_type in self.event_types) and (
            self.municipality_id is None or self.municipality_id == municipality_id)


@dataclass(frozen=True)
class Delivery:
    id: int
    webhook_id: int
    event_id: str
    event_type: str
    body: str  # the CloudEvents JSON, fixed when planned: a retry sends the same bytes
    status: str
    attempts: int
    send_after: datetime | None
    created_at: datetime
    last_error: str = ""
    last_status: int | None = None
    sent_at: datetime | None = None


class WebhookRepository(Protocol):
    def add_subscription(self, url: str, secret: str, event_types: tuple[str, ...], municipality_id: int | None,
                         at: datetime, created_by: str) -> int: ...
    def subscriptions(self, active_only: bool = True) -> list[Subscription]: ...
    def subscription(self, webhook_id: int) -> Subscription | None: ...
    def deactivate(self, webhook_id: int) -> bool: ...

    def plan(self, webhook_id: int, event_id: str, event_type: str, body: str, at: datetime) -> None: ...
    def claim_due(self, now: datetime, limit: int, worker: str, lease_until: datetime) -> list[Delivery]: ...
    def finish(self, delivery_id: int, worker: str, **values: Any) -> bool: ...
    def deliveries(self, status: str | None = None, limit: int = 100) -> list[Delivery]: ...


@dataclass(frozen=True)
class HttpResult:
    status: int  # 0 when no HTTP answer came (connection refused, timeout)
    error: str = ""


class WebhookSender(Protocol):
    def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> HttpResult: ...
