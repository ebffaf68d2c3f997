"""The deals register: one row per deal (current facts) and its append-only history (migration 0007)."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from journey.adapters.sql.column_types import UTCDateTime
from journey.adapters.sql.tables import core as _core  # noqa: F401  (foreign keys to journey_case, municipality)

_deal_version = Column("version", Integer, nullable=False)


class DealRecord(SQLModel, table=True):
    __tablename__ = "deal"
    __table_args__ = (
        UniqueConstraint("case_id", "number", name="uq_deal_case_number"),
        CheckConstraint("value_sek IS NULL OR value_sek >= 0", name="ck_deal_value_not_negative"),
        CheckConstraint("reserved_share IS NULL OR (reserved_share >= 0 AND reserved_share <= 100)",
                        name="ck_deal_reserved_share_percent"),
        Index("ix_deal_municipality", "municipality_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="journey_case.id")
    municipality_id: int = Field(foreign_key="municipality.id")
    number: int
    form: str = Field(max_length=40)
    status: str = Field(max_length=20)
    status_date: Date
    title: str = Field(default="", max_length=300)
    counterparty: str = Field(default="", max_length=300)
    org_number: str = Field(default="", max_length=11)
    value_sek: int | None = Field(default=None, sa_type=BigInteger)
    value_basis: str | None = Field(default=None, max_length=10)
    period_start: Date | None = None
    period_end: Date | None = None
    decided_date: Date | None = None
    diarienummer: str = Field(default="", max_length=100)
    special_services: bool = False
    limit_sek: int | None = Field(default=None, sa_type=BigInteger)
    limit_day: Date | None = None
    limit_reference: str = Field(default="", max_length=200)
    reserved_main_aim: bool | None = None
    reserved_share: int | None = None
    social_considerations: str = Field(default="", max_length=2000)
    contract_conditions: str = Field(default="", max_length=2000)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_deal_version)
    __mapper_args__ = {"version_id_col": _deal_version}


class DealEventRecord(SQLModel, table=True):
    """Append-only: database triggers refuse UPDATE and DELETE (see migration 0007)."""

    __tablename__ = "deal_event"
    __table_args__ = (UniqueConstraint("deal_id", "seq", name="uq_deal_event_seq"),)
    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id")
    seq: int
    kind: str = Field(max_length=20)
    status: str = Field(max_length=20)
    day: Date
    actor: str = Field(max_length=100)
    at: datetime = Field(sa_type=UTCDateTime)
    comment: str = Field(default="", max_length=4000)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
