"""Tables for outbound webhooks (migration 0006): subscriptions and the delivery outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from journey.adapters.sql.column_types import UTCDateTime
from journey.adapters.sql.tables import core as _core  # noqa: F401  (foreign keys to municipality)


class WebhookRow(SQLModel, table=True):
    __tablename__ = "webhook"
    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=1000)
    secret: str = Field(max_length=200)  # needed to sign each delivery, so kept as is: protect the database
    event_types: str = Field(default="", max_length=1000)  # space-separated; empty = every type
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=100)


class WebhookDeliveryRow(SQLModel, table=True):
    """One event for one subscription. ``send_after`` is polled with ``status`` like the reminder outbox."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("webhook_id", "event_id"),
                      Index("ix_webhook_delivery_status_send_after", "status", "send_after"))
    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id")
    event_id: str = Field(max_length=100)
    event_type: str = Field(max_length=100)
    body: str = Field(sa_type=Text)
    status: str = Field(max_length=20)
    attempts: int = 0
    send_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str = Field(default="", max_length=200)
    last_error: str = Field(default="", max_length=1000)
    last_status: int | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
